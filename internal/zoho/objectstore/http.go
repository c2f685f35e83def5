package objectstore

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// Options tune how a Store talks to its server.
type Options struct {
	// RequestTimeout bounds each request, body included (the cache also
	// gives each call a context deadline of this length), and the connect,
	// TLS handshake and first-byte waits within it. Zero means
	// tokencache.DefaultStoreTimeout.
	RequestTimeout time.Duration
}

func (o Options) timeout() time.Duration {
	if o.RequestTimeout <= 0 {
		return tokencache.DefaultStoreTimeout
	}
	return o.RequestTimeout
}

// maxConnectWait bounds a connect and a TLS handshake: a store that takes
// longer than this to accept a connection is as good as down.
const maxConnectWait = 10 * time.Second

func (o Options) connectTimeout() time.Duration { return min(o.timeout(), maxConnectWait) }

// newTransport is the keep-alive transport of one store (proxies from the
// environment, as http.DefaultTransport), with every wait before the first
// byte of an answer bounded: a store behind a black hole or a stalled load
// balancer costs one timeout, never a hung run.
func newTransport(opts Options) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: opts.connectTimeout(), KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = opts.connectTimeout()
	t.ResponseHeaderTimeout = opts.timeout()
	t.ExpectContinueTimeout = time.Second
	return t
}

// newHTTPClient is the client of one GCS or Azure store: its own bounded
// transport and an overall timeout per request, body included.
func newHTTPClient(opts Options) *http.Client {
	return &http.Client{
		Transport: newTransport(opts),
		Timeout:   opts.timeout(),
		// The stores never redirect these calls; a redirect would send
		// the Authorization header's scheme to wherever it points.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// objectOf reads at most limit bytes of a successful GET's body, with the
// store's Last-Modified and Date headers (zero when absent or unreadable).
func objectOf(resp *http.Response, limit int64) (tokencache.Object, error) {
	data, err := readLimited(resp.Body, limit)
	if err != nil {
		return tokencache.Object{}, err
	}
	return tokencache.Object{Data: data, Modified: headerTime(resp.Header, "Last-Modified"), StoreNow: headerTime(resp.Header, "Date")}, nil
}

// headerTime parses an HTTP date header; zero when absent or malformed.
func headerTime(h http.Header, name string) time.Time {
	t, err := http.ParseTime(h.Get(name))
	if err != nil {
		return time.Time{}
	}
	return t
}

// maxErrorBody bounds what is read of an error answer: enough for the
// stores' JSON or XML error documents.
const maxErrorBody = 8 << 10

// readLimited reads at most limit bytes of body.
func readLimited(body io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := io.Copy(&buf, io.LimitReader(body, limit))
	return buf.Bytes(), err
}

// drain reads what is left of a small answer, so the connection can be
// reused, then closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
}

// within runs get, which cannot be canceled (a credential's token source),
// for at most as long as ctx allows.
func within[T any](ctx context.Context, get func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := get()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// withinTimeout is within for a call that has no context of its own to be
// bounded by.
func withinTimeout[T any](d time.Duration, get func() (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return within(ctx, get)
}
