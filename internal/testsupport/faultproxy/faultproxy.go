// Package faultproxy puts a TCP proxy with switchable faults between a
// client and a server on loopback, for tests of what the token cache does
// when its shared store is slow, silent, refusing or erring some of the
// time. It works below HTTP and TLS (a TLS connection passes through it
// untouched); HTTPProxy, in http.go, is the one HTTP-aware piece.
//
// Toxiproxy (github.com/Shopify/toxiproxy/v2) was considered: the module
// proxy serves v2.5.0 (2022) at the newest, whose in-process API needs its
// API server and would add Prometheus's client, zerolog, gorilla/mux,
// urfave/cli and tomb to the main go.mod; its probabilistic faults use an
// unseeded random source, and it has no per-request view. This package is
// small and has no dependencies.
//
// A Mode applies to what crosses the proxy from the moment it is set, on
// new and on open (keep-alive) connections alike:
//
//   - Pass forwards everything.
//   - Latency(d) holds every chunk from the upstream for d before it
//     reaches the client: each answer comes d late (a request's bytes
//     reach the upstream at once).
//   - BlackHole accepts connections, reads and discards what the client
//     sends, never answers and never closes. A connection that saw it
//     stays black-holed when the mode changes (its byte stream is lost).
//   - Reset closes connections with a TCP RST (SO_LINGER 0): new ones at
//     once, open ones at their next chunk either way.
//   - SlowBody(bps) passes the upstream's bytes to the client at bps bytes
//     a second; requests are not slowed.
//   - FailEvery(n) and FailFraction(f, seed) reset the connection at the
//     start of some exchanges and pass the rest. An exchange begins when
//     the client sends on a new connection or sends again after the
//     upstream answered (an HTTP/1.1 request on a keep-alive connection),
//     so they fail requests, not only new connections. FailEvery fails
//     the n-th, 2n-th... exchange since the mode was set; FailFraction
//     fails each with probability f, drawn from a PCG source seeded with
//     seed (the same sequence of exchanges fails the same way every run).
//
// Note that Go's HTTP client itself retries an idempotent request (GET)
// once on a fresh connection when a reused one fails before any answer:
// counting failed requests, allow for that.
package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type kind int

const (
	kindPass kind = iota
	kindLatency
	kindBlackHole
	kindReset
	kindSlowBody
	kindFailEvery
	kindFailFraction
)

// Mode is what the proxy does to the traffic; see the package doc.
type Mode struct {
	kind     kind
	delay    time.Duration
	rate     int
	every    int
	fraction float64
	seed     uint64
}

// Pass forwards everything unchanged.
func Pass() Mode { return Mode{kind: kindPass} }

// Latency holds every chunk from the upstream for d.
func Latency(d time.Duration) Mode { return Mode{kind: kindLatency, delay: d} }

// BlackHole accepts, reads and discards, never answers and never closes.
func BlackHole() Mode { return Mode{kind: kindBlackHole} }

// Reset closes connections with a TCP RST.
func Reset() Mode { return Mode{kind: kindReset} }

// SlowBody passes the upstream's bytes at bytesPerSecond (at least 1).
func SlowBody(bytesPerSecond int) Mode {
	return Mode{kind: kindSlowBody, rate: max(1, bytesPerSecond)}
}

// FailEvery resets the connection at the start of every n-th exchange
// (n >= 1; 1 fails them all, 2 every other one).
func FailEvery(n int) Mode { return Mode{kind: kindFailEvery, every: max(1, n)} }

// FailFraction resets the connection at the start of each exchange with
// probability fraction (0 to 1), deterministically for a given seed.
func FailFraction(fraction float64, seed uint64) Mode {
	return Mode{kind: kindFailFraction, fraction: min(1, max(0, fraction)), seed: seed}
}

func (m Mode) String() string {
	switch m.kind {
	case kindLatency:
		return fmt.Sprintf("Latency(%v)", m.delay)
	case kindBlackHole:
		return "BlackHole"
	case kindReset:
		return "Reset"
	case kindSlowBody:
		return fmt.Sprintf("SlowBody(%d B/s)", m.rate)
	case kindFailEvery:
		return fmt.Sprintf("FailEvery(%d)", m.every)
	case kindFailFraction:
		return fmt.Sprintf("FailFraction(%g, seed %d)", m.fraction, m.seed)
	}
	return "Pass"
}

