package gcsserver

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStart_withoutBinary(t *testing.T) {
	t.Setenv(EnvBinary, "")
	_, err := Start(context.Background(), Options{})
	want := "no fake-gcs-server binary: set ZOHO_TEST_FAKEGCS to its path (scripts/tool.sh fakegcs builds it)"
	if err == nil || err.Error() != want {
		t.Errorf("Start without a binary: %v\nwant: %s", err, want)
	}
}

// call sends one request to the server and returns its status, headers
// and body.
func call(t *testing.T, method, url, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// The facts the package doc states, on the JSON API requests the gs://
// store sends.
func TestServerFacts(t *testing.T) {
	srv := New(t)
	upload := func(name string, ifAbsent bool) string {
		u := srv.Endpoint + "/upload/storage/v1/b/" + srv.Bucket + "/o?uploadType=media&name=" + name
		if ifAbsent {
			u += "&ifGenerationMatch=0"
		}
		return u
	}
	media := srv.Endpoint + "/storage/v1/b/" + srv.Bucket + "/o/"

	before := time.Now().Add(-time.Second).Truncate(time.Second)
	if code, _, body := call(t, http.MethodPost, upload("lease", true), "one"); code != http.StatusOK {
		t.Fatalf("first create: HTTP %d %s", code, body)
	}
	code, _, body := call(t, http.MethodPost, upload("lease", true), "two")
	if code != http.StatusPreconditionFailed {
		t.Errorf("create over an object: HTTP %d %s, want 412", code, body)
	}
	t.Logf("create over an object: HTTP %d %s", code, body)

	code, h, body := call(t, http.MethodGet, media+"lease?alt=media", "")
	if code != http.StatusOK || body != "one" {
		t.Fatalf("download: HTTP %d %q, want the first write", code, body)
	}
	after := time.Now().Add(time.Second)
	for _, name := range []string{"Last-Modified", "Date"} {
		v, err := http.ParseTime(h.Get(name))
		if err != nil || v.Before(before) || v.After(after) {
			t.Errorf("download's %s: %q (%v), want a time between %v and %v", name, h.Get(name), err, before, after)
		}
	}
	gen, err := strconv.ParseInt(h.Get("X-Goog-Generation"), 10, 64)
	if err != nil || gen < before.UnixMicro() || gen > after.UnixMicro() {
		t.Errorf("download's X-Goog-Generation: %q, want microseconds since the epoch at the write", h.Get("X-Goog-Generation"))
	}
	t.Logf("download headers: Last-Modified %q, Date %q, X-Goog-Generation %q, ETag %q",
		h.Get("Last-Modified"), h.Get("Date"), h.Get("X-Goog-Generation"), h.Get("ETag"))

	code, _, body = call(t, http.MethodGet, media+"missing?alt=media", "")
	if code != http.StatusNotFound {
		t.Errorf("download of a missing object: HTTP %d %s, want 404", code, body)
	}
	t.Logf("missing object: HTTP %d %q", code, body)
	code, _, body = call(t, http.MethodGet, srv.Endpoint+"/storage/v1/b/no-such-bucket/o/x?alt=media", "")
	t.Logf("missing bucket, download: HTTP %d %q", code, body)
	code, _, body = call(t, http.MethodPost, srv.Endpoint+"/upload/storage/v1/b/no-such-bucket/o?uploadType=media&name=x", "x")
	t.Logf("missing bucket, upload: HTTP %d %q", code, body)
	code, _, body = call(t, http.MethodDelete, media+"missing", "")
	t.Logf("delete of a missing object: HTTP %d %q", code, body)

	// Concurrent creators: exactly one wins.
	for round := range 5 {
		const n = 16
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _, _ = call(t, http.MethodPost, upload("race"+strconv.Itoa(round), true), strconv.Itoa(i))
			}()
		}
		wg.Wait()
		won := 0
		for _, c := range codes {
			switch c {
			case http.StatusOK:
				won++
			case http.StatusPreconditionFailed:
			default:
				t.Errorf("round %d: a creator got HTTP %d", round, c)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d of %d creators won, want 1", round, won, n)
		}
	}
}

// Start and Stop leave no process and no directory behind.
func TestNew(t *testing.T) {
	srv := New(t)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") || srv.Host != strings.TrimPrefix(srv.Endpoint, "http://") {
		t.Errorf("Endpoint %q, Host %q", srv.Endpoint, srv.Host)
	}
	if got := srv.URL("/ci/zoho/"); got != "gs://zoho-cache/ci/zoho" {
		t.Errorf("URL = %q", got)
	}
	if got := srv.URL(""); got != "gs://zoho-cache" {
		t.Errorf("URL(\"\") = %q", got)
	}
	if got := srv.Env(); len(got) != 1 || got[0] != "STORAGE_EMULATOR_HOST="+srv.Host {
		t.Errorf("Env = %q", got)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.proc.Exited():
	default:
		t.Error("fake-gcs-server still runs after Stop")
	}
	if _, err := os.Stat(srv.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stop left %s: %v", srv.dir, err)
	}
}
