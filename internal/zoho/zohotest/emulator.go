package zohotest

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options tunes the emulator's clock, lifetimes and limits. The zero value
// gives Zoho's documented defaults.
type Options struct {
	Now                func() time.Time // default time.Now; tests pass a movable clock
	CodeTTL            time.Duration    // default 3m (Self Client default)
	AccessTokenTTL     time.Duration    // default 1h (expires_in 3600)
	MintLimit          int              // default 10 access tokens per refresh token per MintWindow, then blocked for the rest of the window
	MintWindow         time.Duration    // default 10m
	LiveAccessTokenCap int              // default 15 live access tokens per refresh token; minting one more silently invalidates the oldest
	RefreshTokenCap    int              // default 20 per user+client; the 21st evicts the oldest and its access tokens
	CodeIssueLimit     int              // default 10 grant codes per client per 10 minutes, then IssueGrantCode fails with access_denied
}

// Zoho's documented defaults: grant codes live 3 minutes, access tokens an
// hour; 10 mints per refresh token per 10 minutes, 15 live access tokens,
// 20 refresh tokens per user and client, 10 grant codes per 10 minutes.
const (
	defaultCodeTTL            = 3 * time.Minute
	defaultAccessTokenTTL     = time.Hour
	defaultMintLimit          = 10
	defaultMintWindow         = 10 * time.Minute
	defaultLiveAccessTokenCap = 15
	defaultRefreshTokenCap    = 20
	defaultCodeIssueLimit     = 10
	// codeIssueWindow is fixed: Zoho documents the grant-code limit as
	// "10 per 10 minutes" and offers no knob for the window.
	codeIssueWindow = 10 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	setDefault(&o.CodeTTL, defaultCodeTTL)
	setDefault(&o.AccessTokenTTL, defaultAccessTokenTTL)
	setDefault(&o.MintLimit, defaultMintLimit)
	setDefault(&o.MintWindow, defaultMintWindow)
	setDefault(&o.LiveAccessTokenCap, defaultLiveAccessTokenCap)
	setDefault(&o.RefreshTokenCap, defaultRefreshTokenCap)
	setDefault(&o.CodeIssueLimit, defaultCodeIssueLimit)
	return o
}

// setDefault replaces a zero or negative setting, which could only mean
// "no limit" by accident.
func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Emulator is the state shared by every data center's accounts host:
// clients, codes, tokens, limits, switches and what was observed. One mutex
// guards it all; requests are short, so contention does not matter and a
// single lock keeps the cross-table invariants (a refresh token and its
// access tokens die together) simple.
type Emulator struct {
	opts Options

	mu            sync.Mutex
	clients       map[string]*clientRecord
	codes         map[string]*codeRecord
	refreshTokens map[string]*refreshRecord
	accessTokens  map[string]*accessRecord
	refreshOrder  map[ownerKey][]string  // live refresh tokens per user+client, oldest first
	windows       map[string]*mintWindow // mint throttles, by refresh token or client
	apiDomains    map[string]string
	sw            switches
	faults        []Fault
	stats         stats
	requests      []RecordedRequest
}

// switches are the behaviour toggles tests flip to imitate older or odder
// Zoho answers.
type switches struct {
	legacyExpiry      bool
	omitScope         bool
	reshuffleScopes   bool
	omitRefreshToken  bool
	localizedThrottle bool
	throttleStatus    int
}

// New makes an emulator with no clients.
func New(opts Options) *Emulator {
	apiDomains := make(map[string]string, len(defaultAPIDomains))
	for dc, domain := range defaultAPIDomains {
		apiDomains[dc] = domain
	}
	return &Emulator{
		opts:          opts.withDefaults(),
		clients:       map[string]*clientRecord{},
		codes:         map[string]*codeRecord{},
		refreshTokens: map[string]*refreshRecord{},
		accessTokens:  map[string]*accessRecord{},
		refreshOrder:  map[ownerKey][]string{},
		windows:       map[string]*mintWindow{},
		apiDomains:    apiDomains,
		sw:            switches{throttleStatus: http.StatusOK},
		stats:         newStats(),
	}
}

// now reads the configured clock. It is called before taking the lock, so
// a test clock may itself lock without any ordering concern.
func (e *Emulator) now() time.Time { return e.opts.Now() }

// Handler is the accounts host of one data center ("us", "eu", "in", "au",
// "jp", "cn", "ca", "sa", "uk"). It panics on an unknown data center.
func (e *Emulator) Handler(dc string) http.Handler {
	mustKnowDataCenter(dc)
	return &dcHandler{e: e, dc: dc}
}

// TB is the part of testing.TB that StartServer uses. Tests pass their
// *testing.T; this package imports nothing of package testing, because the
// released zoho-emulator links it.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Serve serves Handler(dc) on 127.0.0.1 and returns its base URL
// (http://127.0.0.1:PORT, no trailing slash) and a function that stops it.
// The listener is bound to IPv4 loopback explicitly: code under test allows
// plain http only for loopback hosts.
func (e *Emulator) Serve(dc string) (url string, stop func() error, err error) {
	return ServeHandler(e.Handler(dc))
}

// ServeHandler serves handler on 127.0.0.1 as Serve does: a data center's
// host as a caller wraps it (to watch or time its requests).
func ServeHandler(handler http.Handler) (url string, stop func() error, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("zohotest: listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: time.Minute}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), srv.Close, nil
}

// StartServer is Serve until the test ends.
func (e *Emulator) StartServer(t TB, dc string) string {
	t.Helper()
	url, stop, err := e.Serve(dc)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { _ = stop() })
	return url
}

// SetAPIDomain overrides the api_domain answered by dc, for example to point
// API calls back at the emulator itself.
func (e *Emulator) SetAPIDomain(dc, url string) {
	mustKnowDataCenter(dc)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.apiDomains[dc] = url
}

// SetLegacyExpiry makes token answers carry "expires_in_sec" (seconds) and
// "expires_in" in milliseconds, as Zoho did until about 2019.
func (e *Emulator) SetLegacyExpiry(on bool) { e.setSwitch(func(s *switches) { s.legacyExpiry = on }) }

// SetOmitScope drops "scope" from token answers, as older Zoho answers did.
func (e *Emulator) SetOmitScope(on bool) { e.setSwitch(func(s *switches) { s.omitScope = on }) }

// SetReshuffledScopes makes token answers list the granted scopes in reverse
// order and lower case: Zoho's answers are known to vary in both, so a client
// must not expect its request echoed back.
func (e *Emulator) SetReshuffledScopes(on bool) {
	e.setSwitch(func(s *switches) { s.reshuffleScopes = on })
}

// SetOmitRefreshToken makes code exchanges answer without a refresh token
// (and create none), as Zoho does for access_type=online or a repeated
// consent without prompt=consent.
func (e *Emulator) SetOmitRefreshToken(on bool) {
	e.setSwitch(func(s *switches) { s.omitRefreshToken = on })
}

// SetThrottleStatus sets the HTTP status of throttle answers. Zoho's sources
// disagree between 200 (the default) and 400; 0 restores 200.
func (e *Emulator) SetThrottleStatus(status int) {
	if status == 0 {
		status = http.StatusOK
	}
	e.setSwitch(func(s *switches) { s.throttleStatus = status })
}

// SetLocalizedThrottle makes throttle answers Chinese, as Zoho sends them to
// users whose locale is Chinese: clients must not match the English text.
func (e *Emulator) SetLocalizedThrottle(on bool) {
	e.setSwitch(func(s *switches) { s.localizedThrottle = on })
}

func (e *Emulator) setSwitch(set func(*switches)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	set(&e.sw)
}
