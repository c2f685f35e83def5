package zoho

import (
	"context"
	"errors"
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
// The request is never repeated once it may have reached Zoho.
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
		return nil, &ResponseError{Op: OpExchangeCode, StatusCode: http.StatusOK, Problem: "an access token but no refresh_token (the code was generated for online access; Self Client codes and access_type=offline codes carry one)"}
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

// Revoke revokes a refresh token (and every access token minted from it) or
// a single access token. It returns ErrTokenNotFound when Zoho answers 400,
// which it does for a token that is unknown or already revoked.
func (c *Client) Revoke(ctx context.Context, token string) error {
	resp, err := c.post(ctx, OpRevoke, retrySafe, revokePath, url.Values{"token": {token}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusBadRequest {
		return ErrTokenNotFound
	}
	ans, err := decodeAnswer(OpRevoke, resp)
	if err != nil {
		return err
	}
	if ans.Error != "" {
		return classifyError(OpRevoke, resp.StatusCode, ans.Error, ans.ErrorDescription, ans.Status)
	}
	if !strings.EqualFold(ans.Status, "success") {
		return &ResponseError{Op: OpRevoke, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Problem: "JSON without status \"success\""}
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
	resp, err := c.post(ctx, op, policy, tokenPath, form)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return parseTokenResponse(op, resp, c.cfg.Now())
}

// post sends form as an x-www-form-urlencoded body: secrets never go into
// the URL, where proxies and access logs would keep them.
func (c *Client) post(ctx context.Context, op Operation, policy retryPolicy, path string, form url.Values) (*http.Response, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.cfg.AccountsURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	attempts := 0
	resp, err := c.newRetryingClient(ctx, op, policy, &attempts).Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		return nil, &TransportError{Op: op, Attempts: attempts, MayHaveReachedServer: !neverSent(err), Err: err}
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, maxBodyBytes), resp.Body}
	return resp, nil
}
