package zohotest

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"strings"
)

// Counters is what crossed the wire, for tests that assert how many
// requests a client made (minting is precious at Zoho).
type Counters struct {
	TokenRequests  int            // every POST /oauth/v2/token that reached the handler (faulted ones included)
	ByGrantType    map[string]int // same, by grant_type ("" for requests without one)
	Mints          int            // access tokens successfully minted (any grant)
	Throttled      int            // token requests refused by a mint throttle (Zoho's "Access Denied"; injected faults count in Faults only)
	CapEvictions   int            // live access tokens silently invalidated by LiveAccessTokenCap
	RevokeRequests int            // every POST /oauth/v2/token/revoke (faulted ones included)
	Revoked        int            // tokens actually revoked (the named ones; cascaded access tokens are not counted)
	APICalls       int            // calls of the protected API (and of RequireToken's handlers), whatever the outcome
	Faults         int            // faults applied
}

// stats is the emulator's bookkeeping, guarded by its lock.
type stats struct {
	Counters
	refreshMints          map[string]int // successful refresh mints by refresh token
	clientCredentialMints map[string]int // successful client_credentials mints by client id
	peakLive              map[string]int // most live access tokens a refresh token ever had at once
}

func newStats() stats {
	return stats{
		Counters:              Counters{ByGrantType: map[string]int{}},
		refreshMints:          map[string]int{},
		clientCredentialMints: map[string]int{},
		peakLive:              map[string]int{},
	}
}

// countArrival counts a request before any fault can hit it.
func (e *Emulator) countArrival(method, path, grantType string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case path == pathToken && method == http.MethodPost:
		e.stats.TokenRequests++
		e.stats.ByGrantType[grantType]++
	case path == pathRevoke && method == http.MethodPost:
		e.stats.RevokeRequests++
	case path == pathAPIUser || strings.HasPrefix(path, pathAPIUser+"/"):
		e.stats.APICalls++
	}
}

func (e *Emulator) countAPICall() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.APICalls++
}

// Counters returns a snapshot of the counters.
func (e *Emulator) Counters() Counters {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.stats.Counters
	c.ByGrantType = maps.Clone(c.ByGrantType)
	return c
}

// MintsFor counts the access tokens ever minted by refreshing this refresh
// token (the code exchange's first token is not a refresh).
func (e *Emulator) MintsFor(refreshToken string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats.refreshMints[refreshToken]
}

// ClientCredentialsMints counts the access tokens ever minted for clientID
// with the client_credentials grant.
func (e *Emulator) ClientCredentialsMints(clientID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats.clientCredentialMints[clientID]
}

// RefreshTokenLive reports whether a refresh token still works (it was
// issued and is neither revoked nor evicted).
func (e *Emulator) RefreshTokenLive(token string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refreshTokens[token] != nil
}

// LiveRefreshTokens lists the refresh tokens of clientID that still work
// (issued by a code exchange or IssueRefreshToken, neither revoked nor
// evicted), oldest first for each user, so tests can check that every token Zoho issued
// reached the caller or was revoked: none is orphaned.
func (e *Emulator) LiveRefreshTokens(clientID string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for key, tokens := range e.refreshOrder {
		if key.clientID == clientID {
			out = append(out, tokens...)
		}
	}
	return out
}

// AccessTokenLive reports whether an access token still works: issued, not
// expired by the emulator's clock, not revoked, not evicted.
func (e *Emulator) AccessTokenLive(token string) bool {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.liveAccessToken(token, now) != nil
}

// LiveAccessTokens counts the working access tokens minted from a refresh
// token (by its code exchange and its refreshes).
func (e *Emulator) LiveAccessTokens(refreshToken string) int {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	rt := e.refreshTokens[refreshToken]
	if rt == nil {
		return 0
	}
	return e.countLiveAccessTokens(rt, now)
}

// PeakLiveAccessTokens is the most access tokens minted from a refresh
// token that were live at the same time, as of each mint: at most
// LiveAccessTokenCap, since minting past it kills the oldest. It outlives
// the refresh token, so a fleet simulation can read it at the end.
func (e *Emulator) PeakLiveAccessTokens(refreshToken string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats.peakLive[refreshToken]
}

// RecordedRequest is a request as it arrived.
type RecordedRequest struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Form                   url.Values // body params only
}

func (e *Emulator) recordRequest(r *http.Request, body url.Values) {
	rec := RecordedRequest{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Form:     body,
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = append(e.requests, rec)
}

// Requests returns copies of every request received by any data center, in
// arrival order, so tests can check for instance that no secret travelled
// in a URL, and which User-Agent was sent.
func (e *Emulator) Requests() []RecordedRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]RecordedRequest, len(e.requests))
	for i, r := range e.requests {
		r.Header = r.Header.Clone()
		r.Form = cloneValues(r.Form)
		out[i] = r
	}
	return out
}

// CodesSentTwice counts the grant codes that reached the token endpoint
// more than once (in the body or, as Zoho also takes them, the query). A
// client must never resend one: a second exchange only earns invalid_code,
// and the first answer's refresh token is lost.
func (e *Emulator) CodesSentTwice() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	sent := map[string]int{}
	twice := 0
	for _, r := range e.requests {
		query, _ := url.ParseQuery(r.RawQuery)
		param := func(name string) string { return cmp.Or(r.Form.Get(name), query.Get(name)) }
		if r.Path != pathToken || param("grant_type") != "authorization_code" {
			continue
		}
		code := param("code")
		sent[code]++
		if sent[code] == 2 {
			twice++
		}
	}
	return twice
}
