package apiproxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-cleanhttp"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// TokenSource hands out access tokens. The provider backs it with its token
// cache (memory, token_cache_dir, token_cache_url, Zoho).
type TokenSource interface {
	// Token returns a token with enough life left for one request.
	Token(ctx context.Context) (*zoho.Token, error)
	// Invalidate says upstream refused accessToken as invalid: the next
	// Token call must not return it.
	Invalidate(ctx context.Context, accessToken string)
}

// LogFunc receives the proxy's log lines with structured fields, never a
// secret.
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

// Config configures a Proxy.
type Config struct {
	// Upstream is where every request goes; CheckUpstream makes one.
	Upstream *url.URL
	Tokens   TokenSource
	// RequestTimeout bounds every wait on upstream without progress, and
	// Close's wait for requests in flight; 0 means
	// zoho.DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxReplayBody is the largest request body buffered so that the
	// request can be sent again after Zoho's invalid-token answer; 0 means
	// DefaultMaxReplayBody, negative never buffers a body.
	MaxReplayBody int64
	// Log gets one line per request; nil drops them.
	Log LogFunc
	// Transport sends the requests upstream; nil means a pooled transport
	// that honours HTTPS_PROXY and NO_PROXY and leaves Accept-Encoding to
	// the client.
	Transport http.RoundTripper
}

// DefaultMaxReplayBody covers every Zoho API request body but uploads.
const DefaultMaxReplayBody = 1 << 20

// Proxy is a running proxy; Close stops it.
type Proxy struct {
	url      string
	prefix   []byte    // "/<32 hex digits>/"
	hosts    [2]string // the Host values accepted: 127.0.0.1:<port>, localhost:<port>
	upstream *url.URL
	timeout  time.Duration
	log      LogFunc
	rp       *httputil.ReverseProxy
	srv      *http.Server
	served   chan error
	// cutOff cancels every request's context: Close's last resort.
	cutOff context.CancelFunc

	closeOnce sync.Once
	closeErr  error
}

// Start listens on 127.0.0.1 at a free port and serves until Close. The
// requests' contexts carry ctx's values (a logger, for Log) but not its
// cancellation: the proxy outlives the call that opens it.
func Start(ctx context.Context, cfg Config) (*Proxy, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	prefix, err := newPrefix()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("zoho_api_proxy: listening on 127.0.0.1: %w", err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	base, cutOff := context.WithCancel(context.WithoutCancel(ctx))
	p := &Proxy{
		url:      "http://127.0.0.1:" + port + prefix,
		prefix:   []byte(prefix),
		hosts:    [2]string{"127.0.0.1:" + port, "localhost:" + port},
		upstream: cfg.Upstream,
		timeout:  cfg.RequestTimeout,
		log:      cfg.Log,
		served:   make(chan error, 1),
		cutOff:   cutOff,
	}
	errorLog := log.New(logWriter{ctx: base, log: cfg.Log}, "", 0)
	p.rp = &httputil.ReverseProxy{
		Rewrite: p.rewrite,
		Transport: &tokenTransport{
			next:      cfg.Transport,
			tokens:    cfg.Tokens,
			timeout:   cfg.RequestTimeout,
			maxReplay: cfg.MaxReplayBody,
			guard:     &invalidations{log: cfg.Log},
		},
		FlushInterval: -1, // stream: a Zoho bulk download must flow as it comes
		ErrorHandler:  p.proxyError,
		ErrorLog:      errorLog,
		BufferPool:    &copyBuffers,
	}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: cfg.RequestTimeout,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          errorLog,
	}
	go func() { p.served <- p.srv.Serve(ln) }()
	return p, nil
}

func (cfg Config) withDefaults() (Config, error) {
	switch u := cfg.Upstream; {
	case u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return cfg, errors.New("zoho_api_proxy: Upstream must be an http or https URL (see CheckUpstream)")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return cfg, errors.New("zoho_api_proxy: Upstream must not carry credentials, a query or a fragment (see CheckUpstream)")
	case cfg.Tokens == nil:
		return cfg, errors.New("zoho_api_proxy: no TokenSource")
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = zoho.DefaultRequestTimeout
	}
	if cfg.MaxReplayBody == 0 {
		cfg.MaxReplayBody = DefaultMaxReplayBody
	}
	if cfg.Log == nil {
		cfg.Log = func(context.Context, string, map[string]any) {}
	}
	if cfg.Transport == nil {
		t := cleanhttp.DefaultPooledTransport()
		// The client's Accept-Encoding decides, so answers pass unchanged.
		t.DisableCompression = true
		t.MaxIdleConnsPerHost = 64 // one host, many concurrent consumers
		cfg.Transport = t
	}
	return cfg, nil
}

// newPrefix is "/<128 random bits in hex>/": knowing the port is not enough
// to use the proxy.
func newPrefix() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("zoho_api_proxy: random prefix: %w", err)
	}
	return "/" + hex.EncodeToString(b[:]) + "/", nil
}

// URL is http://127.0.0.1:<port>/<prefix>/; paths go after it.
func (p *Proxy) URL() string { return p.url }

// Close stops accepting requests, lets those in flight finish within ctx
// and RequestTimeout, cuts off any still running then, and returns. It
// returns the same answer every time.
func (p *Proxy) Close(ctx context.Context) error {
	p.closeOnce.Do(func() { p.closeErr = p.shutdown(ctx) })
	return p.closeErr
}

func (p *Proxy) shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	err := p.srv.Shutdown(ctx)
	if err != nil {
		err = fmt.Errorf("zoho_api_proxy: requests still running at close were cut off: %w", err)
		_ = p.srv.Close()
	}
	// Also ends upstream attempts of requests whose connection is gone.
	p.cutOff()
	if serveErr := <-p.served; !errors.Is(serveErr, http.ErrServerClosed) {
		return errors.Join(err, serveErr)
	}
	return err
}

// copyBuffers spares each answer the reverse proxy's own 32 KiB copy
// buffer (two thirds of what a request allocated).
var copyBuffers bufferPool

type bufferPool struct{ pool sync.Pool }

func (b *bufferPool) Get() []byte {
	if buf, ok := b.pool.Get().(*[]byte); ok {
		return *buf
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.pool.Put(&buf) }

// logWriter turns the standard logger's lines (net/http's and httputil's
// own errors, such as a body copy cut short) into Log lines.
type logWriter struct {
	ctx context.Context
	log LogFunc
}

func (w logWriter) Write(b []byte) (int, error) {
	w.log(w.ctx, "zoho_api_proxy: "+string(trimNewline(b)), nil)
	return len(b), nil
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}
