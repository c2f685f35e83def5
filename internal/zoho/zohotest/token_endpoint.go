package zohotest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// serveToken is POST /oauth/v2/token, the one endpoint behind all three
// grants.
func (h *dcHandler) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeMethodNotAllowed(w, http.MethodPost)
		return
	}
	params := withBasicAuth(r)
	now := h.e.now()
	h.e.tokenGrant(h.dc, params, now).write(w)
}

// withBasicAuth returns the request's parameters, with client_id and
// client_secret taken from an Authorization: Basic header when the
// parameters lack them (Zoho documents Basic auth as the third way to send
// client credentials).
func withBasicAuth(r *http.Request) url.Values {
	id, secret, ok := r.BasicAuth()
	if !ok || r.Form.Has("client_id") {
		return r.Form
	}
	params := cloneValues(r.Form)
	params.Set("client_id", id)
	params.Set("client_secret", secret)
	return params
}

// grantRequest is one token request that passed client authentication.
type grantRequest struct {
	dc     string
	client *clientRecord
	params url.Values
	now    time.Time
}

// tokenGrant checks in Zoho's order: the grant type, then the client, then
// its secret, then the grant itself.
func (e *Emulator) tokenGrant(dc string, params url.Values, now time.Time) answer {
	e.mu.Lock()
	defer e.mu.Unlock()
	grant := e.grantFunc(params.Get("grant_type"))
	if grant == nil {
		return grantError(errUnsupportedGrantType)
	}
	client, errCode := e.authenticateClient(dc, params)
	if errCode != "" {
		return grantError(errCode)
	}
	return grant(grantRequest{dc: dc, client: client, params: params, now: now})
}

func (e *Emulator) grantFunc(grantType string) func(grantRequest) answer {
	switch grantType {
	case "authorization_code":
		return e.exchangeCode
	case "refresh_token":
		return e.refreshAccessToken
	case "client_credentials":
		return e.clientCredentials
	}
	return nil
}

// authenticateClient finds the client named by client_id and checks
// client_secret. A client registered in another data center is unknown
// here (Zoho's "domain mismatch" invalid_client) unless it is Multi-DC.
// The caller holds the lock.
func (e *Emulator) authenticateClient(dc string, params url.Values) (*clientRecord, string) {
	c := e.clients[params.Get("client_id")]
	if c == nil || !c.servesDC(dc) {
		return nil, errInvalidClient
	}
	if subtle.ConstantTimeCompare([]byte(c.Secret), []byte(params.Get("client_secret"))) != 1 {
		return nil, errInvalidClientSecret
	}
	return c, ""
}

// tokenBody is a successful token answer. The field order is the order
// Zoho sends; pointers and omitempty reproduce the fields Zoho sometimes
// leaves out.
type tokenBody struct {
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token,omitempty"`
	Scope        *string `json:"scope,omitempty"`
	ExpiresInSec int64   `json:"expires_in_sec,omitempty"` // legacy answers only
	APIDomain    string  `json:"api_domain"`
	TokenType    string  `json:"token_type"`
	ExpiresIn    int64   `json:"expires_in"` // seconds; milliseconds in legacy answers
}

// tokenAnswer builds a success answer as the current switches shape it.
// The caller holds the lock.
func (e *Emulator) tokenAnswer(dc, accessToken, refreshToken string, scopes []string) answer {
	body := tokenBody{
		AccessToken:  accessToken,
		RefreshToken: refreshToken,
		APIDomain:    e.apiDomains[dc],
		TokenType:    "Bearer",
	}
	if !e.sw.omitScope {
		if e.sw.reshuffleScopes {
			scopes = reshuffled(scopes)
		}
		scope := strings.Join(scopes, " ") // Zoho answers space-separated, whatever was asked
		body.Scope = &scope
	}
	ttl := int64(e.opts.AccessTokenTTL / time.Second)
	body.ExpiresIn = ttl
	if e.sw.legacyExpiry {
		body.ExpiresInSec = ttl
		body.ExpiresIn = ttl * 1000
	}
	return answer{status: http.StatusOK, body: body}
}

// reshuffled is scopes reversed and lower-cased, as SetReshuffledScopes asks.
func reshuffled(scopes []string) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[len(scopes)-1-i] = strings.ToLower(s)
	}
	return out
}

// splitScopes reads a scope list, which Zoho documents comma-separated but
// clients also send space-separated.
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}
