package apiproxy_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// Requests the proxy must refuse, each proved unforwarded by the
// emulator's count of API calls.
func TestRefusedRequestsReachNothing(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	p := v.start(v.api, nil)
	host := hostOf(p)
	path := strings.TrimPrefix(p.URL(), "http://"+host) + "crm/v8/users"
	port := host[strings.LastIndex(host, ":")+1:]
	cases := []struct {
		name    string
		request string
		status  int
	}{
		{"no prefix", "GET /crm/v8/users HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusNotFound},
		{"another prefix", "GET /0123456789abcdef0123456789abcdef/crm/v8/users HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusNotFound},
		{"prefix without its slash", "GET " + strings.TrimSuffix(path, "/crm/v8/users") + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusNotFound},
		{"prefix cut short", "GET " + path[:20] + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusNotFound},
		{"foreign Host (DNS rebinding)", "GET " + path + " HTTP/1.1\r\nHost: evil.example:" + port + "\r\n\r\n", http.StatusMisdirectedRequest},
		{"Host without the port", "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", http.StatusMisdirectedRequest},
		{"Host on another port", "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n", http.StatusMisdirectedRequest},
		{"Host of another loopback address", "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.2:" + port + "\r\n\r\n", http.StatusMisdirectedRequest},
		{"absolute-form to another host", "GET http://example.com" + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusBadRequest},
		{"absolute-form to the proxy itself", "GET http://" + host + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusBadRequest},
		{"asterisk-form", "GET * HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusBadRequest},
		{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", http.StatusMethodNotAllowed},
		{"CONNECT to the proxy's own address", "CONNECT " + host + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusMethodNotAllowed},
		{"dot-dot segment", "GET " + strings.Replace(path, "/crm/", "/crm/../", 1) + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusBadRequest},
		{"escaped dot-dot segment", "GET " + strings.Replace(path, "/crm/", "/crm/%2e%2E/", 1) + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusBadRequest},
		{"dot segment", "GET " + strings.Replace(path, "/crm/", "/./crm/", 1) + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := v.upstreamHits()
			resp := rawExchange(t, p, tc.request)
			if resp.StatusCode != tc.status {
				t.Errorf("answered %d, want %d", resp.StatusCode, tc.status)
			}
			if got := v.upstreamHits() - before; got != 0 {
				t.Errorf("upstream reached %d times, want 0", got)
			}
		})
	}
	if mints, _ := v.src.counts(); mints != 0 {
		t.Errorf("%d tokens minted for refused requests, want 0", mints)
	}
	if n := v.logs.count("refused a request"); n != len(cases) {
		t.Errorf("%d refusals logged, want %d", n, len(cases))
	}
	// The proxy's own names for itself work.
	for _, h := range []string{host, "LOCALHOST:" + port} {
		resp := rawExchange(t, p, "GET "+path+"?type=CurrentUser HTTP/1.1\r\nHost: "+h+"\r\n\r\n")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("Host %s: answered %d, want 200", h, resp.StatusCode)
		}
	}
}

// The client's credentials and forwarding headers never reach upstream;
// the proxy's token does, in Zoho's scheme.
func TestClientCredentialsAreDropped(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	var got http.Header
	upstream := v.protected(func(_ http.ResponseWriter, r *http.Request) { got = r.Header.Clone() })
	p := v.start(upstream, nil)
	req := newRequest(t, http.MethodGet, p.URL()+"x", nil)
	for k, val := range map[string]string{
		"Authorization":       "Zoho-oauthtoken 1000.client.own",
		"Proxy-Authorization": "Basic dXNlcjpwYXNz",
		"Cookie":              "ZCNEWUIPUBLICPORTAL=true; iamcsr=abc",
		"X-Forwarded-For":     "203.0.113.9",
		"X-Forwarded-Host":    "evil.example",
		"Forwarded":           "for=203.0.113.9;host=evil.example",
		"Upgrade":             "websocket",
		"Connection":          "Upgrade",
		"X-Custom":            "kept",
	} {
		req.Header.Set(k, val)
	}

	if a := v.do(req); a.status != http.StatusOK {
		t.Fatalf("answered %d %s", a.status, a.body)
	}
	want := "Zoho-oauthtoken " + v.src.current()
	if auth := got.Values("Authorization"); len(auth) != 1 || auth[0] != want {
		t.Errorf("upstream got Authorization %q, want only the proxy's token", auth)
	}
	for _, h := range []string{"Proxy-Authorization", "Cookie", "X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "Upgrade"} {
		if vals := got.Values(h); len(vals) > 0 {
			t.Errorf("upstream got %s: %q", h, vals)
		}
	}
	if got.Get("X-Custom") != "kept" {
		t.Errorf("upstream lost an ordinary header: %v", got)
	}
}

// Whatever the path, the request goes to the upstream host and no other.
func TestOnlyUpstreamIsReached(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	var decoyHits atomic.Int32
	decoy := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { decoyHits.Add(1) }))
	t.Cleanup(decoy.Close)
	decoyHost := strings.TrimPrefix(decoy.URL, "http://")
	var mu sync.Mutex
	var paths []string
	upstream := v.protected(func(_ http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, r.URL.RequestURI())
	})
	p := v.start(upstream+"/base", nil)
	prefix := strings.TrimPrefix(p.URL(), "http://"+hostOf(p))
	forwarded := map[string]string{
		prefix + "/" + decoyHost + "/x":          "/base//" + decoyHost + "/x",
		prefix + "http://" + decoyHost + "/x":    "/base/http://" + decoyHost + "/x",
		prefix + "http:%2F%2F" + decoyHost + "/": "/base/http:%2F%2F" + decoyHost + "/",
		prefix + "@" + decoyHost + "/x":          "/base/@" + decoyHost + "/x",
		prefix + "x?next=http://" + decoyHost:    "/base/x?next=http://" + decoyHost,
	}
	for path, want := range forwarded {
		mu.Lock()
		before := len(paths)
		mu.Unlock()
		resp := rawExchange(t, p, "GET "+path+" HTTP/1.1\r\nHost: "+hostOf(p)+"\r\nX-Forwarded-Host: "+decoyHost+"\r\n\r\n")
		mu.Lock()
		got := paths[before:]
		mu.Unlock()
		if resp.StatusCode != http.StatusOK || len(got) != 1 || got[0] != want {
			t.Errorf("%s: answered %d, upstream got %q, want %q", path, resp.StatusCode, got, want)
		}
	}
	if n := decoyHits.Load(); n != 0 {
		t.Errorf("the decoy was reached %d times", n)
	}
}
