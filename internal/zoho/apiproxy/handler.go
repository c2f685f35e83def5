package apiproxy

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

// droppedHeaders are the client's credentials: a request through the
// proxy acts as the token's owner and nobody else.
var droppedHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}

// exchange is one request's record, shared by the handler, the transport
// (through the request's context) and the log line.
type exchange struct {
	http.ResponseWriter
	status        int
	path, rawPath string // what follows the prefix, decoded and as sent
	replayed      bool
	err           string // why the proxy answered itself, for the log
}

type exchangeKey struct{}

func exchangeOf(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

func (ex *exchange) WriteHeader(code int) {
	if ex.status == 0 && code >= 200 { // 1xx answers come before the real one
		ex.status = code
	}
	ex.ResponseWriter.WriteHeader(code)
}

func (ex *exchange) Write(b []byte) (int, error) {
	if ex.status == 0 {
		ex.status = http.StatusOK
	}
	return ex.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (the reverse proxy's flushes) reach
// the connection's writer.
func (ex *exchange) Unwrap() http.ResponseWriter { return ex.ResponseWriter }

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status, reason := p.refusal(r)
	if status != 0 {
		// The path stays out of the line: it may hold a mistyped prefix.
		p.log(r.Context(), "zoho_api_proxy refused a request", map[string]any{
			"method": r.Method, "status": status, "reason": reason,
		})
		http.Error(w, "zoho_api_proxy: "+reason, status)
		return
	}
	ex := &exchange{ResponseWriter: w}
	ex.rawPath = r.URL.EscapedPath()[len(p.prefix)-1:]
	ex.path, _ = url.PathUnescape(ex.rawPath) // refusal checked it unescapes
	// No protocol switch: a WebSocket or h2c tunnel would bypass the
	// proxy's per-request token.
	r.Header.Del("Upgrade")
	// Deferred: an answer cut off mid-body ends the reverse proxy with a
	// panic (http.ErrAbortHandler), and that request needs its line most.
	defer p.logExchange(r, ex, start)
	p.rp.ServeHTTP(ex, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex)))
}

func (p *Proxy) logExchange(r *http.Request, ex *exchange, start time.Time) {
	fields := map[string]any{
		"method":      r.Method,
		"path":        withoutQueryValues(ex.path, r.URL.RawQuery),
		"status":      ex.status,
		"duration_ms": float64(time.Since(start).Microseconds()) / 1000,
	}
	if ex.replayed {
		fields["replayed"] = true
	}
	if ex.err != "" {
		fields["error"] = ex.err
	}
	p.log(r.Context(), "zoho_api_proxy forwarded a request", fields)
}

// refusal says why r must not be forwarded (status 0: it may).
func (p *Proxy) refusal(r *http.Request) (status int, reason string) {
	switch {
	case r.Method == http.MethodConnect:
		return http.StatusMethodNotAllowed, "CONNECT is not proxied"
	case !strings.HasPrefix(r.RequestURI, "/"):
		return http.StatusBadRequest, "the request target must be a path under the proxy's URL, not an absolute URL"
	case r.Host != p.hosts[0] && !strings.EqualFold(r.Host, p.hosts[1]):
		return http.StatusMisdirectedRequest, "the Host header must be the proxy's own address"
	}
	esc := r.URL.EscapedPath()
	if len(esc) < len(p.prefix) || subtle.ConstantTimeCompare([]byte(esc[:len(p.prefix)]), p.prefix) != 1 {
		return http.StatusNotFound, "no such path: requests go under the proxy's URL"
	}
	rest, err := url.PathUnescape(esc[len(p.prefix)-1:])
	if err != nil {
		return http.StatusBadRequest, "the path is not validly escaped"
	}
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "." || seg == ".." {
			return http.StatusBadRequest, `the path must not have "." or ".." segments`
		}
	}
	return 0, ""
}

// rewrite points the outgoing request at upstream; the reverse proxy has
// already removed hop-by-hop, Forwarded and X-Forwarded-* headers.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	ex := exchangeOf(pr.In.Context())
	pr.Out.URL.Path, pr.Out.URL.RawPath = ex.path, ex.rawPath
	pr.SetURL(p.upstream)
	for _, h := range droppedHeaders {
		pr.Out.Header.Del(h)
	}
}

// proxyError answers when no answer came from upstream; the reverse proxy
// calls it before anything was written.
func (p *Proxy) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	status, text := describe(err)
	if ex := exchangeOf(r.Context()); ex != nil {
		ex.err = logText(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "zoho_api_proxy: "+text, status)
}

// withoutQueryValues is path with the query's keys but not its values,
// which may be personal data ("email=...").
func withoutQueryValues(path, rawQuery string) string {
	if rawQuery == "" {
		return path
	}
	var b strings.Builder
	b.WriteString(path)
	sep := byte('?')
	for part := range strings.SplitSeq(rawQuery, "&") {
		key, _, _ := strings.Cut(part, "=")
		b.WriteByte(sep)
		b.WriteString(key)
		b.WriteByte('=')
		sep = '&'
	}
	return b.String()
}
