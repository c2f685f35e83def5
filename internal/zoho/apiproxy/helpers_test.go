package apiproxy_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/apiproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// env is the emulator on a movable clock (or the one Options.Now names), a
// token source minting from it,
// and everything the proxy logged and answered, which its cleanup scans
// for tokens: every test is also a leak test.
type env struct {
	t        *testing.T
	clock    *zohotest.Clock
	emu      *zohotest.Emulator
	accounts string // the emulator's accounts host, where the source mints
	api      string // the emulator's API host (the same handler, counted)
	hits     atomic.Int32
	src      *mintingSource
	logs     *logRecorder
	client   *http.Client

	mu       sync.Mutex
	answered []string // every answer the proxy gave: status line, headers, body
	prefixes []string
}

func newEnv(t *testing.T, opts zohotest.Options) *env {
	t.Helper()
	clock := zohotest.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	emu := zohotest.New(opts)
	accounts := emu.StartServer(t, "us")
	c := emu.RegisterClient(zohotest.Client{})
	refresh, err := emu.IssueRefreshToken(c.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	v := &env{
		t: t, clock: clock, emu: emu, accounts: accounts,
		src: &mintingSource{
			client: zoho.New(zoho.Config{AccountsURL: accounts, ClientID: c.ID, ClientSecret: c.Secret, Now: opts.Now, MaxRetries: -1}),
			grant:  zoho.Grant{RefreshToken: refresh},
			now:    opts.Now,
			margin: 15 * time.Second,
			seen:   map[string]bool{},
		},
		logs:   &logRecorder{},
		client: &http.Client{Transport: transport, Timeout: 30 * time.Second},
	}
	v.api = v.serve(emu.Handler("us"))
	t.Cleanup(v.checkNoLeaks)
	return v
}

// serve runs h on loopback; every request it gets counts in upstreamHits.
func (v *env) serve(h http.Handler) string {
	v.t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	v.t.Cleanup(srv.Close)
	return srv.URL
}

// start runs a proxy to upstream, closed when the test ends.
func (v *env) start(upstream string, tweak func(*apiproxy.Config)) *apiproxy.Proxy {
	v.t.Helper()
	u, err := apiproxy.CheckUpstream(upstream, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	cfg := apiproxy.Config{Upstream: u, Tokens: v.src, Log: v.logs.log, RequestTimeout: 10 * time.Second}
	if tweak != nil {
		tweak(&cfg)
	}
	p, err := apiproxy.Start(context.Background(), cfg)
	if err != nil {
		v.t.Fatal(err)
	}
	v.t.Cleanup(func() { _ = p.Close(context.Background()) })
	v.mu.Lock()
	v.prefixes = append(v.prefixes, strings.TrimPrefix(p.URL(), "http://"+hostOf(p)))
	v.mu.Unlock()
	return p
}

// protected serves h behind the emulator's token check, on loopback.
func (v *env) protected(h http.HandlerFunc) string {
	v.t.Helper()
	return v.serve(v.emu.RequireToken("us", h))
}

// upstreamHits is how many requests reached the upstreams env serves.
func (v *env) upstreamHits() int { return int(v.hits.Load()) }

// settle closes p, which waits for its requests to finish and log.
func (v *env) settle(p *apiproxy.Proxy) {
	v.t.Helper()
	if err := p.Close(context.Background()); err != nil {
		v.t.Fatalf("Close: %v", err)
	}
}

// revokeCurrentToken revokes the source's token (minting one first if
// needed) at the emulator, behind the source's back.
func (v *env) revokeCurrentToken() string {
	v.t.Helper()
	tok, err := v.src.Token(context.Background())
	if err != nil {
		v.t.Fatal(err)
	}
	if err := v.src.client.Revoke(context.Background(), tok.AccessToken); err != nil {
		v.t.Fatal(err)
	}
	return tok.AccessToken
}

// answer is a proxy answer, read whole.
type answer struct {
	status int
	header http.Header
	body   string
}

// do sends req through the proxy and records the answer for the scan.
func (v *env) do(req *http.Request) answer {
	v.t.Helper()
	resp, err := v.client.Do(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL.Path, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: string(body)}
	v.record(a)
	return a
}

func (v *env) record(a answer) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.answered = append(v.answered, fmt.Sprintf("%d %v %s", a.status, a.header, a.body))
}

func (v *env) get(target string) answer {
	v.t.Helper()
	return v.do(newRequest(v.t, http.MethodGet, target, nil))
}

// checkNoLeaks fails the test if any token the source handed out is in a
// log line or an answer, or a proxy's prefix is in a log line.
func (v *env) checkNoLeaks() {
	lines := v.logs.lines()
	v.mu.Lock()
	defer v.mu.Unlock()
	for tok := range v.src.handedOut() {
		for _, l := range lines {
			if strings.Contains(l, tok) {
				v.t.Errorf("a log line holds an access token: %s", l)
			}
		}
		for _, a := range v.answered {
			if strings.Contains(a, tok) {
				v.t.Errorf("an answer holds an access token: %s", a)
			}
		}
	}
	for _, prefix := range v.prefixes {
		for _, l := range lines {
			if strings.Contains(l, strings.Trim(prefix, "/")) {
				v.t.Errorf("a log line holds the proxy's prefix: %s", l)
			}
		}
	}
}

func newRequest(t testing.TB, method, target string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func hostOf(p *apiproxy.Proxy) string {
	u, err := url.Parse(p.URL())
	if err != nil {
		panic(err)
	}
	return u.Host
}

// mintingSource is the provider's token source in miniature: one token,
// minted from the emulator when it has margin or less left, dropped when
// invalidated.
type mintingSource struct {
	client *zoho.Client
	grant  zoho.Grant
	now    func() time.Time
	margin time.Duration
	// believed, when set, is the lifetime the source assumes whatever Zoho
	// answered: a token that dies before it, as a revoked one does.
	believed time.Duration

	mu          sync.Mutex
	tok         *zoho.Token
	seen        map[string]bool
	mints       int
	invalidated int
}

func (s *mintingSource) Token(ctx context.Context) (*zoho.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil || s.tok.ExpiresIn(s.now()) <= s.margin {
		tok, err := s.client.Mint(ctx, s.grant)
		if err != nil {
			return nil, err
		}
		if s.believed > 0 {
			tok.ExpiresAt = s.now().Add(s.believed)
		}
		s.tok = tok
		s.mints++
		s.seen[tok.AccessToken] = true
	}
	cp := *s.tok
	return &cp, nil
}

func (s *mintingSource) Invalidate(_ context.Context, accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidated++
	if s.tok != nil && s.tok.AccessToken == accessToken {
		s.tok = nil
	}
}

// current is the token the source would hand out now, without minting.
func (s *mintingSource) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		return ""
	}
	return s.tok.AccessToken
}

func (s *mintingSource) counts() (mints, invalidated int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mints, s.invalidated
}

func (s *mintingSource) handedOut() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.seen))
	for k := range s.seen {
		out[k] = true
	}
	return out
}

// logRecorder keeps the proxy's log lines, formatted.
type logRecorder struct {
	mu  sync.Mutex
	all []string
}

func (r *logRecorder) log(_ context.Context, msg string, fields map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, fmt.Sprintf("%s %v", msg, fields))
}

func (r *logRecorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.all...)
}

// count is how many lines contain all of parts.
func (r *logRecorder) count(parts ...string) int {
	n := 0
	for _, l := range r.lines() {
		if containsAll(l, parts...) {
			n++
		}
	}
	return n
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// rawExchange writes request text to the proxy's port as is (net/http's
// client cannot send absolute-form targets or a foreign Host to it) and
// reads the answer.
func rawExchange(t *testing.T, p *apiproxy.Proxy, request string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", hostOf(p))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", request, err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}
