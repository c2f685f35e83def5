package objectstore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// fakeGCS speaks the part of the Cloud Storage JSON and XML APIs the Go
// client uses for our four operations (multipart upload, media GET,
// object DELETE), with ifGenerationMatch=0 enforced under a lock, and
// records every request. It checks our use of the library and what the
// library sends; it is not Cloud Storage.
type fakeGCS struct {
	mu       sync.Mutex
	objects  map[string][]byte // "bucket/name"
	gen      int64
	requests []string // "METHOD path?query" with the query's ifGenerationMatch only
}

func (f *fakeGCS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cond := ""
	if v, ok := r.URL.Query()["ifGenerationMatch"]; ok {
		cond = " ifGenerationMatch=" + strings.Join(v, ",")
	}
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+cond)
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/upload/storage/v1/b/"):
		f.upload(w, r)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/storage/v1/b/"):
		bucket, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/storage/v1/b/"), "/o/")
		key := bucket + "/" + name
		if _, ok := f.objects[key]; !ok {
			gcsError(w, http.StatusNotFound, "No such object: "+key)
			return
		}
		delete(f.objects, key)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet:
		// The client reads media through the XML API: GET /bucket/name.
		key := strings.TrimPrefix(r.URL.Path, "/")
		data, ok := f.objects[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Header().Set("X-Goog-Generation", strconv.FormatInt(f.gen, 10))
		_, _ = w.Write(data)
	default:
		gcsError(w, http.StatusNotImplemented, "not in the fake: "+r.Method+" "+r.URL.Path)
	}
}

func (f *fakeGCS) upload(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("uploadType") != "multipart" {
		gcsError(w, http.StatusNotImplemented, "only multipart uploads are in the fake")
		return
	}
	bucket := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/upload/storage/v1/b/"), "/o")
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		gcsError(w, http.StatusBadRequest, err.Error())
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var meta struct {
		Name string `json:"name"`
	}
	part, err := mr.NextPart()
	if err == nil {
		err = json.NewDecoder(part).Decode(&meta)
	}
	var data []byte
	if err == nil {
		part, err = mr.NextPart()
		if err == nil {
			data, err = io.ReadAll(part)
		}
	}
	if err != nil {
		gcsError(w, http.StatusBadRequest, "multipart body: "+err.Error())
		return
	}
	key := bucket + "/" + meta.Name
	if _, exists := f.objects[key]; exists && r.URL.Query().Get("ifGenerationMatch") == "0" {
		gcsError(w, http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold.")
		return
	}
	f.gen++
	f.objects[key] = data
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"bucket": bucket, "name": meta.Name, "generation": strconv.FormatInt(f.gen, 10), "size": strconv.Itoa(len(data)),
	})
}

func gcsError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

func (f *fakeGCS) takeRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

// The gs:// backend through gocloud's gcsblob and Google's client, pointed
// at fakeGCS with STORAGE_EMULATOR_HOST.
func TestGCS_fake(t *testing.T) {
	fake := &fakeGCS{objects: map[string][]byte{}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL, "http://"))
	testConformance(t, func(t *testing.T, prefix string) tokencache.Store {
		return openURL(t, "gs://zoho-cache/conformance/"+prefix)
	})

	// One request per operation, and the conditional create is the
	// generation-match-0 precondition on the upload itself.
	ctx := context.Background()
	s := openURL(t, "gs://zoho-cache/ci")
	fake.takeRequests()
	const obj = "/zoho-cache/o"
	steps := []struct {
		do   func() error
		want string
	}{
		{func() error { _, err := s.Read(ctx, entry, 10); return err }, "GET /zoho-cache/ci/" + entry},
		{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, "POST /upload/storage/v1/b" + obj + " ifGenerationMatch=0"},
		{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, "POST /upload/storage/v1/b" + obj + " ifGenerationMatch=0"},
		{func() error { return s.Write(ctx, entry, []byte("sealed")) }, "POST /upload/storage/v1/b" + obj},
		{func() error { _, err := s.Read(ctx, entry, 10); return err }, "GET /zoho-cache/ci/" + entry},
		{func() error { return s.Delete(ctx, lease) }, "DELETE /storage/v1/b/zoho-cache/o/ci/" + lease},
		{func() error { return s.Delete(ctx, lease) }, "DELETE /storage/v1/b/zoho-cache/o/ci/" + lease},
	}
	wantErr := []error{tokencache.ErrNotExist, nil, tokencache.ErrExist, nil, nil, nil, nil}
	for i, st := range steps {
		err := st.do()
		if (wantErr[i] == nil) != (err == nil) || wantErr[i] != nil && !errors.Is(err, wantErr[i]) {
			t.Errorf("step %d: %v, want %v", i, err, wantErr[i])
		}
		got := fake.takeRequests()
		if len(got) != 1 || got[0] != st.want {
			t.Errorf("step %d sent %q, want exactly [%q]", i, got, st.want)
		}
	}
}

// Outside an emulator, Open needs Application Default Credentials and says
// so when there are none (it sends no request to Cloud Storage).
func TestGCS_openWithoutCredentials(t *testing.T) {
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("HOME", t.TempDir())            // no gcloud well-known file
	t.Setenv("CLOUDSDK_CONFIG", t.TempDir()) // nor through gcloud's own variable
	loc, err := Parse("gs://zoho-cache/ci")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), loc)
	if err == nil {
		t.Skip("this machine has Google credentials (a GCE metadata server or a well-known file)")
	}
	if !strings.HasPrefix(err.Error(), "open gs://zoho-cache/ci: ") || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("Open without credentials: %v, want an open error about credentials", err)
	}
	t.Logf("no credentials: %v", err)
}
