package azurite

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

func TestStart_withoutEntry(t *testing.T) {
	t.Setenv(EnvEntry, "")
	_, err := Start(context.Background(), Options{})
	want := "no Azurite: set ZOHO_TEST_AZURITE to the path of its azurite-blob entry point (scripts/tool.sh azurite installs it)"
	if err == nil || err.Error() != want {
		t.Errorf("Start without an entry point: %v\nwant: %s", err, want)
	}
}

// blobRequest sends one request for a blob, signed with the shared key, or
// with bearer when it is set.
func blobRequest(t *testing.T, srv *Server, method, name, body string, h http.Header, bearer string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.BlobURL(name), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodPut {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if method == http.MethodPut {
		req.Header.Set("x-ms-blob-type", "BlockBlob")
	}
	var resp *http.Response
	if bearer != "" {
		req.Header.Set("x-ms-version", "2020-10-02")
		req.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err = srv.Client().Do(req)
	} else {
		resp, err = srv.Do(req)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// The facts the package doc states, on the Blob service requests the
// azblob:// store sends.
func TestServerFacts(t *testing.T) {
	srv := New(t, SharedKey)
	ifAbsent := http.Header{"If-None-Match": {"*"}}
	before := time.Now().Add(-time.Second).Truncate(time.Second)
	if code, _, body := blobRequest(t, srv, http.MethodPut, "lease", "one", ifAbsent, ""); code != http.StatusCreated {
		t.Fatalf("first create: HTTP %d %s", code, body)
	}
	code, h, body := blobRequest(t, srv, http.MethodPut, "lease", "two", ifAbsent, "")
	if code != http.StatusConflict || h.Get("x-ms-error-code") != "BlobAlreadyExists" {
		t.Errorf("create over a blob: HTTP %d %s %s, want 409 BlobAlreadyExists", code, h.Get("x-ms-error-code"), body)
	}
	code, h, body = blobRequest(t, srv, http.MethodGet, "lease", "", nil, "")
	if code != http.StatusOK || body != "one" {
		t.Fatalf("Get Blob: HTTP %d %q, want the first write", code, body)
	}
	after := time.Now().Add(time.Second)
	for _, name := range []string{"Last-Modified", "Date"} {
		v, err := http.ParseTime(h.Get(name))
		if err != nil || v.Before(before) || v.After(after) {
			t.Errorf("Get Blob's %s: %q (%v), want a time between %v and %v", name, h.Get(name), err, before, after)
		}
	}
	t.Logf("Get Blob headers: Last-Modified %q, Date %q, ETag %q", h.Get("Last-Modified"), h.Get("Date"), h.Get("ETag"))
	code, h, _ = blobRequest(t, srv, http.MethodGet, "missing", "", nil, "")
	if code != http.StatusNotFound || h.Get("x-ms-error-code") != "BlobNotFound" {
		t.Errorf("Get of a missing blob: HTTP %d %s, want 404 BlobNotFound", code, h.Get("x-ms-error-code"))
	}
	code, h, _ = blobRequest(t, srv, http.MethodDelete, "missing", "", nil, "")
	t.Logf("Delete of a missing blob: HTTP %d %s", code, h.Get("x-ms-error-code"))
	req, _ := http.NewRequest(http.MethodGet, srv.Endpoint+"/"+srv.Account+"/no-such-container/x", http.NoBody)
	resp, err := srv.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("x-ms-error-code") != "ContainerNotFound" {
		t.Errorf("Get from a missing container: HTTP %d %s, want 404 ContainerNotFound", resp.StatusCode, resp.Header.Get("x-ms-error-code"))
	}

	// Concurrent creators: exactly one wins.
	for round := range 5 {
		const n = 16
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _, _ = blobRequest(t, srv, http.MethodPut, "race"+string(rune('a'+round)), "x", ifAbsent, "")
			}()
		}
		wg.Wait()
		won := 0
		for _, c := range codes {
			switch c {
			case http.StatusCreated:
				won++
			case http.StatusConflict, http.StatusPreconditionFailed:
			default:
				t.Errorf("round %d: a creator got HTTP %d", round, c)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d of %d creators won, want 1", round, won, n)
		}
	}
}

// In Bearer mode, azidentity's DefaultAzureCredential, with nothing but
// Env and Unset applied, gets its token from the managed identity stand-in
// (no other source is tried first, none hangs), Azurite takes it over
// HTTPS, and it refuses a token for another audience.
func TestBearer(t *testing.T) {
	srv := New(t, Bearer)
	if !strings.HasPrefix(srv.Endpoint, "https://127.0.0.1:") || srv.CAFile == "" {
		t.Fatalf("Endpoint %q, CAFile %q", srv.Endpoint, srv.CAFile)
	}
	for _, k := range srv.Unset() {
		t.Setenv(k, "")
		_ = os.Unsetenv(k)
	}
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if k != "SSL_CERT_FILE" { // this process trusts the CA through TLSConfig
			t.Setenv(k, v)
		}
	}
	t.Setenv("PATH", t.TempDir()) // no az, azd or pwsh to fall back on
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	t0 := time.Now()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://storage.azure.com/.default"}})
	if err != nil {
		t.Fatalf("DefaultAzureCredential: %v", err)
	}
	t.Logf("DefaultAzureCredential got a token in %v, expiring %v", time.Since(t0).Round(time.Millisecond), tok.ExpiresOn.Round(time.Second))
	issued, refused, resources := srv.TokenRequests()
	if issued != 1 || refused != 0 || len(resources) != 1 || resources[0] != "https://storage.azure.com" {
		t.Errorf("token endpoint: %d issued, %d refused, resources %q; want 1 token for https://storage.azure.com", issued, refused, resources)
	}
	if time.Until(tok.ExpiresOn) < 50*time.Minute {
		t.Errorf("token expires %v, want about an hour from now", tok.ExpiresOn)
	}

	if code, h, body := blobRequest(t, srv, http.MethodPut, "bearer", "sealed", http.Header{"If-None-Match": {"*"}}, tok.Token); code != http.StatusCreated {
		t.Fatalf("Put Blob with the token: HTTP %d %s %s", code, h.Get("x-ms-error-code"), body)
	}
	if code, _, body := blobRequest(t, srv, http.MethodGet, "bearer", "", nil, tok.Token); code != http.StatusOK || body != "sealed" {
		t.Errorf("Get Blob with the token: HTTP %d %q", code, body)
	}
	// Azurite does check the token: another audience is refused.
	bad := unsignedJWT("https://vault.azure.net", time.Now(), time.Now().Add(time.Hour))
	code, h, _ := blobRequest(t, srv, http.MethodGet, "bearer", "", nil, bad)
	if code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Errorf("Get Blob with a token for another audience: HTTP %d %s, want a refusal", code, h.Get("x-ms-error-code"))
	}
	t.Logf("token for another audience: HTTP %d %s", code, h.Get("x-ms-error-code"))
}

func TestNew(t *testing.T) {
	srv := New(t, SharedKey)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") || srv.Host != strings.TrimPrefix(srv.Endpoint, "http://") {
		t.Errorf("Endpoint %q, Host %q", srv.Endpoint, srv.Host)
	}
	if got := srv.URL("/ci/zoho/"); got != "azblob://zoho-cache/ci/zoho" {
		t.Errorf("URL = %q", got)
	}
	env := strings.Join(srv.Environ([]string{"AZURE_STORAGE_SAS_TOKEN=x", "HOME=/h", "AZURE_STORAGE_KEY=old"}), " ")
	want := "HOME=/h AZURE_STORAGE_ACCOUNT=devstoreaccount1 AZURE_STORAGE_IS_LOCAL_EMULATOR=true AZURE_STORAGE_DOMAIN=" + srv.Host +
		" AZURE_STORAGE_PROTOCOL=http AZURE_STORAGE_KEY=" + Key
	if env != want {
		t.Errorf("Environ = %s\nwant %s", env, want)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.proc.Exited():
	default:
		t.Error("azurite still runs after Stop")
	}
	if _, err := os.Stat(srv.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stop left %s: %v", srv.dir, err)
	}
}