// Stats counts what crossed the proxy since it started.
type Stats struct {
	Accepted   int64 // connections accepted
	Upstream   int64 // bytes forwarded from clients to the upstream
	Downstream int64 // bytes forwarded from the upstream to clients
	Exchanges  int64 // exchanges begun (client sends, see the package doc)
	Resets     int64 // connections closed with a RST
	BlackHoled int64 // connections black-holed
}

// Proxy is a TCP proxy on 127.0.0.1 in front of one upstream address. Its
// methods are safe for concurrent use.
type Proxy struct {
	upstream string
	ln       net.Listener
	done     chan struct{}
	wg       sync.WaitGroup

	mu     sync.Mutex
	mode   Mode
	turns  int64      // exchanges since the mode was set (FailEvery)
	rng    *rand.Rand // FailFraction's source
	links  map[*link]struct{}
	closed bool

	accepted, up, down, exchanges, resets, holes atomic.Int64
}

// Start listens on 127.0.0.1 (a free port) and forwards to upstream
// (host:port) in Pass mode. End it with Close.
func Start(upstream string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{upstream: upstream, ln: ln, done: make(chan struct{}), links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// New starts a proxy for the test and closes it when the test ends.
func New(t testing.TB, upstream string) *Proxy {
	t.Helper()
	p, err := Start(upstream)
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// Addr is the proxy's host:port (127.0.0.1:PORT).
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Upstream is the address the proxy forwards to.
func (p *Proxy) Upstream() string { return p.upstream }

// Set switches the mode; it applies to the next chunk on every connection.
func (p *Proxy) Set(m Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode, p.turns, p.rng = m, 0, nil
	if m.kind == kindFailFraction {
		p.rng = rand.New(rand.NewPCG(m.seed, m.seed^0x9e3779b97f4a7c15))
	}
}

// Mode is the current mode.
func (p *Proxy) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// Stats returns the counters.
func (p *Proxy) Stats() Stats {
	return Stats{
		Accepted: p.accepted.Load(), Upstream: p.up.Load(), Downstream: p.down.Load(),
		Exchanges: p.exchanges.Load(), Resets: p.resets.Load(), BlackHoled: p.holes.Load(),
	}
}

// Close stops accepting, closes every connection and waits for the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	p.mu.Unlock()
	close(p.done)
	err := p.ln.Close()
	for _, l := range links {
		l.closeAll()
	}
	p.wg.Wait()
	return err
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		p.accepted.Add(1)
		l := &link{p: p, client: c.(*net.TCPConn)}
		if !p.track(l) {
			_ = c.Close()
			return
		}
		p.wg.Add(1)
		go l.serve()
	}
}

func (p *Proxy) track(l *link) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.links[l] = struct{}{}
	return true
}

func (p *Proxy) untrack(l *link) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.links, l)
}

// beginExchange counts an exchange and says whether the mode fails it.
func (p *Proxy) beginExchange() (Mode, bool) {
	p.exchanges.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.turns++
	switch p.mode.kind {
	case kindFailEvery:
		return p.mode, p.turns%int64(p.mode.every) == 0
	case kindFailFraction:
		return p.mode, p.rng.Float64() < p.mode.fraction
	}
	return p.mode, false
}

// sleep waits d, or less if the proxy closes; it reports whether the
// proxy is still open.
func (p *Proxy) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.done:
		return false
	}
}

// link is one client connection and its upstream connection.
type link struct {
	p        *Proxy
	client   *net.TCPConn
	upstream *net.TCPConn // nil until dialed, and for a connection black-holed at accept

	mu     sync.Mutex
	holed  bool // black-holed for good
	closed bool

	awaitTurn atomic.Bool // the client's next bytes begin an exchange
}

