package zoho

import (
	"errors"
	"fmt"
	"strings"
)

// Operation names the call that failed, for error text and logs.
type Operation string

const (
	OpExchangeCode      Operation = "grant code exchange"
	OpRefresh           Operation = "access token refresh"
	OpClientCredentials Operation = "client credentials grant"
	OpRevoke            Operation = "token revocation"
)

// Error codes Zoho answers in the "error" field (zohotest answers each the
// way Zoho does).
const (
	CodeInvalidCode          = "invalid_code"
	CodeInvalidClient        = "invalid_client"
	CodeInvalidClientSecret  = "invalid_client_secret"
	CodeInvalidRedirectURI   = "invalid_redirect_uri"
	CodeAccessDenied         = "access_denied"
	CodeInvalidScope         = "invalid_scope"
	CodeMissingOrgInfo       = "missing_org_info"
	CodeUnsupportedGrantType = "unsupported_grant_type"
	CodeUnauthorizedClient   = "unauthorized_client"
	// CodeInvalidToken is what revocation answers (with HTTP 400) for a
	// token the server does not know.
	CodeInvalidToken = "invalid_token"
	// CodeThrottled is the code this package gives Zoho's throttle answer,
	// whose own "error" text is localised ("Access Denied", "拒绝访问", ...).
	CodeThrottled = "throttled"
)

var knownCodes = map[string]bool{
	CodeInvalidCode: true, CodeInvalidClient: true, CodeInvalidClientSecret: true,
	CodeInvalidRedirectURI: true, CodeAccessDenied: true, CodeInvalidScope: true,
	CodeMissingOrgInfo: true, CodeUnsupportedGrantType: true, CodeUnauthorizedClient: true,
	CodeInvalidToken: true,
}

// Error is an OAuth error Zoho answered (usually with HTTP 200).
type Error struct {
	Op Operation
	// Code is one of the Code* constants when recognised, else Zoho's text.
	Code string
	// Raw is the "error" field exactly as Zoho sent it.
	Raw         string
	Description string
	HTTPStatus  int
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: Zoho answered %s", e.Op, e.Raw)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// classifyError turns the error fields of a Zoho answer into an *Error. The
// throttle answer is recognised by its English text or, since Zoho localises
// it, by status "failure" with an error that is no known code.
func classifyError(op Operation, status int, raw, description, state string) *Error {
	e := &Error{Op: op, Raw: raw, Description: description, HTTPStatus: status}
	lower := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case knownCodes[lower]:
		e.Code = lower
	case lower == "access denied" || strings.EqualFold(state, "failure"):
		e.Code = CodeThrottled
	default:
		e.Code = raw
	}
	return e
}

// ResponseError is an answer that is not an OAuth answer at all: an HTML
// page, an empty body, a server error, or JSON without an access token.
type ResponseError struct {
	Op          Operation
	StatusCode  int
	ContentType string
	// Problem says what was wrong, e.g. "an HTML page" or "an empty body".
	Problem string
}

func (e *ResponseError) Error() string {
	msg := fmt.Sprintf("%s: the accounts server answered HTTP %d with %s", e.Op, e.StatusCode, e.Problem)
	if e.ContentType != "" {
		msg += " (Content-Type " + e.ContentType + ")"
	}
	if e.Op == OpExchangeCode && e.ServerError() {
		// A gateway's 5xx can hide an answer Zoho did send.
		msg += "; Zoho may have processed the request and consumed the single-use grant code, so it was not repeated"
	}
	return msg
}

// ServerError reports whether the answer was a 5xx: a fault on Zoho's side.
func (e *ResponseError) ServerError() bool { return e.StatusCode >= 500 }

// TransportError is a request that got no answer: connection refused, DNS,
// timeout, a TLS certificate that was not accepted, a connection closed
// mid-way. When the caller's own context ends, the client returns that
// context's error instead (context.Canceled or context.DeadlineExceeded), so
// a TransportError never means "you told us to stop". The one exception is
// a code exchange already sent: it runs on despite the cancellation, and a
// failure of it is a TransportError like any other.
type TransportError struct {
	Op       Operation
	Attempts int
	// MayHaveReachedServer is false only when the request certainly never
	// left (dial, DNS or TLS certificate failure). A grant code is then
	// still unused.
	MayHaveReachedServer bool
	// Timeout is true when the last attempt ran out of request_timeout
	// (Config.RequestTimeout), not the caller's context. Err then no longer
	// matches context.DeadlineExceeded: that error is reserved for the
	// caller's own deadline.
	Timeout bool
	// Certificate is true when the server's TLS certificate was refused
	// (unknown authority, expired, wrong host name). It is never retried:
	// only a configuration change fixes it.
	Certificate bool
	Err         error
}

