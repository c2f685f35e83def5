package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// fakeAzure speaks the part of the Blob service REST API the Azure SDK uses
// for our four operations (Put Blob, Get Blob, Delete Blob) in the local
// emulator's path style (/account/container/blob), enforces If-None-Match:
// * under a lock, and records every request. It checks our use of the
// library and what the library sends; it is not Azure Storage.
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

// startFakeAzure points gocloud's azureblob at the fake through its
// documented local-emulator environment, with a shared key (Azurite's
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

// The azblob:// backend through gocloud's azureblob and the Azure SDK.
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
		steps := []struct {
			do      func() error
			wantErr error
			want    string
		}{
			{func() error { _, err := s.Read(ctx, entry, 10); return err }, tokencache.ErrNotExist, "GET " + base + entry},
			{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, nil, "PUT " + base + lease + " If-None-Match: *"},
			{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, tokencache.ErrExist, "PUT " + base + lease + " If-None-Match: *"},
			{func() error { return s.Write(ctx, entry, []byte("sealed")) }, nil, "PUT " + base + entry},
			{func() error { _, err := s.Read(ctx, entry, 10); return err }, nil, "GET " + base + entry},
			{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + base + lease},
			{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + base + lease},
			{func() error { return s.Delete(ctx, entry) }, nil, "DELETE " + base + entry},
		}
		for i, st := range steps {
			err := st.do()
			if (st.wantErr == nil) != (err == nil) || st.wantErr != nil && !errors.Is(err, st.wantErr) {
				t.Errorf("existing blob answers %d, step %d: %v, want %v", existErr, i, err, st.wantErr)
			}
			got := fake.takeRequests()
			if len(got) != 1 || got[0] != st.want {
				t.Errorf("existing blob answers %d, step %d sent %q, want exactly [%q]", existErr, i, got, st.want)
			}
		}
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
	t.Setenv("PATH", t.TempDir()) // no az or azd CLI to ask
	loc, err := Parse("azblob://tokens/ci")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), loc)
	want := "open azblob://tokens/ci: no Azure storage account: add ?storage_account=NAME to token_cache_url or set AZURE_STORAGE_ACCOUNT"
	if err == nil || err.Error() != want {
		t.Errorf("Open without an account: %v\nwant: %s", err, want)
	}

	loc, err = Parse("azblob://tokens/ci?storage_account=zohotest")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), loc)
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
