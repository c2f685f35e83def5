// Package apiproxy is the core of the ephemeral zoho_api_proxy: a reverse
// proxy on loopback that adds a fresh Zoho access token to every request,
// so a long run outlives any one token and its consumers never see one.
//
// # What reaches upstream
//
// The proxy listens on 127.0.0.1 only, at a random 128-bit path prefix
// (URL). A request is refused, and nothing is forwarded, when:
//   - it is CONNECT (405) or its target is not a path: absolute-form
//     ("GET http://host/...") or asterisk-form (400). A client cannot name
//     another host;
//   - its Host header is not the listener's own 127.0.0.1:<port> or
//     localhost:<port> (421): a web page that rebinds its DNS name to
//     127.0.0.1 reaches the port, but with its own name as Host;
//   - its path does not start with the prefix (404): other local users and
//     processes can reach the port, not guess the prefix;
//   - its path has "." or ".." segments (400), which upstream could resolve
//     to a place outside the upstream path.
//
// The rest goes to Config.Upstream only: its scheme and host, its path
// joined with what follows the prefix, the query as sent. Incoming
// Authorization, Proxy-Authorization and Cookie headers are dropped, so a
// request acts as the token's owner and nobody else, and
// "Authorization: Zoho-oauthtoken <token>" is set. Forwarded and
// X-Forwarded-* headers are dropped and none are added: Zoho has no use for
// 127.0.0.1. An Upgrade header is dropped too (no WebSocket or h2c tunnel:
// the request goes on as plain HTTP/1.1, as to a server without them).
// Answers pass through unchanged and streamed, Set-Cookie included.
//
// # Tokens, Zoho's invalid-token answer and replay
//
// Each attempt asks TokenSource.Token, which hands out a token with enough
// life left (the provider's cache replaces tokens min_token_lifetime
// before they expire). A token can still die early: revoked, or silently
// killed when its refresh token mints its 16th live token. Zoho then
// answers HTTP 401, and the proxy recognises its invalid-token answer
// (invalidToken) by a WWW-Authenticate error="invalid_token", or by the
// JSON body's code: INVALID_TOKEN (CRM, Books and the other zohoapis
// products), INVALID_OAUTHTOKEN (Mail, Projects, Analytics) or
// INVALID_OAUTH (Desk), or its message "invalid oauth token". Any other
// 401 (OAUTH_SCOPE_MISMATCH, say) passes through: a new token would have
// the same scopes.
//
// On that answer the proxy calls TokenSource.Invalidate once for the token
// and, when the request's body was buffered (none, or at most
// Config.MaxReplayBody bytes, read before the first attempt), sends it
// again once with the next token. A larger body is streamed as it arrives,
// so it cannot be sent twice: the 401 goes to the client unchanged, and the
// client's own retry gets the new token. Minting is precious (about 10 per
// refresh token per 10 minutes), so when a fresh token is refused as well
// (an upstream that refuses every token, such as another data center's)
// the proxy does not invalidate again until an answer has accepted a token
// or invalidateCooldown has passed.
//
// # Failures, timeouts, logs
//
// A token source failure answers 503 and a failure to reach upstream 502,
// each with a one-line text/plain body that names the failure (Zoho's error
// code, the HTTP status) and never a secret; no answer in time is 504.
// Config.RequestTimeout bounds every wait on upstream without progress:
// connecting, sending, the answer's headers, each read of its body. A long
// download that keeps flowing is not cut off; a stalled one is. It also
// bounds Close's wait for requests in flight.
//
// Config.Log gets one line per request: method, the path after the prefix
// with query values removed, status, duration, whether it was replayed,
// and the error when the proxy answered itself or the answer was cut off;
// refused requests are logged without their path (it may hold a mistyped
// prefix); an invalidated token gets a line naming it by its fingerprint.
// No line, error or answer of the proxy's own holds a token or the prefix.
package apiproxy
