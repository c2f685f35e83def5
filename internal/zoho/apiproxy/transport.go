package apiproxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// tokenTransport sends each request upstream with a token from the source,
// and once more with the next token when upstream refuses the first as
// invalid and the body can be sent again.
type tokenTransport struct {
	next      http.RoundTripper
	tokens    TokenSource
	timeout   time.Duration
	maxReplay int64
	guard     *invalidations
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	body, err := t.readBody(req)
	if err != nil {
		return nil, err
	}
	tok, err := token(ctx, t.tokens)
	if err != nil {
		body.close()
		return nil, err
	}
	resp, err := t.attempt(req, tok.AccessToken, body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusUnauthorized || !invalidToken(resp) {
		t.guard.accepted()
		return resp, nil
	}
	if !t.guard.reject(ctx, t.tokens, tok.AccessToken) || !body.replayable() {
		return resp, nil
	}
	ex := exchangeOf(ctx)
	next, err := token(ctx, t.tokens)
	if err != nil || next.AccessToken == tok.AccessToken {
		// Without a new token, the 401 is the truest answer there is.
		if err != nil && ex != nil {
			ex.err = "not replayed: " + err.Error()
		}
		return resp, nil
	}
	discard(resp)
	if ex != nil {
		ex.replayed = true
	}
	resp, err = t.attempt(req, next.AccessToken, body)
	if err == nil && resp.StatusCode != http.StatusUnauthorized {
		t.guard.accepted()
	}
	return resp, err
}

// token asks src for a token; a failure, or no token at all, is a
// *tokenError.
func token(ctx context.Context, src TokenSource) (*zoho.Token, error) {
	tok, err := src.Token(ctx)
	if err == nil && (tok == nil || tok.AccessToken == "") {
		err = errors.New("the token source returned no access token")
	}
	if err != nil {
		return nil, &tokenError{err}
	}
	return tok, nil
}

// attempt sends req once with token. The attempt's context is cancelled
// when upstream makes no progress for the timeout (idleTimer), and when
// the answer's body is closed.
func (t *tokenTransport) attempt(req *http.Request, token string, body *requestBody) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	idle := newIdleTimer(t.timeout, func() { cancel(errUpstreamTimeout) })
	out := req.WithContext(ctx)
	out.Header = req.Header.Clone()
	out.Header.Set("Authorization", "Zoho-oauthtoken "+token)
	body.attach(out, idle)
	resp, err := t.next.RoundTrip(out)
	idle.pause()
	if err != nil {
		cause := context.Cause(ctx)
		cancel(nil)
		if errors.Is(cause, errUpstreamTimeout) {
			return nil, errUpstreamTimeout
		}
		return nil, err
	}
	resp.Body = &responseBody{ReadCloser: resp.Body, idle: idle, cancel: func() { cancel(nil) }, ex: exchangeOf(ctx)}
	return resp, nil
}

// discard reads what is left of a small answer (so its connection is
// reused) and closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxInspect))
	_ = resp.Body.Close()
}

// requestBody is the client's body: buffered (nil for none) when it can be
// sent twice, else a stream that is sent once as it arrives.
type requestBody struct {
	buf      []byte
	buffered bool
	stream   io.ReadCloser
}

// readBody buffers the body when it is at most maxReplay bytes. A body of
// unknown length is read up to that bound; when it goes on, what was read
// is sent ahead of the rest, unbuffered.
func (t *tokenTransport) readBody(req *http.Request) (*requestBody, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return &requestBody{buffered: true}, nil
	}
	if t.maxReplay < 0 || req.ContentLength > t.maxReplay {
		return &requestBody{stream: req.Body}, nil
	}
	buf, err := io.ReadAll(io.LimitReader(req.Body, t.maxReplay+1))
	if err != nil {
		_ = req.Body.Close()
		return nil, &bodyError{err}
	}
	if int64(len(buf)) <= t.maxReplay {
		_ = req.Body.Close()
		return &requestBody{buf: buf, buffered: true}, nil
	}
	return &requestBody{stream: readCloser{io.MultiReader(bytes.NewReader(buf), req.Body), req.Body}}, nil
}

func (b *requestBody) replayable() bool { return b.buffered }

// close releases a body no attempt took.
func (b *requestBody) close() {
	if b.stream != nil {
		_ = b.stream.Close()
	}
}

// attach gives out this body: a fresh reader over the buffer, or the
// stream, whose reads count as progress of the upload.
func (b *requestBody) attach(out *http.Request, idle *idleTimer) {
	switch {
	case b.stream != nil:
		out.Body = &uploadBody{ReadCloser: b.stream, idle: idle}
	case len(b.buf) == 0:
		out.Body, out.ContentLength = http.NoBody, 0
		out.TransferEncoding = nil
	default:
		out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(b.buf)), int64(len(b.buf))
		out.TransferEncoding = nil // the length is known now
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.buf)), nil }
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}

// idleTimer cancels an attempt that waits too long on upstream without
// progress. It runs while the request is sent and its answer awaited
// (restarted by every read of a streamed upload), is paused once the
// answer's headers are in, and then runs only during reads of the answer's
// body: a client that reads slowly is not upstream's fault.
type idleTimer struct {
	mu      sync.Mutex
	timer   *time.Timer
	d       time.Duration
	sending bool
}

func newIdleTimer(d time.Duration, fire func()) *idleTimer {
	return &idleTimer{timer: time.AfterFunc(d, fire), d: d, sending: true}
}

// progress restarts the timer while the request is being sent.
func (it *idleTimer) progress() {
	it.mu.Lock()
	if it.sending {
		it.timer.Reset(it.d)
	}
	it.mu.Unlock()
}

// pause stops the timer for good, until the next resume.
func (it *idleTimer) pause() {
	it.mu.Lock()
	it.sending = false
	it.timer.Stop()
	it.mu.Unlock()
}

func (it *idleTimer) resume() {
	it.mu.Lock()
	it.timer.Reset(it.d)
	it.mu.Unlock()
}

// uploadBody is a streamed request body; each read is progress.
type uploadBody struct {
	io.ReadCloser
	idle *idleTimer
}

func (b *uploadBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.idle.progress()
	return n, err
}

// responseBody times each read of the answer, notes a failed read for the
// log line (the answer's status is out by then), and ends the attempt's
// context on Close.
type responseBody struct {
	io.ReadCloser
	idle   *idleTimer
	cancel func()
	ex     *exchange
}

func (b *responseBody) Read(p []byte) (int, error) {
	b.idle.resume()
	n, err := b.ReadCloser.Read(p)
	b.idle.pause()
	if err != nil && err != io.EOF && b.ex != nil {
		b.ex.err = "reading the answer: " + err.Error()
	}
	return n, err
}

func (b *responseBody) Close() error {
	err := b.ReadCloser.Close()
	b.idle.pause()
	b.cancel()
	return err
}
