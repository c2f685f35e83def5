package zoho

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// answer is every field Zoho's token and revoke endpoints are known to send.
type answer struct {
	AccessToken      string      `json:"access_token"`
	RefreshToken     string      `json:"refresh_token"`
	Scope            string      `json:"scope"`
	APIDomain        string      `json:"api_domain"`
	TokenType        string      `json:"token_type"`
	ExpiresIn        json.Number `json:"expires_in"`
	ExpiresInSec     json.Number `json:"expires_in_sec"`
	Error            string      `json:"error"`
	ErrorDescription string      `json:"error_description"`
	Status           string      `json:"status"`
}

// Access token lifetimes. Zoho documents 3600 s for every access token;
// accessTokenLifetime is used when an answer carries no expiry at all.
// Anything under a second (zero, negative, garbage) becomes minLifetime, and
// anything over maxLifetime is clamped to it (see lifetime).
const (
	accessTokenLifetime = time.Hour
	minLifetime         = time.Minute
	maxLifetime         = MaxTokenLifetime
	// shortestBelieved is the least lifetime an answer is believed: a
	// second, as the emulator's -access-token-ttl allows.
	shortestBelieved = time.Second
)

// logLine receives a debug line; the client passes one to Config.Log.
type logLine func(msg string, fields map[string]any)

// decodeAnswer reads a JSON answer, reporting a 5xx, an HTML page, an empty
// body or broken JSON as what it is rather than as a parse error.
func decodeAnswer(op Operation, resp *http.Response) (*answer, error) {
	body, readErr := io.ReadAll(resp.Body)
	return judgeAnswer(op, resp.StatusCode, resp.Header.Get("Content-Type"), body, readErr)
}

func judgeAnswer(op Operation, status int, contentType string, body []byte, readErr error) (*answer, error) {
	fail := func(problem string) error {
		return &ResponseError{Op: op, StatusCode: status, ContentType: contentType, Problem: problem}
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case readErr != nil:
		return nil, fail("a body that broke off (" + readErr.Error() + ")")
	case status >= 500:
		return nil, fail("a server error")
	case len(trimmed) == 0:
		return nil, fail("an empty body")
	case looksLikeHTML(contentType, trimmed):
		return nil, fail("an HTML page instead of JSON (a login, maintenance or proxy page; check accounts_url)")
	}
	var ans answer
	if err := json.Unmarshal(trimmed, &ans); err != nil {
		return nil, fail("a body that is not the JSON Zoho sends")
	}
	return &ans, nil
}

func looksLikeHTML(contentType string, body []byte) bool {
	media, _, _ := mime.ParseMediaType(contentType)
	return media == "text/html" || body[0] == '<'
}

// parseTokenResponse checks every answer for "error" and for a missing
// access_token whatever its HTTP status: Zoho answers errors with 200.
//
// The code exchange is the exception in the other direction: an answer that
// carries a refresh token is kept whatever its status and Content-Type,
// because Zoho consumed the code to issue it and rejecting it would orphan
// a live token that nobody can revoke.
func parseTokenResponse(op Operation, resp *http.Response, now time.Time, log logLine) (*Token, error) {
	body, readErr := io.ReadAll(resp.Body)
	status, contentType := resp.StatusCode, resp.Header.Get("Content-Type")
	if op == OpExchangeCode && readErr == nil {
		if ans := issuedRefreshToken(body); ans != nil {
			if media, _, _ := mime.ParseMediaType(contentType); status < 200 || status > 299 || media != "application/json" || ans.Error != "" {
				log("kept the refresh token of a code exchange answer with an unexpected HTTP status, Content-Type or error field", map[string]any{
					"operation": string(op), "status": status, "content_type": contentType,
				})
			}
			return newToken(ans, now, log), nil
		}
	}
	ans, err := judgeAnswer(op, status, contentType, body, readErr)
	if err != nil {
		return nil, err
	}
	if ans.Error != "" {
		return nil, classifyError(op, status, ans.Error, ans.ErrorDescription, ans.Status)
	}
	if ans.AccessToken == "" {
		return nil, &ResponseError{Op: op, StatusCode: status, ContentType: contentType, Problem: "JSON without an access_token"}
	}
	if status < 200 || status > 299 {
		return nil, &ResponseError{Op: op, StatusCode: status, ContentType: contentType, Problem: "an unexpected status for a token"}
	}
	return newToken(ans, now, log), nil
}

// issuedRefreshToken returns the answer when body is JSON carrying both a
// refresh token and an access token, else nil.
func issuedRefreshToken(body []byte) *answer {
	var ans answer
	if json.Unmarshal(bytes.TrimSpace(body), &ans) != nil || ans.RefreshToken == "" || ans.AccessToken == "" {
		return nil
	}
	return &ans
}

func newToken(ans *answer, now time.Time, log logLine) *Token {
	ttl, field, raw, clamped := lifetime(ans)
	if clamped {
		if len(raw) > 40 {
			raw = raw[:40] + "..."
		}
		log("access token lifetime outside the expected range: clamped", map[string]any{
			"field": field, "raw": raw, "clamped_to": ttl.String(),
		})
	}
	return &Token{
		AccessToken:  ans.AccessToken,
		RefreshToken: ans.RefreshToken,
		APIDomain:    ans.APIDomain,
		TokenType:    ans.TokenType,
		Scopes:       splitScopes(ans.Scope),
		ExpiresAt:    now.Add(ttl),
	}
}

// lifetime reads the access token's lifetime in seconds from expires_in_sec
// (legacy answers, whose expires_in is in milliseconds) or else expires_in;
// an answer with neither gets Zoho's documented hour. field and raw name
// the value used.
//
// A value under a second or above an hour is clamped (clamped = true).
// Above an hour it is a unit mistake (a legacy server's milliseconds
// without expires_in_sec) or garbage, and believing it would keep a dead
// token in caches for days. Under a second (zero, negative) is nothing Zoho
// sends: it becomes a minute, short enough to be safe, yet the token is not
// dead on arrival and no cache (min_token_lifetime) keeps it. A short
// lifetime that is a lifetime (the emulator's -access-token-ttl 30s) is
// believed, so that nothing hands out a token past its end.
func lifetime(ans *answer) (ttl time.Duration, field, raw string, clamped bool) {
	field, raw = "expires_in_sec", ans.ExpiresInSec.String()
	if raw == "" {
		field, raw = "expires_in", ans.ExpiresIn.String()
	}
	if raw == "" {
		return accessTokenLifetime, "", "", false
	}
	// A json.Number always parses; one out of float64's range gives ±Inf
	// or 0 with an error, which the bounds below handle alike.
	secs, _ := strconv.ParseFloat(raw, 64)
	switch {
	case !(secs >= shortestBelieved.Seconds()): // also NaN
		return minLifetime, field, raw, true
	case secs > maxLifetime.Seconds():
		return maxLifetime, field, raw, true
	}
	return time.Duration(secs * float64(time.Second)), field, raw, false
}

// splitScopes splits Zoho's space-separated scope answer (commas tolerated);
// nil when Zoho sent none.
func splitScopes(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	if len(fields) == 0 {
		return nil
	}
	return fields
}
