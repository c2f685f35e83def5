package objectstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/faultproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// testFaults runs a store's requests through a fault proxy in front of its
// real server: open returns a Store on objects under prefix that reaches
// the server through addr (host:port). A stalled, refusing or half-failing
// store gives failures that are neither a miss nor a lost race, and a
// deadline ends a stall.
func testFaults(t *testing.T, upstream string, openWith func(t *testing.T, addr, prefix string, opts Options) tokencache.Store) {
	open := func(t *testing.T, addr, prefix string) tokencache.Store { return openWith(t, addr, prefix, Options{}) }
	ctx := context.Background()
	// expectFailure checks err is a failure, not a miss or a lost race.
	expectFailure := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil || errors.Is(err, tokencache.ErrNotExist) || errors.Is(err, tokencache.ErrExist) {
			t.Errorf("%s: %v, want a failure that is neither a miss nor a lost race", what, err)
		}
	}
	// within runs f with a 300 ms deadline: a stall must end with it.
	within := func(t *testing.T, what string, f func(ctx context.Context) error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- f(ctx) }()
		select {
		case err := <-done:
			expectFailure(t, what, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s: %v, want the deadline's error", what, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no answer 10 s after a 300 ms deadline", what)
		}
	}

	t.Run("BlackHole", func(t *testing.T) {
		p := faultproxy.New(t, upstream)
		s := open(t, p.Addr(), "faults-black-hole")
		mustWrite(t, s, entry, []byte("sealed")) // a keep-alive connection that worked
		p.Set(faultproxy.BlackHole())
		within(t, "Read from a black hole", func(ctx context.Context) error { _, err := s.Read(ctx, entry, 100); return err })
		within(t, "CreateIfAbsent in a black hole", func(ctx context.Context) error { return s.CreateIfAbsent(ctx, lease, nil) })
		p.Set(faultproxy.Pass())
		expectContent(t, s, entry, []byte("sealed")) // new connections work again
	})
	// With no deadline of the caller's, the store's own RequestTimeout ends
	// a stall: a black hole costs one timeout, never a hung run.
	t.Run("BlackHoleBoundedByTheStore", func(t *testing.T) {
		p := faultproxy.New(t, upstream)
		p.Set(faultproxy.BlackHole())
		s := openWith(t, p.Addr(), "faults-bounded", Options{RequestTimeout: 300 * time.Millisecond})
		done := make(chan error, 1)
		go func() { _, err := s.Read(context.Background(), entry, 100); done <- err }()
		select {
		case err := <-done:
			expectFailure(t, "Read from a black hole, no deadline", err)
			t.Logf("black hole, no deadline: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("Read from a black hole with a 300 ms RequestTimeout: no answer after 10 s")
		}
	})
	t.Run("Reset", func(t *testing.T) {
		p := faultproxy.New(t, upstream)
		s := open(t, p.Addr(), "faults-reset")
		mustWrite(t, s, entry, []byte("sealed"))
		p.Set(faultproxy.Reset())
		_, err := s.Read(ctx, entry, 100)
		expectFailure(t, "Read through resets", err)
		expectFailure(t, "CreateIfAbsent through resets", s.CreateIfAbsent(ctx, lease, nil))
		expectFailure(t, "Write through resets", s.Write(ctx, entry, []byte("x")))
		t.Logf("reset: %v", err)
		p.Set(faultproxy.Pass())
		expectContent(t, s, entry, []byte("sealed"))
	})
	t.Run("SlowBody", func(t *testing.T) {
		p := faultproxy.New(t, upstream)
		s := open(t, p.Addr(), "faults-slow-body")
		big := bytes.Repeat([]byte("0123456789"), 1000)
		mustWrite(t, s, entry, big)
		p.Set(faultproxy.SlowBody(1000))
		within(t, "Read of 10 kB at 1 kB/s", func(ctx context.Context) error { _, err := s.Read(ctx, entry, int64(len(big))); return err })
		if st := p.Stats(); st.Downstream >= int64(len(big)) {
			t.Errorf("the whole object crossed the proxy (%d bytes) within the deadline", st.Downstream)
		}
	})
	t.Run("Latency", func(t *testing.T) {
		p := faultproxy.New(t, upstream)
		s := open(t, p.Addr(), "faults-latency")
		p.Set(faultproxy.Latency(time.Second))
		within(t, "Read with answers a second late", func(ctx context.Context) error { _, err := s.Read(ctx, entry, 100); return err })
	})
	// Half the requests fail: each creation either happens or fails as a
	// store failure, never as a lost race, and a failed one left nothing.
	t.Run("FailEveryOther", func(t *testing.T) {
		p := faultproxy.New(t, upstream)
		s := open(t, p.Addr(), "faults-half")
		p.Set(faultproxy.FailEvery(2))
		const n = 10
		created := make([]bool, n)
		failed := 0
		for i := range n {
			name := fmt.Sprintf("%s.%d.lease", entry[:64], i)
			err := s.CreateIfAbsent(ctx, name, []byte("x"))
			if err != nil {
				expectFailure(t, "CreateIfAbsent of a new name", err)
				failed++
				continue
			}
			created[i] = true
		}
		// Some fail, unless the client retried them (the AWS SDK does).
		if failed == n || failed == 0 && p.Stats().Resets == 0 {
			t.Errorf("%d of %d creations failed through FailEvery(2) (%+v), want some and not all, or retries", failed, n, p.Stats())
		}
		p.Set(faultproxy.Pass())
		for i := range n {
			name := fmt.Sprintf("%s.%d.lease", entry[:64], i)
			_, err := s.Read(ctx, name, 10)
			if created[i] != (err == nil) || !created[i] && !errors.Is(err, tokencache.ErrNotExist) {
				t.Errorf("creation %d: succeeded %v, then Read: %v", i, created[i], err)
			}
		}
		st := p.Stats()
		t.Logf("FailEvery(2): %d of %d creations failed; proxy: %+v", failed, n, st)
	})
}
