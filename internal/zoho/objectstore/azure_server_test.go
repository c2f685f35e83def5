package objectstore

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/azurite"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/tempdir"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// The azblob:// backend against Azurite, Microsoft's emulator of the Blob
// service, reached the way the provider reaches it: the account, the
// local-emulator switch and the credential from the environment.
//
// With the shared key, the first run (Azurite 3.37.0) passed every
// conformance case: Azurite checked our Shared Key signature on Get, Put
// (with and without If-None-Match, empty and not) and Delete Blob, and a
// failed If-None-Match: * is 409 BlobAlreadyExists, which the client reads
// as a lost race.
func TestAzure_Azurite(t *testing.T) {
	srv := azurite.New(t, azurite.SharedKey)
	srv.Setenv(t)
	testConformance(t, func(t *testing.T, prefix string) tokencache.Store {
		return openURL(t, srv.URL("conformance/"+prefix))
	})

	ctx := context.Background()
	t.Run("KeysUnderPrefix", func(t *testing.T) {
		s := openURL(t, srv.URL("ci/zoho"))
		mustWrite(t, s, entry, []byte("sealed"))
		req, _ := http.NewRequest(http.MethodGet, srv.BlobURL("ci/zoho/"+entry), http.NoBody)
		resp, err := srv.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("blob ci/zoho/%s: HTTP %d", entry, resp.StatusCode)
		}
	})
	t.Run("OneRequestPerOperation", func(t *testing.T) {
		recURL, take := recordingProxy(t, srv.Endpoint, pathAndIfNoneMatch)
		t.Setenv("AZURE_STORAGE_DOMAIN", strings.TrimPrefix(recURL, "http://"))
		s := openURL(t, srv.URL("one-request"))
		base := "/" + srv.Account + "/" + srv.Container + "/one-request/"
		checkRequests(t, "", []requestStep{
			{func() error { _, err := s.Read(ctx, entry, 10); return err }, tokencache.ErrNotExist, "GET " + base + entry},
			{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, nil, "PUT " + base + lease + " If-None-Match: *"},
			{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, tokencache.ErrExist, "PUT " + base + lease + " If-None-Match: *"},
			{func() error { return s.Write(ctx, entry, []byte("sealed")) }, nil, "PUT " + base + entry},
			{func() error { _, err := s.Read(ctx, entry, 10); return err }, nil, "GET " + base + entry},
			{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + base + lease},
			{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + base + lease},
		}, take)
	})
	t.Run("WrongKey", func(t *testing.T) {
		t.Setenv("AZURE_STORAGE_KEY", "bm90LXRoZS1rZXktMDEyMzQ1Njc4OWFiY2RlZg==")
		s := openURL(t, srv.URL("wrong-key"))
		_, err := s.Read(ctx, entry, 10)
		if err == nil || errors.Is(err, tokencache.ErrNotExist) || !strings.Contains(err.Error(), "HTTP 403") {
			t.Fatalf("Read with a wrong key: %v, want a 403 that is not a miss", err)
		}
		if strings.Contains(err.Error(), "bm90LXRoZS1rZXkt") || strings.Contains(err.Error(), srv.Key) {
			t.Errorf("error repeats a key: %v", err)
		}
		t.Logf("wrong key: %v", err)
	})
	t.Run("MissingContainer", func(t *testing.T) {
		s := openURL(t, "azblob://no-such-container/ci")
		_, err := s.Read(ctx, entry, 10)
		want := "read " + entry + " in azblob://no-such-container/ci: HTTP 404 ContainerNotFound"
		if err == nil || errors.Is(err, tokencache.ErrNotExist) || err.Error() != want {
			t.Errorf("Read from a missing container: %v\nwant: %s (and not a miss)", err, want)
		}
		err = s.CreateIfAbsent(ctx, lease, nil)
		if err == nil || errors.Is(err, tokencache.ErrExist) {
			t.Errorf("CreateIfAbsent in a missing container: %v, want a failure that is not a lost race", err)
		}
	})
	t.Run("Faults", func(t *testing.T) {
		testFaults(t, srv.Host, func(t *testing.T, addr, prefix string, opts Options) tokencache.Store {
			t.Setenv("AZURE_STORAGE_DOMAIN", addr)
			return openURL(t, srv.URL(prefix), opts)
		})
	})
}

// bearerChild marks the process TestAzure_AzuriteBearer starts.
const bearerChild = "ZOHO_TEST_AZURITE_BEARER_CHILD"

// The azblob:// backend with a bearer token from DefaultAzureCredential,
// against Azurite over HTTPS with --oauth basic. Go reads SSL_CERT_FILE
// (which must name the test CA) once per process, at the first certificate
// check, so the Store runs in a process of its own: this test binary
// again, with the environment azurite.Server.Environ gives and an empty
// PATH (no Azure CLI to fall back on); there the test runs the
// conformance suite. The parent checks the token endpoint was used.
func TestAzure_AzuriteBearer(t *testing.T) {
	if os.Getenv(bearerChild) == "1" {
		if !strings.HasPrefix(os.Getenv("AZURE_STORAGE_PROTOCOL"), "https") || os.Getenv("IDENTITY_ENDPOINT") == "" {
			t.Fatal("bearer child without the environment of azurite.Server.Environ")
		}
		testConformance(t, func(t *testing.T, prefix string) tokencache.Store {
			return openURL(t, "azblob://"+azurite.Container+"/conformance/"+prefix)
		})
		return
	}
	srv := azurite.New(t, azurite.Bearer)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestAzure_AzuriteBearer$", "-test.v", "-test.count=1")
	cmd.Env = append(srv.Environ(os.Environ()), bearerChild+"=1", "PATH="+tempdir.New(t))
	out, err := cmd.CombinedOutput()
	t.Logf("bearer child:\n%s", out)
	if err != nil {
		t.Fatalf("bearer child: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: TestAzure_AzuriteBearer/RoundTrip") {
		t.Error("the bearer child did not run the conformance suite")
	}
	issued, refused, resources := srv.TokenRequests()
	if issued == 0 || refused != 0 {
		t.Errorf("token endpoint: %d issued, %d refused (%q), want tokens and no refusal", issued, refused, resources)
	}
	t.Logf("token endpoint: %d tokens issued for %q", issued, resources)
}