func (e *TransportError) Error() string {
	what := "no answer from the accounts server"
	switch {
	case e.Certificate:
		what = "the accounts server's TLS certificate was not accepted (check accounts_url, any TLS-inspecting proxy and the system's CA certificates)"
	case e.Timeout:
		what = "no answer from the accounts server within request_timeout"
	}
	msg := fmt.Sprintf("%s: %s after %d attempt(s): %v", e.Op, what, e.Attempts, e.Err)
	if e.Op == OpExchangeCode && e.MayHaveReachedServer {
		msg += " (the request may have reached Zoho and consumed the single-use grant code, so it was not repeated)"
	}
	return msg
}

func (e *TransportError) Unwrap() error { return e.Err }

// timeoutError keeps the text of a request_timeout expiry but not its
// chain: net/http's timeout errors match context.DeadlineExceeded, which
// callers must be able to reserve for their own context's deadline.
type timeoutError struct{ msg string }

func (e *timeoutError) Error() string { return e.msg }

// NoRefreshTokenError is a code exchange that Zoho answered with an access
// token and no refresh token. The code is spent. Zoho does this for a code
// generated for online access (access_type=online, the authorization URL's
// default) and for a user who had consented to the client before when the
// URL did not ask for prompt=consent; Self Client codes always carry one.
type NoRefreshTokenError struct {
	// APIDomain and Scopes are what the access-only answer said.
	APIDomain string
	Scopes    []string
}

func (e *NoRefreshTokenError) Error() string {
	return fmt.Sprintf("%s: Zoho answered with an access token but no refresh token (the code was generated for online access, "+
		"or without prompt=consent for a user who had consented before); the code is spent", OpExchangeCode)
}

// ErrTokenNotFound is Revoke's answer when Zoho answers HTTP 400 with its
// JSON for an unknown token ({"error":"invalid_token"}): the token was
// revoked already or never existed at that accounts server. Any other 400
// is an error, since the token may still be live.
var ErrTokenNotFound = errors.New("the accounts server does not know this token (HTTP 400, invalid_token): it was revoked already or never existed there")

// secrets are the values a request carried that must never appear in error
// text or logs. Zoho does not echo them, but a proxy's error page or a
// misbehaving server might, and whatever a server says can end up in an
// error (the "error" field, a Content-Type, a malformed status line).
type secrets []string

// minSecretLen keeps redaction from garbling messages with short values no
// real Zoho credential has (codes, tokens and secrets are 32+ characters).
const minSecretLen = 8

// secretsOf collects the secret values of a request form.
func secretsOf(form map[string][]string) secrets {
	var s secrets
	for _, key := range []string{"client_secret", "code", "refresh_token", "token"} {
		for _, v := range form[key] {
			if len(v) >= minSecretLen {
				s = append(s, v)
			}
		}
	}
	return s
}

func (s secrets) scrub(text string) string {
	for _, v := range s {
		text = strings.ReplaceAll(text, v, "REDACTED")
	}
	return text
}

// scrubFields returns log fields with every string value scrubbed.
func (s secrets) scrubFields(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		if str, ok := v.(string); ok {
			v = s.scrub(str)
		}
		out[k] = v
	}
	return out
}

// redact removes secrets from the server-supplied parts of err, which this
// package created for this one call.
func (s secrets) redact(err error) error {
	if err == nil || len(s) == 0 {
		return err
	}
	var zerr *Error
	if errors.As(err, &zerr) {
		zerr.Code, zerr.Raw, zerr.Description = s.scrub(zerr.Code), s.scrub(zerr.Raw), s.scrub(zerr.Description)
	}
	var rerr *ResponseError
	if errors.As(err, &rerr) {
		rerr.ContentType, rerr.Problem = s.scrub(rerr.ContentType), s.scrub(rerr.Problem)
	}
	var terr *TransportError
	if errors.As(err, &terr) && terr.Err != nil {
		if text := terr.Err.Error(); s.scrub(text) != text {
			terr.Err = errors.New(s.scrub(text))
		}
	}
	return err
}
