package zoho

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

const (
	tokenPath  = "/oauth/v2/token"
	revokePath = "/oauth/v2/token/revoke"
)

// ExchangeCode trades a single-use grant code for a refresh token (and a
// first access token). redirectURI is needed only for server-based clients.
//
// The request is never repeated once it may have reached Zoho, and from
// that moment it is no longer abandoned when ctx is cancelled: Zoho consumes
// the code as it issues the refresh token, so dropping the answer would
// lose both. The attempt then ends with Zoho's answer or request_timeout.
// A ctx that is already done sends nothing.
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI string) (*Token, error) {
	form := c.clientForm("authorization_code")
	form.Set("code", code)
	if redirectURI != "" {
		form.Set("redirect_uri", redirectURI)
	}
	tok, err := c.token(ctx, OpExchangeCode, retryNeverSent, form)
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken == "" {
		return nil, &NoRefreshTokenError{APIDomain: tok.APIDomain, Scopes: tok.Scopes}
	}
	return tok, nil
}

// Refresh mints a new access token from a refresh token. Zoho does not
// rotate refresh tokens, so the result's RefreshToken is empty.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	form := c.clientForm("refresh_token")
	form.Set("refresh_token", refreshToken)
	return c.token(ctx, OpRefresh, retrySafe, form)
}

// ClientCredentials mints an access token for a Self Client without any
// refresh token. soid ("ZohoCRM.<org id>") picks the organisation when the
// client belongs to several.
func (c *Client) ClientCredentials(ctx context.Context, scopes []string, soid string) (*Token, error) {
	form := c.clientForm("client_credentials")
	form.Set("scope", strings.Join(scopes, ","))
	if soid != "" {
		form.Set("soid", soid)
	}
	tok, err := c.token(ctx, OpClientCredentials, retrySafe, form)
	if err == nil && tok.Scopes == nil {
		// Zoho does not always echo the scope: report what was asked for.
		tok.Scopes = append([]string(nil), scopes...)
	}
	return tok, err
}

// Mint gets a new access token for g: with its refresh token when it has
// one, else with the client credentials grant.
func (c *Client) Mint(ctx context.Context, g Grant) (*Token, error) {
	if g.RefreshToken != "" {
		return c.Refresh(ctx, g.RefreshToken)
	}
	return c.ClientCredentials(ctx, g.Scopes, g.SOID)
}

// Revoke revokes a refresh token (and every access token minted from it) or
// a single access token. It returns ErrTokenNotFound only for Zoho's answer
// to an unknown or already revoked token: HTTP 400 with JSON whose error is
// "invalid_token". Any other 400 (a proxy's HTML page, an empty body, the
// throttle answer) is an error, since the token may still be live.
func (c *Client) Revoke(ctx context.Context, token string) error {
	form := url.Values{"token": {token}}
	secret := secretsOf(form)
	resp, err := c.post(ctx, OpRevoke, retrySafe, revokePath, form, secret)
	if err != nil {
		return secret.redact(err)
	}
	defer resp.Body.Close()
	return secret.redact(revokeResult(resp))
}

func revokeResult(resp *http.Response) error {
	ans, err := decodeAnswer(OpRevoke, resp)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusBadRequest && strings.EqualFold(strings.TrimSpace(ans.Error), CodeInvalidToken) {
		return ErrTokenNotFound
	}
	if ans.Error != "" {
		return classifyError(OpRevoke, resp.StatusCode, ans.Error, ans.ErrorDescription, ans.Status)
	}
	contentType := resp.Header.Get("Content-Type")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &ResponseError{Op: OpRevoke, StatusCode: resp.StatusCode, ContentType: contentType, Problem: "an unexpected status for a revocation"}
	}
	if !strings.EqualFold(ans.Status, "success") {
		return &ResponseError{Op: OpRevoke, StatusCode: resp.StatusCode, ContentType: contentType, Problem: "JSON without status \"success\""}
	}
	return nil
}

func (c *Client) clientForm(grantType string) url.Values {
	return url.Values{
		"grant_type":    {grantType},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
	}
}

func (c *Client) token(ctx context.Context, op Operation, policy retryPolicy, form url.Values) (*Token, error) {
	secret := secretsOf(form)
	resp, err := c.post(ctx, op, policy, tokenPath, form, secret)
	if err != nil {
		return nil, secret.redact(err)
	}
	defer resp.Body.Close()
	logf := func(msg string, fields map[string]any) { c.cfg.Log(ctx, msg, secret.scrubFields(fields)) }
	tok, err := parseTokenResponse(op, resp, c.cfg.Now(), logf)
	return tok, secret.redact(err)
}

// post sends form as an x-www-form-urlencoded body (secrets never go into
// the URL, where proxies and access logs would keep them) and returns the
// answer with its body read into memory, so that reading it is part of the
// attempt: a body that breaks off is retried like any network error.
func (c *Client) post(ctx context.Context, op Operation, policy retryPolicy, path string, form url.Values, secret secrets) (*http.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err) // nothing was sent
	}
	reqCtx, guard := ctx, (*sendGuard)(nil)
	if policy == retryNeverSent {
		var release func()
		reqCtx, guard, release = detachOnceConnected(ctx)
		defer release()
	}
	req, err := retryablehttp.NewRequestWithContext(reqCtx, http.MethodPost, c.cfg.AccountsURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	req.SetResponseHandler(bufferBody)
	attempts := 0
	resp, err := c.newRetryingClient(ctx, op, policy, &attempts, secret).Do(req)
	if err == nil {
		// The last of several retryable answers (a 5xx) skips the handler.
		err = bufferBody(resp)
	}
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, transportFailure(ctx, op, max(attempts, 1), guard, err)
	}
	return resp, nil
}

// bufferedBody is an answer read into memory.
type bufferedBody struct{ *bytes.Reader }

func (bufferedBody) Close() error { return nil }

// bufferBody reads (a bounded amount of) the answer into memory; real
// answers are under 1 KiB.
func bufferBody(resp *http.Response) error {
	if _, done := resp.Body.(bufferedBody); done {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	resp.Body.Close()
	resp.Body = bufferedBody{bytes.NewReader(body)}
	return err
}

// transportFailure turns a failed request into the caller's own context
// error when that context ended (and the request could be abandoned), or
// else into a *TransportError that says whether the request may have
// reached Zoho and whether request_timeout ran out.
func transportFailure(ctx context.Context, op Operation, attempts int, guard *sendGuard, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !guard.mayHaveSent() {
		return fmt.Errorf("%s: %w", op, ctxErr)
	}
	terr := &TransportError{
		Op:                   op,
		Attempts:             attempts,
		MayHaveReachedServer: !neverSent(err),
		Certificate:          isCertificateError(err),
		Err:                  err,
	}
	if isTimeout(err) {
		terr.Timeout = true
		terr.Err = &timeoutError{msg: err.Error()}
	}
	return terr
}
