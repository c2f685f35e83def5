package zoho

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
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

// accessTokenLifetime is what Zoho documents for every access token; used
// only when an answer carries no expiry at all.
const accessTokenLifetime = time.Hour

// decodeAnswer reads a JSON answer, reporting a 5xx, an HTML page, an empty
// body or broken JSON as what it is rather than as a parse error.
func decodeAnswer(op Operation, resp *http.Response) (*answer, error) {
	body, readErr := io.ReadAll(resp.Body)
	contentType := resp.Header.Get("Content-Type")
	fail := func(problem string) error {
		return &ResponseError{Op: op, StatusCode: resp.StatusCode, ContentType: contentType, Problem: problem}
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case readErr != nil:
		return nil, fail("a body that broke off (" + readErr.Error() + ")")
	case resp.StatusCode >= 500:
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
func parseTokenResponse(op Operation, resp *http.Response, now time.Time) (*Token, error) {
	ans, err := decodeAnswer(op, resp)
	if err != nil {
		return nil, err
	}
	if ans.Error != "" {
		return nil, classifyError(op, resp.StatusCode, ans.Error, ans.ErrorDescription, ans.Status)
	}
	if ans.AccessToken == "" {
		return nil, &ResponseError{Op: op, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Problem: "JSON without an access_token"}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &ResponseError{Op: op, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Problem: "an unexpected status for a token"}
	}
	return &Token{
		AccessToken:  ans.AccessToken,
		RefreshToken: ans.RefreshToken,
		APIDomain:    ans.APIDomain,
		TokenType:    ans.TokenType,
		Scopes:       splitScopes(ans.Scope),
		ExpiresAt:    now.Add(lifetime(ans)),
	}, nil
}

// lifetime handles both expiry forms: today's expires_in in seconds, and the
// legacy pair where expires_in_sec is seconds and expires_in milliseconds.
func lifetime(ans *answer) time.Duration {
	if secs, err := ans.ExpiresInSec.Int64(); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if secs, err := ans.ExpiresIn.Int64(); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	return accessTokenLifetime
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
