package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/tempdir"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// fakeAzure speaks the part of the Blob service REST API our client uses
// (Put Blob, Get Blob, Delete Blob) in the local emulator's path style
// (/account/container/blob), enforces If-None-Match: * under a lock, and
// records every request. It checks what our client sends; it is not Azure
// Storage. (The Shared Key signature itself was checked against the Azure
// SDK's signer when the client was written: same Authorization for Put,
// Get and Delete Blob.)
type fakeAzure struct {
	mu       sync.Mutex
	blobs    map[string][]byte
	existErr int // status for a failed If-None-Match: 409 (BlobAlreadyExists) or 412 (ConditionNotMet)
	requests []string
}

func (f *fakeAzure) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := r.Method + " " + r.URL.Path
	if v := r.Header.Get("If-None-Match"); v != "" {
		rec += " If-None-Match: " + v
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "SharedKey devstoreaccount1:") {
		rec += " (unsigned)"
	}
	f.requests = append(f.requests, rec)
	key := r.URL.Path
	switch r.Method {
	case http.MethodPut:
		if r.Header.Get("x-ms-blob-type") != "BlockBlob" || r.URL.RawQuery != "" {
			azureError(w, http.StatusNotImplemented, "NotInFake", "only Put Blob of a block blob is in the fake")
			return
		}
		if _, ok := f.blobs[key]; ok && r.Header.Get("If-None-Match") == "*" {
			if f.existErr == http.StatusPreconditionFailed {
				azureError(w, http.StatusPreconditionFailed, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
			} else {
				azureError(w, http.StatusConflict, "BlobAlreadyExists", "The specified blob already exists.")
			}
			return
		}
		data, err := io.ReadAll(r.Body)
		if err != nil {
			azureError(w, http.StatusBadRequest, "InvalidInput", err.Error())
			return
		}
		f.blobs[key] = data
		w.Header().Set("ETag", fmt.Sprintf("\"0x%X\"", time.Now().UnixNano()))
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusCreated)
	case http.MethodGet:
		data, ok := f.blobs[key]
		if !ok {
			azureError(w, http.StatusNotFound, "BlobNotFound", "The specified blob does not exist.")
			return
		}
		w.Header().Set("x-ms-blob-type", "BlockBlob")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Header().Set("ETag", "\"0x1\"")
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		_, _ = w.Write(data)
	case http.MethodDelete:
		if _, ok := f.blobs[key]; !ok {
			azureError(w, http.StatusNotFound, "BlobNotFound", "The specified blob does not exist.")
			return
		}
		delete(f.blobs, key)
		w.WriteHeader(http.StatusAccepted)
	default:
		azureError(w, http.StatusNotImplemented, "NotInFake", r.Method)
	}
}

func azureError(w http.ResponseWriter, code int, errCode, msg string) {
	w.Header().Set("x-ms-error-code", errCode)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(code)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, errCode, msg)
}

func (f *fakeAzure) takeRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