func (l *link) serve() {
	defer l.p.wg.Done()
	defer l.p.untrack(l)
	defer l.closeAll()
	switch l.p.Mode().kind {
	case kindReset:
		l.reset()
		return
	case kindBlackHole:
		l.hole()
		_, _ = io.Copy(io.Discard, l.client)
		return
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", l.p.upstream)
	if err != nil {
		// A client of a store that is down sees its connection reset.
		l.reset()
		return
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		_ = c.Close()
		return
	}
	l.upstream = c.(*net.TCPConn)
	l.mu.Unlock()
	l.awaitTurn.Store(true)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.pump(true)
	}()
	l.pump(false)
	wg.Wait()
}

// pump copies one direction: toUpstream from the client, else from the
// upstream to the client, applying the mode to each chunk.
func (l *link) pump(toUpstream bool) {
	src, dst := l.upstream, l.client
	if toUpstream {
		src, dst = l.client, l.upstream
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !l.forward(toUpstream, dst, buf[:n]) {
			if l.isHoled() && toUpstream {
				// Keep reading the client (and discarding) until it or
				// the proxy closes the connection.
				_, _ = io.Copy(io.Discard, l.client)
			}
			return
		}
		if err != nil {
			switch {
			case l.isHoled():
				// The upstream side was closed by hole; the client's
				// side stays open, unanswered, until the client or the
				// proxy closes it.
			case errors.Is(err, io.EOF):
				_ = dst.CloseWrite()
			default:
				l.closeAll()
			}
			return
		}
	}
}

// forward applies the mode to one chunk and writes what passes; false ends
// the pump.
func (l *link) forward(toUpstream bool, dst *net.TCPConn, chunk []byte) bool {
	if l.isHoled() {
		return !toUpstream // discard; the upstream side ends (it was closed)
	}
	var m Mode
	if toUpstream {
		var fail bool
		if l.awaitTurn.Swap(false) {
			m, fail = l.p.beginExchange()
		} else {
			m = l.p.Mode()
		}
		if fail {
			l.reset()
			return false
		}
	} else {
		l.awaitTurn.Store(true)
		m = l.p.Mode()
	}
	switch m.kind {
	case kindBlackHole:
		l.hole()
		return false
	case kindReset:
		l.reset()
		return false
	case kindLatency:
		if !toUpstream && !l.p.sleep(m.delay) {
			return false
		}
	case kindSlowBody:
		if !toUpstream {
			return l.writeSlowly(dst, chunk, m.rate)
		}
	}
	return l.write(toUpstream, dst, chunk)
}

func (l *link) write(toUpstream bool, dst *net.TCPConn, b []byte) bool {
	n, err := dst.Write(b)
	if toUpstream {
		l.p.up.Add(int64(n))
	} else {
		l.p.down.Add(int64(n))
	}
	if err != nil {
		l.closeAll()
		return false
	}
	return true
}

// writeSlowly writes b to the client in pieces, at rate bytes a second,
// until the mode changes.
func (l *link) writeSlowly(dst *net.TCPConn, b []byte, rate int) bool {
	piece := max(1, rate/20)
	for len(b) > 0 {
		if m := l.p.Mode(); m.kind != kindSlowBody {
			return l.write(false, dst, b)
		}
		n := min(piece, len(b))
		if !l.write(false, dst, b[:n]) {
			return false
		}
		b = b[n:]
		if !l.p.sleep(time.Duration(n) * time.Second / time.Duration(rate)) {
			return false
		}
	}
	return true
}

func (l *link) isHoled() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.holed
}

// hole black-holes the connection for good: the upstream side is closed,
// the client's is kept open and unanswered.
func (l *link) hole() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holed || l.closed {
		return
	}
	l.holed = true
	l.p.holes.Add(1)
	if l.upstream != nil {
		_ = l.upstream.Close()
	}
}

// reset closes the client's connection with a RST, and the upstream's.
func (l *link) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	l.p.resets.Add(1)
	_ = l.client.SetLinger(0)
	_ = l.client.Close()
	if l.upstream != nil {
		_ = l.upstream.Close()
	}
}

func (l *link) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	_ = l.client.Close()
	if l.upstream != nil {
		_ = l.upstream.Close()
	}
}
