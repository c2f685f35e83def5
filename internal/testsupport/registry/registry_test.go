package registry

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServer(t *testing.T) {
	dist := t.TempDir()
	files := map[string]string{
		"terraform-provider-zoho_0.1.0_linux_amd64.zip":  "zip linux",
		"terraform-provider-zoho_0.1.0_darwin_arm64.zip": "zip darwin",
		"terraform-provider-zoho_0.1.0_manifest.json":    "{}",
		"zoho-emulator_0.1.0_linux_amd64.tar.gz":         "emulator",
		"SHA256SUMS.sig":                                 "signature",
		"tampered.zip":                                   "tampered",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dist, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sums := "aa  terraform-provider-zoho_0.1.0_darwin_arm64.zip\n" +
		"bb  terraform-provider-zoho_0.1.0_linux_amd64.zip\n" +
		"cc  terraform-provider-zoho_0.1.0_manifest.json\n" +
		"dd  zoho-emulator_0.1.0_linux_amd64.tar.gz\n"
	if err := os.WriteFile(filepath.Join(dist, "SHA256SUMS"), []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	rel := Release{Namespace: "cd40c554", Type: "zoho", Version: "0.1.0", Protocols: []string{"6.0"}, Dir: dist,
		SHA256SUMS: "SHA256SUMS", Signature: "SHA256SUMS.sig", KeyID: "0123456789ABCDEF", KeyArmor: "-----BEGIN PGP PUBLIC KEY BLOCK-----"}
	tampered := rel
	tampered.Replace = map[string]string{"terraform-provider-zoho_0.1.0_linux_amd64.zip": filepath.Join(dist, "tampered.zip")}
	s, err := Start(t.TempDir(), map[string]Release{"": rel, "tampered": tampered})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	ca, err := os.ReadFile(s.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if _, body := get(s.URL + "/.well-known/terraform.json"); strings.TrimSpace(body) != `{"providers.v1":"/v1/providers/"}` {
		t.Errorf("discovery: %s", body)
	}
	if got, want := s.ServicesURL(""), s.URL+"/v1/providers/"; got != want {
		t.Errorf("ServicesURL = %s, want %s", got, want)
	}
	_, body := get(s.ServicesURL("") + "cd40c554/zoho/versions")
	var versions struct {
		Versions []struct {
			Version   string
			Protocols []string
			Platforms []Platform
		}
	}
	if err := json.Unmarshal([]byte(body), &versions); err != nil || len(versions.Versions) != 1 {
		t.Fatalf("versions: %s (%v)", body, err)
	}
	v := versions.Versions[0]
	if v.Version != "0.1.0" || strings.Join(v.Protocols, ",") != "6.0" || len(v.Platforms) != 2 {
		t.Errorf("versions: %+v", v)
	}

	_, body = get(s.ServicesURL("tampered") + "cd40c554/zoho/0.1.0/download/linux/amd64")
	var dl struct {
		Filename            string `json:"filename"`
		DownloadURL         string `json:"download_url"`
		ShasumsURL          string `json:"shasums_url"`
		ShasumsSignatureURL string `json:"shasums_signature_url"`
		Shasum              string `json:"shasum"`
		SigningKeys         struct {
			GPGPublicKeys []struct {
				KeyID string `json:"key_id"`
			} `json:"gpg_public_keys"`
		} `json:"signing_keys"`
	}
	if err := json.Unmarshal([]byte(body), &dl); err != nil {
		t.Fatalf("download: %s (%v)", body, err)
	}
	if dl.Filename != "terraform-provider-zoho_0.1.0_linux_amd64.zip" || dl.Shasum != "bb" ||
		dl.DownloadURL != s.URL+"/tampered/files/"+dl.Filename || dl.ShasumsURL != s.URL+"/tampered/files/SHA256SUMS" ||
		len(dl.SigningKeys.GPGPublicKeys) != 1 || dl.SigningKeys.GPGPublicKeys[0].KeyID != "0123456789ABCDEF" {
		t.Errorf("download: %s", body)
	}
	if _, got := get(dl.DownloadURL); got != "tampered" {
		t.Errorf("the tampered release serves %q", got)
	}
	if _, got := get(s.URL + "/files/" + dl.Filename); got != "zip linux" {
		t.Errorf("the release serves %q", got)
	}
	for _, url := range []string{
		s.URL + "/files/zoho-emulator_0.1.0_linux_amd64.tar.gz", // not the provider's
		s.URL + "/files/../registry_test.go",
		s.ServicesURL("") + "cd40c554/zoho/0.1.0/download/windows/amd64",
		s.ServicesURL("") + "cd40c554/other/versions",
		s.ServicesURL("") + "cd40c554/zoho/0.2.0/download/linux/amd64",
	} {
		if code, _ := get(url); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", url, code)
		}
	}
	if reqs := s.Requests(); len(reqs) < 5 || reqs[2].Prefix != "tampered" {
		t.Errorf("requests: %+v", reqs)
	}
}