// startFakeAzure points the azblob:// backend at the fake through the
// local-emulator environment gocloud's azureblob documented, with a shared key (Azurite's
// published development key).
func startFakeAzure(t *testing.T) *fakeAzure {
	fake := &fakeAzure{blobs: map[string][]byte{}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{
		"AZURE_STORAGE_ACCOUNT":              "devstoreaccount1",
		"AZURE_STORAGE_KEY":                  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
		"AZURE_STORAGE_IS_LOCAL_EMULATOR":    "true",
		"AZURE_STORAGE_PROTOCOL":             "http",
		"AZURE_STORAGE_DOMAIN":               strings.TrimPrefix(srv.URL, "http://"),
		"AZURE_STORAGE_SAS_TOKEN":            "",
		"AZURE_STORAGE_CONNECTION_STRING":    "",
		"AZURE_STORAGEBLOB_CONNECTIONSTRING": "",
	} {
		t.Setenv(k, v)
	}
	return fake
}

// The azblob:// backend against the fake, with a shared key.
func TestAzure_fake(t *testing.T) {
	fake := startFakeAzure(t)
	testConformance(t, func(t *testing.T, prefix string) tokencache.Store {
		return openURL(t, "azblob://tokens/conformance/"+prefix)
	})

	// One request per operation, signed with the shared key, and the
	// conditional create is If-None-Match: * on the Put Blob itself.
	ctx := context.Background()
	s := openURL(t, "azblob://tokens/ci")
	fake.takeRequests()
	const base = "/devstoreaccount1/tokens/ci/"
	for _, existErr := range []int{http.StatusConflict, http.StatusPreconditionFailed} {
		fake.existErr = existErr
		checkRequests(t, fmt.Sprintf("existing blob answers %d, ", existErr), []requestStep{
			{func() error { _, err := s.Read(ctx, entry, 10); return err }, tokencache.ErrNotExist, "GET " + base + entry},
			{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, nil, "PUT " + base + lease + " If-None-Match: *"},
			{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, tokencache.ErrExist, "PUT " + base + lease + " If-None-Match: *"},
			{func() error { return s.Write(ctx, entry, []byte("sealed")) }, nil, "PUT " + base + entry},
			{func() error { _, err := s.Read(ctx, entry, 10); return err }, nil, "GET " + base + entry},
			{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + base + lease},
			{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + base + lease},
			{func() error { return s.Delete(ctx, entry) }, nil, "DELETE " + base + entry},
		}, fake.takeRequests)
	}
}

// A failure that is not a miss: an unknown container.
func TestAzure_containerNotFound(t *testing.T) {
	startFakeAzure(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		azureError(w, http.StatusNotFound, "ContainerNotFound", "The specified container does not exist.")
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AZURE_STORAGE_DOMAIN", strings.TrimPrefix(srv.URL, "http://"))
	s := openURL(t, "azblob://tokens/ci")
	_, err := s.Read(context.Background(), entry, 10)
	want := "read " + entry + " in azblob://tokens/ci: HTTP 404 ContainerNotFound"
	if err == nil || errors.Is(err, tokencache.ErrNotExist) || err.Error() != want {
		t.Errorf("Read from a missing container: %v\nwant: %s (and not a miss)", err, want)
	}
}

// Without a storage account there is no service URL; without any
// credential in the environment Open still succeeds (azidentity's default
// chain is only tried on the first request) and that request fails.
func TestAzure_openWithoutAccountOrCredentials(t *testing.T) {
	for _, k := range []string{"AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING",
		"AZURE_STORAGEBLOB_CONNECTIONSTRING", "AZURE_STORAGE_IS_LOCAL_EMULATOR", "AZURE_STORAGE_PROTOCOL", "AZURE_STORAGE_DOMAIN",
		"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("PATH", tempdir.New(t)) // no az or azd CLI to ask
	loc, err := Parse("azblob://tokens/ci")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), loc, Options{})
	want := "open azblob://tokens/ci: no Azure storage account: add ?storage_account=NAME to token_cache_url or set AZURE_STORAGE_ACCOUNT"
	if err == nil || err.Error() != want {
		t.Errorf("Open without an account: %v\nwant: %s", err, want)
	}

	loc, err = Parse("azblob://tokens/ci?storage_account=zohotest")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), loc, Options{})
	if err != nil {
		t.Fatalf("Open with an account and no credential: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = s.Read(ctx, entry, 10)
	if err == nil || errors.Is(err, tokencache.ErrNotExist) {
		t.Fatalf("Read without a credential: %v, want a failure that is not a miss", err)
	}
	t.Logf("no credential: %v", err)
}

// fakeCredential is an azcore.TokenCredential that counts its calls.
type fakeCredential struct {
	mu     sync.Mutex
	calls  int
	scopes []string
}

func (c *fakeCredential) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.scopes = o.Scopes
	return azcore.AccessToken{Token: fmt.Sprintf("bearer-token-%d", c.calls), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// With DefaultAzureCredential's token (here a stand-in credential), every
// request carries it as a bearer token for Azure Storage's scope, the
// token is asked for once while it is valid, and a refusal does not repeat
// it.
func TestAzure_bearerToken(t *testing.T) {
	fake := &fakeAzure{blobs: map[string][]byte{}}
	var mu sync.Mutex
	var auth []string
	deny := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization")+" "+r.Header.Get("x-ms-version"))
		d := deny
		mu.Unlock()
		if d {
			azureError(w, http.StatusForbidden, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.")
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cred := &fakeCredential{}
	loc, err := Parse("azblob://tokens/ci")
	if err != nil {
		t.Fatal(err)
	}
	api := &azureAPI{client: srv.Client(), account: "devstoreaccount1", token: &azureTokens{cred: cred},
		container: url.URL{Scheme: "http", Host: strings.TrimPrefix(srv.URL, "http://"), Path: "/devstoreaccount1/tokens"}}
	s := newObjectStore(api, loc)
	ctx := context.Background()
	mustWrite(t, s, entry, []byte("sealed"))
	expectContent(t, s, entry, []byte("sealed"))
	want := "Bearer bearer-token-1 " + azureVersion
	mu.Lock()
	defer mu.Unlock()
	if len(auth) != 2 || auth[0] != want || auth[1] != want {
		t.Errorf("requests carried %q, want twice %q", auth, want)
	}
	if cred.calls != 1 || len(cred.scopes) != 1 || cred.scopes[0] != "https://storage.azure.com/.default" {
		t.Errorf("credential asked %d times for %q, want once for https://storage.azure.com/.default", cred.calls, cred.scopes)
	}
	deny = true
	mu.Unlock()
	_, err = s.Read(ctx, entry, 10)
	mu.Lock()
	wantErr := "read " + entry + " in azblob://tokens/ci: HTTP 403 AuthorizationPermissionMismatch"
	if err == nil || err.Error() != wantErr {
		t.Errorf("Read refused: %v\nwant: %s", err, wantErr)
	}
}
