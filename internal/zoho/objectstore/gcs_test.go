package objectstore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/tempdir"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// fakeGCS speaks the part of the Cloud Storage JSON API our client uses
// (media download, media upload, object DELETE), with ifGenerationMatch=0
// enforced under a lock and Cloud Storage's error documents, and records
// every request as "METHOD escaped-path?query". It checks what our client
// sends; it is not Cloud Storage.
type fakeGCS struct {
	mu       sync.Mutex
	objects  map[string][]byte // "bucket/name"
	modified map[string]time.Time
	buckets  map[string]bool
	gen      int64
	requests []string
}

func (f *fakeGCS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := r.Method + " " + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		rec += "?" + r.URL.Query().Encode() // sorted
	}
	if a := r.Header.Get("Authorization"); a != "" {
		rec += " (" + a + ")"
	}
	f.requests = append(f.requests, rec)
	const objects, uploads = "/storage/v1/b/", "/upload/storage/v1/b/"
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, uploads) && strings.HasSuffix(r.URL.Path, "/o"):
		f.upload(w, r, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, uploads), "/o"))
	case strings.HasPrefix(r.URL.EscapedPath(), objects):
		// The object name is one path segment, its slashes escaped.
		bucket, escaped, ok := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), objects), "/o/")
		name, err := url.PathUnescape(escaped)
		if !ok || err != nil || strings.Contains(escaped, "/") {
			gcsError(w, http.StatusBadRequest, "not an object path: "+r.URL.EscapedPath())
			return
		}
		if !f.buckets[bucket] {
			gcsError(w, http.StatusNotFound, "The specified bucket does not exist.")
			return
		}
		key := bucket + "/" + name
		data, exists := f.objects[key]
		switch {
		case !exists && (r.Method == http.MethodGet || r.Method == http.MethodDelete):
			gcsError(w, http.StatusNotFound, "No such object: "+key)
		case r.Method == http.MethodGet && r.URL.Query().Get("alt") == "media":
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Header().Set("X-Goog-Generation", strconv.FormatInt(f.gen, 10))
			w.Header().Set("Last-Modified", f.modified[key].UTC().Format(http.TimeFormat))
			_, _ = w.Write(data)
		case r.Method == http.MethodDelete:
			delete(f.objects, key)
			w.WriteHeader(http.StatusNoContent)
		default:
			gcsError(w, http.StatusNotImplemented, "not in the fake: "+r.Method+" "+r.URL.String())
		}
	default:
		gcsError(w, http.StatusNotImplemented, "not in the fake: "+r.Method+" "+r.URL.Path)
	}
}

func (f *fakeGCS) upload(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	if q.Get("uploadType") != "media" || q.Get("name") == "" {
		gcsError(w, http.StatusNotImplemented, "only media uploads with a name are in the fake")
		return
	}
	if !f.buckets[bucket] {
		gcsError(w, http.StatusNotFound, "The specified bucket does not exist.")
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		gcsError(w, http.StatusBadRequest, err.Error())
		return
	}
	key := bucket + "/" + q.Get("name")
	if _, exists := f.objects[key]; exists && q.Get("ifGenerationMatch") == "0" {
		gcsError(w, http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold.")
		return
	}
	f.gen++
	f.objects[key] = data
	f.modified[key] = time.Now()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"bucket": bucket, "name": q.Get("name"), "generation": strconv.FormatInt(f.gen, 10), "size": strconv.Itoa(len(data)),
	})
}

func gcsError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg,
		"errors": []any{map[string]any{"message": msg, "domain": "global"}}}})
}

func (f *fakeGCS) takeRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

func startFakeGCS(t *testing.T) *fakeGCS {
	fake := &fakeGCS{objects: map[string][]byte{}, modified: map[string]time.Time{}, buckets: map[string]bool{"zoho-cache": true}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL, "http://"))
	return fake
}

