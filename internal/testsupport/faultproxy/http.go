package faultproxy

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// HTTPProxy is a reverse proxy in front of one HTTP(S) server that can
// remove query parameters and headers from requests: a store that ignores
// a conditional write (GCS's ifGenerationMatch, the If-None-Match of S3
// and Azure) is a store that never saw it. Everything else passes as sent,
// the Host header included.
//
// Only unsigned requests survive the removal: GCS against an emulator
// (no credentials) and Azure with a bearer token. S3's SigV4 and Azure's
// Shared Key sign the query and If-None-Match, so the store refuses the
// altered request (403) instead of ignoring the condition.
type HTTPProxy struct {
	srv    *http.Server
	ln     net.Listener
	target *url.URL

	mu          sync.Mutex
	dropQuery   []string
	dropHeaders []string

	requests, altered atomic.Int64
}

// HTTPOptions configures StartHTTP.
type HTTPOptions struct {
	// Transport reaches the upstream; nil means http.DefaultTransport (an
	// https upstream with a private CA needs one that trusts it).
	Transport http.RoundTripper
}

// HTTPStats counts the requests the proxy forwarded.
type HTTPStats struct {
	Requests int64 // requests forwarded
	Altered  int64 // of which a parameter or header was removed
}

// StartHTTP listens on 127.0.0.1 (plain HTTP, a free port) and forwards to
// upstream, a base URL such as http://127.0.0.1:4443. End it with Close.
func StartHTTP(upstream string, opts HTTPOptions) (*HTTPProxy, error) {
	target, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &HTTPProxy{ln: ln, target: target}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			h.strip(pr.Out)
		},
		Transport: opts.Transport,
	}
	h.srv = &http.Server{Handler: rp}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

// NewHTTP starts an HTTPProxy for the test and closes it when the test ends.
func NewHTTP(t testing.TB, upstream string, opts HTTPOptions) *HTTPProxy {
	t.Helper()
	h, err := StartHTTP(upstream, opts)
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// Addr is the proxy's host:port.
func (h *HTTPProxy) Addr() string { return h.ln.Addr().String() }

// URL is the proxy's base URL, http://127.0.0.1:PORT.
func (h *HTTPProxy) URL() string { return "http://" + h.Addr() }

// Strip sets the query parameters and headers removed from every request
// from now on (names compare case-insensitively for headers, exactly for
// query parameters); no names means none.
func (h *HTTPProxy) Strip(queryParams, headers []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropQuery = append([]string(nil), queryParams...)
	h.dropHeaders = append([]string(nil), headers...)
}

// Stats returns the counters.
func (h *HTTPProxy) Stats() HTTPStats {
	return HTTPStats{Requests: h.requests.Load(), Altered: h.altered.Load()}
}

// Close stops the proxy and closes its connections.
func (h *HTTPProxy) Close() error { return h.srv.Close() }

func (h *HTTPProxy) strip(r *http.Request) {
	h.requests.Add(1)
	h.mu.Lock()
	dropQuery, dropHeaders := h.dropQuery, h.dropHeaders
	h.mu.Unlock()
	altered := false
	for _, k := range dropHeaders {
		if _, ok := r.Header[http.CanonicalHeaderKey(k)]; ok {
			r.Header.Del(k)
			altered = true
		}
	}
	if len(dropQuery) > 0 && r.URL.RawQuery != "" {
		// Keep the other parameters byte for byte, in their order.
		parts := strings.Split(r.URL.RawQuery, "&")
		kept := parts[:0]
		for _, part := range parts {
			name, _, _ := strings.Cut(part, "=")
			if n, err := url.QueryUnescape(name); err == nil && slices.Contains(dropQuery, n) {
				altered = true
				continue
			}
			kept = append(kept, part)
		}
		r.URL.RawQuery = strings.Join(kept, "&")
	}
	if altered {
		h.altered.Add(1)
	}
}
