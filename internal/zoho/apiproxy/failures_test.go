package apiproxy_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/apiproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// failingSource fails every Token call with err.
type failingSource struct{ err error }

func (s failingSource) Token(context.Context) (*zoho.Token, error) { return nil, s.err }
func (failingSource) Invalidate(context.Context, string)           {}

// A token source failure answers 503 with a line naming it by its type and
// code, never the source's free text; nothing goes upstream.
func TestTokenSourceFailures(t *testing.T) {
	const secretish = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"throttled", &zoho.Error{Op: zoho.OpRefresh, Code: zoho.CodeThrottled, Raw: "Access Denied", Description: secretish},
			"access token refresh: Zoho throttled minting"},
		{"refused", &zoho.Error{Op: zoho.OpRefresh, Code: zoho.CodeInvalidClient, Raw: "invalid_client " + secretish},
			"access token refresh: Zoho answered invalid_client"},
		{"odd answer", &zoho.ResponseError{Op: zoho.OpClientCredentials, StatusCode: 502, Problem: "an HTML page " + secretish},
			"client credentials grant: the accounts server answered HTTP 502"},
		{"no answer", &zoho.TransportError{Op: zoho.OpRefresh, Attempts: 5, Err: errors.New("dial " + secretish)},
			"access token refresh: no answer from the accounts server"},
		{"timeout", &zoho.TransportError{Op: zoho.OpRefresh, Timeout: true, Err: errors.New("timeout")},
			"access token refresh: no answer from the accounts server within request_timeout"},
		{"something else", errors.New("token cache exploded: " + secretish), "the token source failed"},
		{"no token and no error", nil, "the token source failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			p := v.start(v.api, func(c *apiproxy.Config) { c.Tokens = failingSource{tc.err} })
			a := v.get(p.URL() + "crm/v8/users")
			if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "no access token: "+tc.want) {
				t.Errorf("answered %d %q, want 503 naming %q", a.status, a.body, tc.want)
			}
			if strings.Contains(a.body, secretish) {
				t.Errorf("the answer repeats the source's text: %q", a.body)
			}
			if n := v.upstreamHits(); n != 0 {
				t.Errorf("upstream reached %d times", n)
			}
		})
	}
}

// Upstream unreachable answers 502; upstream silent for request_timeout
// answers 504; both logged with the request.
func TestUpstreamFailures(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	_ = ln.Close()
	p := v.start(closed, nil)
	if a := v.get(p.URL() + "x?email=someone@example.com"); a.status != http.StatusBadGateway || !strings.Contains(a.body, "upstream could not be reached") {
		t.Errorf("closed port: %d %q, want 502", a.status, a.body)
	}
	v.settle(p)
	// "connection refused" on Unix, "...actively refused it." on Windows.
	if v.logs.count("path:/x?email=", "status:502", "refused") != 1 || v.logs.count("someone@example.com") != 0 {
		t.Errorf("want one line for the 502, without the query's value:\n%s", strings.Join(v.logs.lines(), "\n"))
	}

	silent := v.protected(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	p = v.start(silent, func(c *apiproxy.Config) { c.RequestTimeout = 200 * time.Millisecond })
	if a := v.get(p.URL() + "x"); a.status != http.StatusGatewayTimeout || !strings.Contains(a.body, "within request_timeout") {
		t.Errorf("silent upstream: %d %q, want 504", a.status, a.body)
	}
}

// An answer whose body stalls is cut off after request_timeout without
// progress, while one that keeps flowing for longer is not.
func TestRequestTimeoutIsAnIdleTimeout(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	const timeout = 300 * time.Millisecond
	upstream := v.protected(func(w http.ResponseWriter, r *http.Request) {
		flusher := w.(http.Flusher)
		for i := range 8 { // 8 x 100 ms: longer than the timeout, never idle that long
			_, _ = io.WriteString(w, "chunk ")
			flusher.Flush()
			if i < 7 {
				time.Sleep(timeout / 3)
			}
		}
		if r.URL.Path == "/stall" {
			<-r.Context().Done()
		}
	})
	p := v.start(upstream, func(c *apiproxy.Config) { c.RequestTimeout = timeout })

	if a := v.get(p.URL() + "flow"); a.status != http.StatusOK || a.body != strings.Repeat("chunk ", 8) {
		t.Errorf("flowing answer: %d %q", a.status, a.body)
	}
	// The client's own deadline only keeps a regression from hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := v.client.Do(newRequest(t, http.MethodGet, p.URL()+"stall", nil).WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil || ctx.Err() != nil || string(body) != strings.Repeat("chunk ", 8) {
		t.Errorf("stalled answer: read %q, %v; want the chunks, then the proxy cutting it off", body, err)
	}
	v.settle(p)
	if v.logs.count("path:/stall", "status:200", "error:reading the answer: "+"no progress from upstream within request_timeout") != 1 {
		t.Errorf("want the cut logged:\n%s", strings.Join(v.logs.lines(), "\n"))
	}
}
