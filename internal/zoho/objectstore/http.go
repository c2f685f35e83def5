package objectstore

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// newHTTPClient is the client of one GCS or Azure store: its own
// keep-alive transport (proxies from the environment, as
// http.DefaultTransport), no overall timeout, since every request carries
// the caller's context.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		// The stores never redirect these calls; a redirect would send
		// the Authorization header's scheme to wherever it points.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
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
