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

// Error codes Zoho answers in the "error" field (zoho-oauth-facts.md §3.4).
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
	// CodeThrottled is the code this package gives Zoho's throttle answer,
	// whose own "error" text is localised ("Access Denied", "拒绝访问", ...).
	CodeThrottled = "throttled"
)

var knownCodes = map[string]bool{
	CodeInvalidCode: true, CodeInvalidClient: true, CodeInvalidClientSecret: true,
	CodeInvalidRedirectURI: true, CodeAccessDenied: true, CodeInvalidScope: true,
	CodeMissingOrgInfo: true, CodeUnsupportedGrantType: true, CodeUnauthorizedClient: true,
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

// Throttled reports whether Zoho refused because too many tokens were minted.
func (e *Error) Throttled() bool { return e.Code == CodeThrottled }

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

// HasCode reports whether err is a Zoho *Error with the given code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// IsThrottled reports whether err is Zoho's token throttle.
func IsThrottled(err error) bool { return HasCode(err, CodeThrottled) }

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
	return msg
}

// ServerError reports whether the answer was a 5xx: a fault on Zoho's side.
func (e *ResponseError) ServerError() bool { return e.StatusCode >= 500 }

// TransportError is a request that got no answer: connection refused, DNS,
// timeout, a connection closed mid-way.
type TransportError struct {
	Op       Operation
	Attempts int
	// MayHaveReachedServer is false only when the request certainly never
	// left (dial or DNS failure). A grant code is then still unused.
	MayHaveReachedServer bool
	Err                  error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: no answer from the accounts server after %d attempt(s): %v", e.Op, e.Attempts, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// ErrTokenNotFound is Revoke's answer when Zoho answers HTTP 400: the token
// is unknown to it, most likely revoked already.
var ErrTokenNotFound = errors.New("the accounts server does not know this token (HTTP 400): it was revoked already or never existed there")
