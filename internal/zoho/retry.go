package zoho

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryPolicy says which failures a request may be repeated after.
type retryPolicy int

const (
	// retrySafe: refresh, client credentials and revoke are idempotent
	// enough (at worst one more access token is minted), so network errors,
	// 429 and 5xx are retried.
	retrySafe retryPolicy = iota
	// retryNeverSent: a grant code is consumed by the first request that
	// reaches Zoho, and a second one would only earn invalid_code while the
	// first answer (the refresh token) is lost. Only requests that certainly
	// never left are repeated.
	retryNeverSent
)

func (p retryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if isCertificateError(err) {
			return false, nil // only a configuration change fixes it
		}
		return p == retrySafe || neverSent(err), nil
	}
	if p == retryNeverSent {
		return false, nil
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, nil
}

// neverSent reports whether err proves the request did not reach a server:
// the name did not resolve, the connection was refused, or the TLS
// handshake rejected the server's certificate (before any HTTP byte).
func neverSent(err error) bool {
	if isCertificateError(err) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// isCertificateError reports whether err is a TLS certificate verification
// failure: the server is not who accounts_url says, or the machine lacks
// the CA that signed it. Retrying cannot help.
func isCertificateError(err error) bool {
	var (
		verifyErr    *tls.CertificateVerificationError
		authorityErr x509.UnknownAuthorityError
		invalidErr   x509.CertificateInvalidError
		hostnameErr  x509.HostnameError
		rootsErr     x509.SystemRootsError
	)
	return errors.As(err, &verifyErr) || errors.As(err, &authorityErr) || errors.As(err, &invalidErr) ||
		errors.As(err, &hostnameErr) || errors.As(err, &rootsErr)
}

// isTimeout reports whether err is a deadline running out. Callers check
// first that it was not the caller's own context.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}

// backoff is exponential with full jitter between min and the doubled step,
// and waits at least as long as a Retry-After header asks (up to a minute).
// go-retryablehttp passes attempt 0 before the first retry.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	step := longestBackoff(minWait, maxWait, attempt)
	wait := minWait + rand.N(step-minWait+1)
	if after, ok := retryAfter(resp); ok && after > wait {
		wait = min(after, maxRetryAfter)
	}
	return wait
}

// longestBackoff is the most backoff waits before retry number attempt
// (from 0) when no Retry-After asks for more.
func longestBackoff(minWait, maxWait time.Duration, attempt int) time.Duration {
	step := minWait << min(attempt, 16)
	if step <= 0 || step > maxWait {
		step = maxWait
	}
	return max(step, minWait)
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

// newRetryingClient builds the per-call retrying client; its hooks log each
// attempt with the caller's context (tflog needs one) and count attempts.
func (c *Client) newRetryingClient(ctx context.Context, op Operation, policy retryPolicy, attempts *int, secret secrets) *retryablehttp.Client {
	maxRetries := c.cfg.MaxRetries
	return &retryablehttp.Client{
		HTTPClient:   c.httpClient,
		RetryWaitMin: c.cfg.RetryWaitMin,
		RetryWaitMax: c.cfg.RetryWaitMax,
		RetryMax:     maxRetries,
		CheckRetry:   policy.checkRetry,
		Backoff:      backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, retry int) {
			*attempts = retry + 1
			c.cfg.Log(ctx, "sending request to Zoho Accounts", map[string]any{
				"operation": string(op), "method": req.Method, "url": req.URL.String(), "attempt": retry + 1,
			})
		},
		ResponseLogHook: func(_ retryablehttp.Logger, resp *http.Response) {
			c.cfg.Log(ctx, "Zoho Accounts answered", secret.scrubFields(map[string]any{
				"operation": string(op), "status": resp.StatusCode, "content_type": resp.Header.Get("Content-Type"),
			}))
		},
	}
}
