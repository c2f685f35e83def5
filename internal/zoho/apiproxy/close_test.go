package apiproxy_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/apiproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// Close stops accepting at once but lets a request in flight finish.
func TestCloseLetsRequestsInFlightFinish(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	arrived, release := make(chan struct{}), make(chan struct{})
	upstream := v.protected(func(w http.ResponseWriter, _ *http.Request) {
		close(arrived)
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	p := v.start(upstream, nil)
	answered := make(chan answer, 1)
	go func() { answered <- v.get(p.URL() + "slow") }()
	<-arrived

	closed := make(chan error, 1)
	go func() { closed <- p.Close(context.Background()) }()
	waitUntilRefused(t, hostOf(p))
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v with a request in flight", err)
	default:
	}
	close(release)

	if a := <-answered; a.status != http.StatusOK || a.body != "finished" {
		t.Errorf("the request in flight got %d %q, want its answer", a.status, a.body)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close = %v, want nil", err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v, want the first's nil", err)
	}
}

// A request that never ends does not hold Close beyond its bound, the
// smaller of request_timeout and the context's; the request is cut off and
// its upstream attempt ends.
func TestCloseIsBoundedWhenARequestHangs(t *testing.T) {
	for _, bound := range []string{"request_timeout", "context"} {
		t.Run(bound, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			arrived, upstreamDone := make(chan struct{}), make(chan struct{})
			upstream := v.protected(func(w http.ResponseWriter, r *http.Request) {
				defer close(upstreamDone)
				_, _ = io.WriteString(w, "start;")
				w.(http.Flusher).Flush()
				close(arrived)
				// Progress every 50 ms, forever: no idle timeout ends it.
				for {
					select {
					case <-r.Context().Done():
						return
					case <-time.After(50 * time.Millisecond):
						_, _ = io.WriteString(w, ".")
						w.(http.Flusher).Flush()
					}
				}
			})
			timeout := 300 * time.Millisecond
			ctx := context.Background()
			if bound == "context" {
				timeout = time.Hour
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
				defer cancel()
			}
			p := v.start(upstream, func(c *apiproxy.Config) { c.RequestTimeout = timeout })
			resp, err := v.client.Do(newRequest(t, http.MethodGet, p.URL()+"endless", nil))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			<-arrived

			closed := make(chan error, 1)
			go func() { closed <- p.Close(ctx) }()
			select {
			case err := <-closed:
				if err == nil || !strings.Contains(err.Error(), "cut off") {
					t.Errorf("Close = %v, want an error saying a request was cut off", err)
				}
			case <-time.After(20 * time.Second): // a guard against hanging, not a speed check
				t.Fatal("Close did not return")
			}
			if _, err := io.ReadAll(resp.Body); err == nil {
				t.Error("the endless answer ended cleanly; want it cut off")
			}
			<-upstreamDone
		})
	}
}

// waitUntilRefused waits until nothing accepts connections at addr.
func waitUntilRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		_ = conn.Close()
	}
	t.Fatalf("%s still accepts connections", addr)
}
