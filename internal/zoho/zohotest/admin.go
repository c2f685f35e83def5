package zohotest

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The admin endpoint is the API Console's "Generate Code" button for a Self
// Client, over HTTP, for people and scripts driving the emulator as a
// program. It is not part of Zoho, hence the /_emulator/ prefix.

// issuedCode answers a generated code; expires_in is in seconds.
type issuedCode struct {
	Code      string `json:"code"`
	ExpiresIn int64  `json:"expires_in"`
}

// serveIssueCode is POST /_emulator/self-client/code with client_id,
// client_secret, scope (comma-separated) and optional expiry_minutes (1-10,
// the API Console's range).
func (h *dcHandler) serveIssueCode(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeMethodNotAllowed(w, http.MethodPost)
		return
	}
	now := h.e.now()
	h.e.adminIssueCode(h.dc, r.Form, now).write(w)
}

func (e *Emulator) adminIssueCode(dc string, params url.Values, now time.Time) answer {
	e.mu.Lock()
	defer e.mu.Unlock()
	client, errCode := e.authenticateClient(dc, params)
	if errCode != "" {
		return adminError(http.StatusUnauthorized, errCode, "unknown client in this data center, or wrong client_secret")
	}
	if !client.selfClient() {
		return adminError(http.StatusBadRequest, errUnauthorizedClient, "only a Self Client generates codes in the API Console")
	}
	ttl, ok := parseExpiryMinutes(params.Get("expiry_minutes"), e.opts.CodeTTL)
	if !ok {
		return adminError(http.StatusBadRequest, errInvalidRequest, "expiry_minutes must be a whole number from 1 to 10")
	}
	scopes := splitScopes(params.Get("scope"))
	if len(scopes) == 0 {
		return adminError(http.StatusBadRequest, errInvalidScope, "scope is required (comma-separated)")
	}
	code, err := e.issueGrantCode(client.ID, CodeOptions{Scopes: scopes, TTL: ttl, DC: dc}, now)
	if err != nil {
		return accountsErrorAnswer(err)
	}
	return answer{status: http.StatusOK, body: issuedCode{Code: code, ExpiresIn: int64(ttl / time.Second)}}
}

// parseExpiryMinutes reads the optional code lifetime; "" means def.
func parseExpiryMinutes(s string, def time.Duration) (time.Duration, bool) {
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 10 {
		return 0, false
	}
	return time.Duration(n) * time.Minute, true
}

// accountsErrorAnswer maps an *AccountsError from issueGrantCode: the issue
// limit is a rate limit (429), anything else the request's fault (400).
func accountsErrorAnswer(err error) answer {
	var ae *AccountsError
	if !errors.As(err, &ae) {
		return adminError(http.StatusInternalServerError, "server_error", err.Error())
	}
	status := http.StatusBadRequest
	if ae.Code == errAccessDenied {
		status = http.StatusTooManyRequests
	}
	return adminError(status, ae.Code, ae.Description)
}

func adminError(status int, code, description string) answer {
	return answer{status: status, body: describedError{Error: code, Description: description}}
}