// The gs:// backend pointed at fakeGCS with STORAGE_EMULATOR_HOST, which
// sends no credentials.
func TestGCS_fake(t *testing.T) {
	fake := startFakeGCS(t)
	testConformance(t, func(t *testing.T, prefix string) tokencache.Store {
		return openURL(t, "gs://zoho-cache/conformance/"+prefix)
	})

	// One request per operation, and the conditional create is the
	// generation-match-0 precondition on the upload itself.
	ctx := context.Background()
	s := openURL(t, "gs://zoho-cache/ci")
	fake.takeRequests()
	const (
		object = "/storage/v1/b/zoho-cache/o/ci%2F"
		upload = "POST /upload/storage/v1/b/zoho-cache/o?"
	)
	checkRequests(t, "", []requestStep{
		{func() error { _, err := s.Read(ctx, entry, 10); return err }, tokencache.ErrNotExist, "GET " + object + entry + "?alt=media"},
		{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, nil, upload + "ifGenerationMatch=0&name=ci%2F" + lease + "&uploadType=media"},
		{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, tokencache.ErrExist, upload + "ifGenerationMatch=0&name=ci%2F" + lease + "&uploadType=media"},
		{func() error { return s.Write(ctx, entry, []byte("sealed")) }, nil, upload + "name=ci%2F" + entry + "&uploadType=media"},
		{func() error { _, err := s.Read(ctx, entry, 10); return err }, nil, "GET " + object + entry + "?alt=media"},
		{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + object + lease},
		{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + object + lease},
	}, fake.takeRequests)
}

// A missing bucket and a denial are failures, not misses, and say what
// Cloud Storage said.
func TestGCS_failures(t *testing.T) {
	startFakeGCS(t)
	s := openURL(t, "gs://no-such-bucket/ci")
	_, err := s.Read(context.Background(), entry, 10)
	want := "read " + entry + " in gs://no-such-bucket/ci: HTTP 404: The specified bucket does not exist."
	if err == nil || errors.Is(err, tokencache.ErrNotExist) || err.Error() != want {
		t.Errorf("Read from a missing bucket: %v\nwant: %s (and not a miss)", err, want)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		gcsError(w, http.StatusForbidden, "ci@example.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object.")
	}))
	t.Cleanup(srv.Close)
	t.Setenv("STORAGE_EMULATOR_HOST", srv.URL)
	s = openURL(t, "gs://zoho-cache/ci")
	err = s.CreateIfAbsent(context.Background(), lease, nil)
	want = "create " + lease + " in gs://zoho-cache/ci: HTTP 403: ci@example.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object."
	if err == nil || errors.Is(err, tokencache.ErrExist) || err.Error() != want {
		t.Errorf("CreateIfAbsent denied: %v\nwant: %s (and not a lost race)", err, want)
	}

	// An upload's 404 is a missing bucket whatever its message says (as
	// fake-gcs-server answers it): never a miss.
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		gcsError(w, http.StatusNotFound, "Not Found")
	}))
	t.Cleanup(srv.Close)
	t.Setenv("STORAGE_EMULATOR_HOST", srv.URL)
	s = openURL(t, "gs://zoho-cache/ci")
	for op, err := range map[string]error{
		"Write":          s.Write(context.Background(), entry, []byte("x")),
		"CreateIfAbsent": s.CreateIfAbsent(context.Background(), lease, nil),
	} {
		if err == nil || errors.Is(err, tokencache.ErrNotExist) || errors.Is(err, tokencache.ErrExist) || !strings.Contains(err.Error(), "HTTP 404: Not Found") {
			t.Errorf("%s answered a bare 404: %v, want a failure that is neither a miss nor a lost race", op, err)
		}
	}
}

// Outside an emulator, Open needs Application Default Credentials and says
// so when there are none (it sends no request to Cloud Storage).
func TestGCS_openWithoutCredentials(t *testing.T) {
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("HOME", tempdir.New(t))            // no gcloud well-known file
	t.Setenv("CLOUDSDK_CONFIG", tempdir.New(t)) // nor through gcloud's own variable
	loc, err := Parse("gs://zoho-cache/ci")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), loc, Options{})
	if err == nil {
		t.Skip("this machine has Google credentials (a GCE metadata server or a well-known file)")
	}
	if !strings.HasPrefix(err.Error(), "open gs://zoho-cache/ci: ") || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("Open without credentials: %v, want an open error about credentials", err)
	}
	t.Logf("no credentials: %v", err)
}
