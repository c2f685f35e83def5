package tokencache

import (
	"context"
	"sync"
)

// flights runs one fetch per key at a time and shares its result with every
// caller that asks meanwhile, like golang.org/x/sync/singleflight, with one
// thing that package cannot do: the fetch runs under a context of its own
// that ends when the last caller waiting for it has gone. One caller giving
// up does not waste a mint the others wait for, and a run that is cancelled
// (Ctrl-C) stops its fetch too, so a lease holder can hand the lease on at
// once instead of holding it until it expires (shared.go).
type flights struct {
	mu      sync.Mutex
	running map[string]*flight
}

type flight struct {
	done    chan struct{} // closed when res is set
	res     found
	err     error
	cancel  context.CancelFunc
	callers int // guarded by flights.mu
}

// do returns fetch's result for id, joining a fetch already running for it.
// fetch gets a context that carries ctx's values and is cancelled once no
// caller waits any more. The caller returns ctx.Err() as soon as its own
// ctx ends. joined, if set, is called once the caller has joined (tests).
func (g *flights) do(ctx context.Context, id string, fetch func(context.Context) (found, error), joined func()) (found, error) {
	g.mu.Lock()
	if g.running == nil {
		g.running = map[string]*flight{}
	}
	f := g.running[id]
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		g.running[id] = f
		go g.run(fctx, id, f, fetch)
	}
	f.callers++
	g.mu.Unlock()
	if joined != nil {
		joined()
	}

	select {
	case <-f.done:
		g.leave(id, f)
		return f.res, f.err
	case <-ctx.Done():
		g.leave(id, f)
		return found{}, ctx.Err()
	}
}

func (g *flights) run(ctx context.Context, id string, f *flight, fetch func(context.Context) (found, error)) {
	res, err := fetch(ctx)
	g.mu.Lock()
	// From here on a new caller starts a new fetch: this one's result may
	// already be too old for it (a token that just expired, an error).
	g.forget(id, f)
	g.mu.Unlock()
	f.res, f.err = res, err
	close(f.done)
	f.cancel()
}

// leave drops a caller; the last one to go cancels a fetch still running,
// and a caller arriving after that starts a fetch of its own.
func (g *flights) leave(id string, f *flight) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f.callers--
	if f.callers == 0 {
		f.cancel()
		g.forget(id, f)
	}
}

// forget removes f from running, unless a newer flight has taken its place.
func (g *flights) forget(id string, f *flight) {
	if g.running[id] == f {
		delete(g.running, id)
	}
}
