package zoho

import (
	"context"
	"net/http/httptrace"
	"sync"
)

// sendGuard records whether a request may have left. Until the transport
// has a connection nothing of the request was written, so abandoning it is
// free; from then on the server may act on it.
type sendGuard struct {
	mu        sync.Mutex
	connected bool
}

func (g *sendGuard) mayHaveSent() bool {
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.connected
}

// detachOnceConnected returns the context for a code exchange. It carries
// ctx's values and follows ctx's cancellation only until a connection is
// obtained: after that Zoho may consume the code, and abandoning the answer
// would orphan the refresh token it issues with it, so the attempt runs on
// (http.Client.Timeout, i.e. request_timeout, still bounds it). release
// frees the context once the answer has been read.
//
// The connection is seen through httptrace's GotConn, which net/http's
// transports call; a Config.Transport that never calls it keeps the old
// behaviour of following ctx throughout.
func detachOnceConnected(ctx context.Context) (_ context.Context, _ *sendGuard, release func()) {
	g := &sendGuard{}
	detached, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if !g.connected {
			cancel(context.Cause(ctx))
		}
	})
	traced := httptrace.WithClientTrace(detached, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.connected = true
		},
	})
	return traced, g, func() { stop(); cancel(nil) }
}
