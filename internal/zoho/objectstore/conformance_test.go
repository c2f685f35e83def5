package objectstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// opener returns a Store on one backend with objects under prefix; stores
// with different prefixes share the backend.
type opener func(t *testing.T, prefix string) tokencache.Store

// Names the cache uses: an entry and a lease.
const (
	entry = "3f2a9c0b1d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8.token"
	lease = "3f2a9c0b1d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8.lease"
)

// testConformance checks the tokencache.Store contract on one backend.
// Each case has a prefix of its own, so cases cannot see each other.
func testConformance(t *testing.T, open opener) {
	ctx := context.Background()
	t.Run("ReadMissing", func(t *testing.T) {
		s := open(t, "read-missing")
		_, err := s.Read(ctx, entry, 1024)
		if !errors.Is(err, tokencache.ErrNotExist) {
			t.Fatalf("Read of a missing object: %v, want ErrNotExist", err)
		}
		if errors.Is(err, tokencache.ErrExist) {
			t.Errorf("Read of a missing object also matches ErrExist: %v", err)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t, "round-trip")
		want := []byte("sealed\x00entry\xff")
		mustWrite(t, s, entry, want)
		expectContent(t, s, entry, want)
	})
	t.Run("Overwrite", func(t *testing.T) {
		s := open(t, "overwrite")
		mustWrite(t, s, entry, []byte("first, and longer than the second"))
		mustWrite(t, s, entry, []byte("second"))
		expectContent(t, s, entry, []byte("second"))
	})
	t.Run("CreateIfAbsentTwice", func(t *testing.T) {
		s := open(t, "create-twice")
		if err := s.CreateIfAbsent(ctx, lease, []byte("one")); err != nil {
			t.Fatalf("first CreateIfAbsent: %v", err)
		}
		err := s.CreateIfAbsent(ctx, lease, []byte("two"))
		if !errors.Is(err, tokencache.ErrExist) {
			t.Fatalf("second CreateIfAbsent: %v, want ErrExist", err)
		}
		expectContent(t, s, lease, []byte("one"))
	})
	t.Run("CreateIfAbsentEmpty", func(t *testing.T) {
		s := open(t, "create-empty")
		if err := s.CreateIfAbsent(ctx, lease, nil); err != nil {
			t.Fatalf("CreateIfAbsent of an empty lease: %v", err)
		}
		expectContent(t, s, lease, []byte{})
		if err := s.CreateIfAbsent(ctx, lease, nil); !errors.Is(err, tokencache.ErrExist) {
			t.Fatalf("second CreateIfAbsent of an empty lease: %v, want ErrExist", err)
		}
	})
	t.Run("CreateIfAbsentOverWrite", func(t *testing.T) {
		s := open(t, "create-over-write")
		mustWrite(t, s, entry, []byte("written"))
		if err := s.CreateIfAbsent(ctx, entry, []byte("created")); !errors.Is(err, tokencache.ErrExist) {
			t.Fatalf("CreateIfAbsent over a written object: %v, want ErrExist", err)
		}
		expectContent(t, s, entry, []byte("written"))
	})
	t.Run("CreateIfAbsentConcurrent", func(t *testing.T) {
		s := open(t, "create-concurrent")
		const n = 20
		errs := make([]error, n)
		took := make([]time.Duration, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				t0 := time.Now()
				errs[i] = s.CreateIfAbsent(ctx, lease, []byte(fmt.Sprintf("writer %02d", i)))
				took[i] = time.Since(t0)
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Errorf("writers %d and %d both won", winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, tokencache.ErrExist):
				t.Errorf("writer %d: %v, want nil or ErrExist", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no writer won")
		}
		expectContent(t, s, lease, []byte(fmt.Sprintf("writer %02d", winner)))
		slowest := time.Duration(0)
		for _, d := range took {
			slowest = max(slowest, d)
		}
		t.Logf("%d concurrent CreateIfAbsent: writer %d won in %v; the slowest answer took %v", n, winner, took[winner].Round(time.Millisecond), slowest.Round(time.Millisecond))
	})
	t.Run("Delete", func(t *testing.T) {
		s := open(t, "delete")
		if err := s.Delete(ctx, entry); err != nil {
			t.Fatalf("Delete of a missing object: %v, want nil", err)
		}
		if err := s.CreateIfAbsent(ctx, lease, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, lease); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Read(ctx, lease, 10); !errors.Is(err, tokencache.ErrNotExist) {
			t.Fatalf("Read after Delete: %v, want ErrNotExist", err)
		}
		// A deleted lease can be taken again: that is how a lease ends.
		if err := s.CreateIfAbsent(ctx, lease, nil); err != nil {
			t.Fatalf("CreateIfAbsent after Delete: %v", err)
		}
	})
	t.Run("ReadBounded", func(t *testing.T) {
		s := open(t, "read-bounded")
		big := bytes.Repeat([]byte("0123456789"), 1000)
		mustWrite(t, s, entry, big)
		got, err := s.Read(ctx, entry, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, big[:101]) {
			t.Errorf("Read with limit 100 of a %d-byte object returned %d bytes, want the first 101", len(big), len(got.Data))
		}
		got, err = s.Read(ctx, entry, int64(len(big)))
		if err != nil || len(got.Data) != len(big) {
			t.Errorf("Read with limit = size returned %d bytes, %v; want all %d", len(got.Data), err, len(big))
		}
	})
	t.Run("StoreClock", func(t *testing.T) {
		// The cache measures ages on the store's clock: Last-Modified
		// against Date (a file's mtime against the file system's clock).
		s := open(t, "store-clock")
		mustWrite(t, s, entry, []byte("x"))
		got, err := s.Read(ctx, entry, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got.Modified.IsZero() || got.StoreNow.IsZero() {
			t.Fatalf("Read gave Modified %v and StoreNow %v; the store's clock is needed for both", got.Modified, got.StoreNow)
		}
		// HTTP dates are whole seconds, hence the second of slack.
		if age := got.StoreNow.Sub(got.Modified); age < -time.Second || age > time.Minute {
			t.Errorf("an object just written is %s old by the store's clock", age)
		}
	})
	t.Run("PrefixIsolation", func(t *testing.T) {
		a, b := open(t, "isolation-a"), open(t, "isolation-b")
		mustWrite(t, a, entry, []byte("a's"))
		if _, err := b.Read(ctx, entry, 100); !errors.Is(err, tokencache.ErrNotExist) {
			t.Fatalf("another prefix reads the object: %v, want ErrNotExist", err)
		}
		if err := b.CreateIfAbsent(ctx, entry, []byte("b's")); err != nil {
			t.Fatalf("CreateIfAbsent under another prefix: %v", err)
		}
		if err := b.Delete(ctx, entry); err != nil {
			t.Fatal(err)
		}
		expectContent(t, a, entry, []byte("a's"))
	})
	t.Run("InvalidNames", func(t *testing.T) {
		s := open(t, "invalid-names")
		for _, name := range []string{"", ".", "..", "../x.token", "a/b.token", ".hidden", "x..token", "x/../y", "x\x00y"} {
			_, err := s.Read(ctx, name, 10)
			if err == nil || errors.Is(err, tokencache.ErrNotExist) {
				t.Errorf("Read(%q): %v, want an invalid-name error", name, err)
			}
			for op, f := range map[string]func() error{
				"Write":          func() error { return s.Write(ctx, name, nil) },
				"CreateIfAbsent": func() error { return s.CreateIfAbsent(ctx, name, nil) },
				"Delete":         func() error { return s.Delete(ctx, name) },
			} {
				if err := f(); err == nil {
					t.Errorf("%s(%q) succeeded", op, name)
				}
			}
		}
	})
	t.Run("CanceledContext", func(t *testing.T) {
		s := open(t, "canceled")
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, ok := s.(*fileStore); ok {
			t.Skip("the file system does not take a context")
		}
		_, err := s.Read(ctx, entry, 10)
		if !errors.Is(err, context.Canceled) || errors.Is(err, tokencache.ErrNotExist) {
			t.Errorf("Read with a canceled context: %v, want context.Canceled", err)
		}
	})
}

func mustWrite(t *testing.T, s tokencache.Store, name string, data []byte) {
	t.Helper()
	if err := s.Write(context.Background(), name, data); err != nil {
		t.Fatalf("Write(%s): %v", name, err)
	}
}

func expectContent(t *testing.T, s tokencache.Store, name string, want []byte) {
	t.Helper()
	got, err := s.Read(context.Background(), name, 1<<20)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	if !bytes.Equal(got.Data, want) {
		t.Errorf("Read(%s) = %q, want %q", name, got.Data, want)
	}
}

// openURL parses and opens a token_cache_url, failing the test on error.
func openURL(t *testing.T, raw string, opts ...Options) tokencache.Store {
	t.Helper()
	loc, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse(%q): %v", raw, err)
	}
	s, err := Open(context.Background(), loc, append(opts, Options{})[0])
	if err != nil {
		t.Fatalf("Open(%s): %v", loc, err)
	}
	return s
}

// requestStep is one Store call of a request-shape test, the error it must
// return (nil, ErrNotExist, ErrExist) and the one request it must send.
type requestStep struct {
	do      func() error
	wantErr error
	want    string
}

// checkRequests runs steps in order against a fake whose takeRequests
// returns what reached it since the last call, and checks each step sent
// exactly its one request.
func checkRequests(t *testing.T, label string, steps []requestStep, takeRequests func() []string) {
	t.Helper()
	for i, st := range steps {
		err := st.do()
		if (st.wantErr == nil) != (err == nil) || st.wantErr != nil && !errors.Is(err, st.wantErr) {
			t.Errorf("%sstep %d: %v, want %v", label, i, err, st.wantErr)
		}
		got := takeRequests()
		if len(got) != 1 || got[0] != st.want {
			t.Errorf("%sstep %d sent %q, want exactly [%q]", label, i, got, st.want)
		}
	}
}

// recordingProxy is a reverse proxy in front of endpoint that records a
// line per request (line(r)); take returns the lines since its last call.
func recordingProxy(t *testing.T, endpoint string, line func(*http.Request) string) (proxyURL string, take func() []string) {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, line(r))
		mu.Unlock()
		proxy.ServeHTTP(w, r) // Host stays the proxy's, which an S3 signature covers
	}))
	t.Cleanup(rec.Close)
	return rec.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		r := seen
		seen = nil
		return r
	}
}

// pathAndIfNoneMatch is a request's method, path and If-None-Match header.
func pathAndIfNoneMatch(r *http.Request) string {
	line := r.Method + " " + r.URL.Path
	if v := r.Header.Get("If-None-Match"); v != "" {
		line += " If-None-Match: " + v
	}
	return line
}
