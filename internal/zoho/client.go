// Package zoho is a client for Zoho Accounts' OAuth endpoints: exchanging a
// grant code for a refresh token, minting access tokens (refresh token or
// client credentials) and revoking tokens.
//
// It is written by hand on net/http and go-retryablehttp rather than on
// golang.org/x/oauth2, because Zoho bends OAuth in ways that package hides:
// errors arrive as HTTP 200 bodies (the throttle one localised), old servers
// send expires_in in milliseconds, client credentials need Zoho's "soid", and
// a grant code must never be sent twice, while x/oauth2's auth-style
// auto-detection re-sends a failed request and its retries are not ours to
// decide.
package zoho

import (
	"context"
	"net/http"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// Defaults, as the provider documents them (docs/index.md).
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRetries     = 4
	defaultRetryWaitMin   = 500 * time.Millisecond
	defaultRetryWaitMax   = 15 * time.Second
	// maxRetryAfter bounds how long a Retry-After header may make us wait.
	maxRetryAfter = time.Minute
	// maxBodyBytes bounds what we read of an answer; real ones are < 1 KiB.
	maxBodyBytes = 1 << 20
)

// Config configures a Client. AccountsURL must already be normalised
// (NormalizeAccountsURL); ClientID and ClientSecret may be empty for Revoke.
type Config struct {
	AccountsURL  string
	ClientID     string
	ClientSecret string

	// RequestTimeout bounds every HTTP attempt; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxRetries is how many times a request that is safe to repeat is
	// retried (so 1+MaxRetries attempts); negative means none.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// attempts; zero means the defaults. Tests make them tiny.
	RetryWaitMin, RetryWaitMax time.Duration

	UserAgent string
	// Transport is shared between clients so connections are reused; nil
	// means a pooled transport that honours HTTPS_PROXY and NO_PROXY. A
	// custom one should be or wrap an *http.Transport: the code exchange
	// learns from its httptrace GotConn call that the request may leave,
	// after which a cancelled context no longer abandons it.
	Transport http.RoundTripper
	// Log receives one line per attempt and per answer, and a line when an
	// answer is odd but usable (a clamped lifetime, an exchange answer kept
	// despite its status or type); never a secret.
	Log LogFunc
	// Now is the clock used to turn expires_in into ExpiresAt.
	Now func() time.Time
}

// LogFunc receives the client's debug lines (one per attempt and answer)
// with structured fields. Fields carry no secret: URLs hold none (secrets
// travel in form bodies).
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

// withDefaults fills in what cfg leaves zero.
func (cfg Config) withDefaults() Config {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = defaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = defaultRetryWaitMax
	}
	if cfg.Transport == nil {
		cfg.Transport = cleanhttp.DefaultPooledTransport()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = func(context.Context, string, map[string]any) {}
	}
	return cfg
}

// MintBudget is the longest a Mint under cfg takes when Zoho answers no
// Retry-After: 1 + MaxRetries attempts of at most RequestTimeout each, and
// the longest backoff between them. A lease holder of the shared token cache
// promises the fleet an outcome within it (plus a store deadline); a longer
// Retry-After is cut short by that promise.
func (cfg Config) MintBudget() time.Duration {
	cfg = cfg.withDefaults()
	budget := time.Duration(1+cfg.MaxRetries) * cfg.RequestTimeout
	for retry := range cfg.MaxRetries {
		budget += longestBackoff(cfg.RetryWaitMin, cfg.RetryWaitMax, retry)
	}
	return budget
}

// Client talks to one accounts server with one set of client credentials.
type Client struct {
	cfg        Config
	httpClient *http.Client
}

// New returns a Client for cfg, filling in defaults.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	return &Client{
		cfg: cfg,
		httpClient: &http.Client{
			Transport: cfg.Transport,
			Timeout:   cfg.RequestTimeout,
			// The token endpoint never redirects; following one could carry
			// a form full of secrets to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}
