package apiproxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// tokenError is a TokenSource failure: no request went upstream with it.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "getting an access token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// bodyError is a failure to read the client's request body.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "reading the request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// errUpstreamTimeout cancels an attempt that waited RequestTimeout on
// upstream without progress.
var errUpstreamTimeout = errors.New("no progress from upstream within request_timeout")

// describe maps a failure to the proxy's answer: its status and a line
// that names what failed. The line is built from typed fields, never from
// a server's or a source's free text, so it cannot carry a secret.
func describe(err error) (status int, text string) {
	var (
		terr *tokenError
		berr *bodyError
	)
	switch {
	case errors.As(err, &terr):
		return http.StatusServiceUnavailable, "no access token: " + describeTokenFailure(terr.err)
	case errors.As(err, &berr):
		return http.StatusBadRequest, "the request body could not be read"
	case errors.Is(err, errUpstreamTimeout):
		return http.StatusGatewayTimeout, "upstream answered nothing within request_timeout"
	case errors.Is(err, context.Canceled):
		return http.StatusBadGateway, "the request was cancelled (the client went away or the proxy is closing)"
	}
	return http.StatusBadGateway, "upstream could not be reached (the provider's log has the error)"
}

// describeTokenFailure names a token source failure by the zoho package's
// typed errors: Zoho's error code, the accounts server's status, or no
// answer at all.
func describeTokenFailure(err error) string {
	var (
		zerr *zoho.Error
		rerr *zoho.ResponseError
		terr *zoho.TransportError
	)
	switch {
	case errors.As(err, &zerr) && zerr.Code == zoho.CodeThrottled:
		return fmt.Sprintf("%s: Zoho throttled minting for this refresh token or client (it blocks for the rest of a 10-minute window, and users report 15 to 30 minutes while requests keep coming: wait 30 minutes without a request)", zerr.Op)
	case errors.As(err, &zerr):
		return fmt.Sprintf("%s: Zoho answered %s", zerr.Op, zerr.Code)
	case errors.As(err, &rerr):
		return fmt.Sprintf("%s: the accounts server answered HTTP %d", rerr.Op, rerr.StatusCode)
	case errors.As(err, &terr) && terr.Timeout:
		return fmt.Sprintf("%s: no answer from the accounts server within request_timeout", terr.Op)
	case errors.As(err, &terr):
		return fmt.Sprintf("%s: no answer from the accounts server", terr.Op)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	}
	return "the token source failed (see the provider's log)"
}

// logText is the failure for the log: the token source's own text (the
// provider's errors hold no secret) or the transport's, without the URL a
// *url.Error would add (its query may hold personal data).
func logText(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Op + ": " + uerr.Err.Error()
	}
	return err.Error()
}
