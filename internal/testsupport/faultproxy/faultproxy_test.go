package faultproxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// noAnswer is how long a silent connection is watched before it counts as
// a hang.
const noAnswer = 300 * time.Millisecond

// echoServer answers every chunk with the same bytes.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// httpServer answers POST and GET with "ok <n>", n counting requests.
func httpServer(t *testing.T) *httptest.Server {
	t.Helper()
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n++
		fmt.Fprintf(w, "ok %d", n)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func dial(t *testing.T, p *Proxy) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c.(*net.TCPConn)
}

// roundTrip writes msg and reads len(msg) bytes back within limit.
func roundTrip(c net.Conn, msg string, limit time.Duration) (string, error) {
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	_ = c.SetReadDeadline(time.Now().Add(limit))
	buf := make([]byte, len(msg))
	n, err := io.ReadFull(c, buf)
	return string(buf[:n]), err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestPass(t *testing.T) {
	p := New(t, echoServer(t))
	c := dial(t, p)
	for i := range 3 {
		msg := fmt.Sprintf("hello %d", i)
		if got, err := roundTrip(c, msg, 10*time.Second); err != nil || got != msg {
			t.Fatalf("echo through Pass: %q, %v", got, err)
		}
	}
	c.Close()
	want := Stats{Accepted: 1, Upstream: 21, Downstream: 21, Exchanges: 3}
	if got := p.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
	if p.Mode().String() != "Pass" {
		t.Errorf("Mode = %v", p.Mode())
	}
}

// Every answer comes at least d late; a lower bound is all a busy machine
// lets us check.
func TestLatency(t *testing.T) {
	p := New(t, echoServer(t))
	c := dial(t, p)
	const d = 150 * time.Millisecond
	p.Set(Latency(d))
	for i := range 2 {
		t0 := time.Now()
		if got, err := roundTrip(c, "ping", 10*time.Second); err != nil || got != "ping" {
			t.Fatalf("echo through Latency: %q, %v", got, err)
		}
		if took := time.Since(t0); took < d {
			t.Errorf("answer %d came after %v, want at least %v", i, took, d)
		}
	}
}

func TestBlackHole(t *testing.T) {
	p := New(t, echoServer(t))
	open := dial(t, p) // a connection that worked before the fault
	if _, err := roundTrip(open, "before", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Set(BlackHole())
	fresh := dial(t, p)
	for name, c := range map[string]net.Conn{"open connection": open, "new connection": fresh} {
		got, err := roundTrip(c, "anyone?", noAnswer)
		if !isTimeout(err) || got != "" {
			t.Errorf("%s in BlackHole: read %q, %v; want nothing and a timeout (not a close)", name, got, err)
		}
	}
	// The connection stays dead after the fault ends; new ones work.
	p.Set(Pass())
	if got, err := roundTrip(open, "again?", noAnswer); !isTimeout(err) || got != "" {
		t.Errorf("black-holed connection after Pass: read %q, %v; want a timeout", got, err)
	}
	if got, err := roundTrip(dial(t, p), "new", 10*time.Second); err != nil || got != "new" {
		t.Errorf("new connection after Pass: %q, %v", got, err)
	}
	if s := p.Stats(); s.BlackHoled != 2 || s.Accepted != 3 {
		t.Errorf("Stats = %+v, want 2 black-holed of 3 accepted", s)
	}
	// An HTTP client waits for its own deadline.
	srv := httpServer(t)
	hp := New(t, strings.TrimPrefix(srv.URL, "http://"))
	hp.Set(BlackHole())
	client := &http.Client{Timeout: noAnswer}
	resp, err := client.Get("http://" + hp.Addr() + "/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("GET through BlackHole answered")
	}
	if !isTimeout(err) {
		t.Errorf("GET through BlackHole: %v, want a timeout", err)
	}
}

func TestReset(t *testing.T) {
	p := New(t, echoServer(t))
	open := dial(t, p)
	if _, err := roundTrip(open, "before", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Set(Reset())
	fresh := dial(t, p)
	for name, c := range map[string]net.Conn{"open connection": open, "new connection": fresh} {
		_, err := roundTrip(c, "hello", 10*time.Second)
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("%s in Reset: %v, want ECONNRESET", name, err)
		}
	}
	if s := p.Stats(); s.Resets != 2 {
		t.Errorf("Stats = %+v, want 2 resets", s)
	}
}

// The upstream's bytes come no faster than the rate; requests are not slowed.
func TestSlowBody(t *testing.T) {
	p := New(t, echoServer(t))
	c := dial(t, p)
	p.Set(SlowBody(20)) // a byte every 50 ms
	msg := strings.Repeat("x", 100)
	got, err := roundTrip(c, msg, 1*time.Second)
	if !isTimeout(err) || len(got) == 0 || len(got) > 21 {
		t.Errorf("100 bytes at 20 B/s within 1 s: got %d, %v; want 1 to 21 bytes and a timeout", len(got), err)
	}
	if s := p.Stats(); s.Upstream != 100 {
		t.Errorf("Stats = %+v, want the 100 request bytes forwarded at once", s)
	}
	p.Set(Pass())
	rest := make([]byte, 100-len(got))
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, rest); err != nil {
		t.Fatalf("rest of the echo after Pass: %v", err)
	}
}

// post sends n POSTs through a keep-alive client (Go does not retry a
// POST) and returns which failed.
func post(t *testing.T, addr string, n int) []bool {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	failed := make([]bool, n)
	for i := range n {
		resp, err := client.Post("http://"+addr+"/", "text/plain", strings.NewReader("body"))
		if err != nil {
			failed[i] = true
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.HasPrefix(b, []byte("ok ")) {
			t.Fatalf("request %d: %q, %v", i, b, err)
		}
	}
	return failed
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// FailEvery(2) fails every other request, on reused connections too.
func TestFailEvery(t *testing.T) {
	srv := httpServer(t)
	p := New(t, strings.TrimPrefix(srv.URL, "http://"))
	p.Set(FailEvery(2))
	failed := post(t, p.Addr(), 10)
	for i, f := range failed {
		if f != (i%2 == 1) {
			t.Errorf("request %d failed: %v, want every second one to fail", i, f)
		}
	}
	// Each connection carries one request that passes and one that fails.
	if s := p.Stats(); s.Exchanges != 10 || s.Resets != 5 || s.Accepted != 5 {
		t.Errorf("Stats = %+v, want 10 exchanges, 5 resets, 5 connections", s)
	}
}

// FailFraction fails about that fraction, the same requests for the same seed.
func TestFailFraction(t *testing.T) {
	srv := httpServer(t)
	var runs [][]bool
	for range 2 {
		p := New(t, strings.TrimPrefix(srv.URL, "http://"))
		p.Set(FailFraction(0.5, 42))
		runs = append(runs, post(t, p.Addr(), 100))
	}
	if n := count(runs[0]); n < 30 || n > 70 {
		t.Errorf("FailFraction(0.5) failed %d of 100 requests", n)
	}
	for i := range runs[0] {
		if runs[0][i] != runs[1][i] {
			t.Fatalf("request %d: failed %v in one run, %v in the other, with the same seed", i, runs[0][i], runs[1][i])
		}
	}
	p := New(t, strings.TrimPrefix(srv.URL, "http://"))
	p.Set(FailFraction(0.5, 43))
	if other := post(t, p.Addr(), 100); fmt.Sprint(other) == fmt.Sprint(runs[0]) {
		t.Error("another seed failed the same requests")
	}
}

// A store that is down: the client's connection is reset.
func TestUpstreamDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := New(t, addr)
	c, err := net.Dial("tcp", p.Addr()) // the reset may come before connect returns
	if err == nil {
		defer c.Close()
		_, err = roundTrip(c, "hello", 10*time.Second)
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("through a proxy to a closed port: %v, want ECONNRESET", err)
	}
}

// Close ends every connection, black-holed ones included, and returns.
func TestClose(t *testing.T) {
	p, err := Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	p.Set(BlackHole())
	c := dial(t, p)
	if _, err := roundTrip(c, "x", noAnswer); !isTimeout(err) {
		t.Fatalf("BlackHole: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Errorf("read after Close: %v, want the connection closed", err)
	}
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Error("the proxy still accepts after Close")
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestHTTPProxy_strip(t *testing.T) {
	type seen struct{ query, inm, host string }
	got := make(chan seen, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.URL.RawQuery, r.Header.Get("If-None-Match"), r.Host}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	h := NewHTTP(t, srv.URL, HTTPOptions{})
	send := func() seen {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, h.URL()+"/upload/o?uploadType=media&ifGenerationMatch=0&name=ci%2Fx", nil)
		req.Header.Set("If-None-Match", "*")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return <-got
	}
	if s := send(); s.query != "uploadType=media&ifGenerationMatch=0&name=ci%2Fx" || s.inm != "*" || s.host != h.Addr() {
		t.Errorf("without Strip the upstream saw %+v", s)
	}
	h.Strip([]string{"ifGenerationMatch"}, []string{"if-none-match"})
	if s := send(); s.query != "uploadType=media&name=ci%2Fx" || s.inm != "" {
		t.Errorf("with Strip the upstream saw %+v", s)
	}
	h.Strip(nil, nil)
	if s := send(); s.query != "uploadType=media&ifGenerationMatch=0&name=ci%2Fx" {
		t.Errorf("after Strip(nil, nil) the upstream saw %+v", s)
	}
	if s := h.Stats(); s != (HTTPStats{Requests: 3, Altered: 1}) {
		t.Errorf("Stats = %+v", s)
	}
}
