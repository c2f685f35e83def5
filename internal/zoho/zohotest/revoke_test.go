package zohotest_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

const revokeFailureBody = `{"status":"failure","error":"invalid_token"}`

func TestRevoke(t *testing.T) {
	type tokens struct {
		client        zohotest.Client
		refresh       string
		access, other string // both minted from refresh
	}
	cases := []struct {
		name       string
		request    func(v *env, tk tokens) response
		wantStatus int
		check      func(t *testing.T, v *env, tk tokens)
	}{
		{"refresh token in the body cascades to its access tokens", func(v *env, tk tokens) response {
			return v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {tk.refresh}})
		}, http.StatusOK, func(t *testing.T, v *env, tk tokens) {
			wantGrantError(t, v.token("us", refreshParams(tk.client, tk.refresh)), "invalid_code")
			wantAPIStatus(t, v.callAPI("us", tk.access), http.StatusUnauthorized)
			wantAPIStatus(t, v.callAPI("us", tk.other), http.StatusUnauthorized)
			if v.emu.RefreshTokenLive(tk.refresh) || v.emu.LiveAccessTokens(tk.refresh) != 0 {
				t.Error("revoked tokens still live")
			}
		}},
		{"refresh token in the query string", func(v *env, tk tokens) response {
			return v.post("us", "/oauth/v2/token/revoke?"+url.Values{"token": {tk.refresh}}.Encode(), nil)
		}, http.StatusOK, func(t *testing.T, v *env, tk tokens) {
			if v.emu.RefreshTokenLive(tk.refresh) {
				t.Error("refresh token still live")
			}
		}},
		{"access token alone", func(v *env, tk tokens) response {
			return v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {tk.access}})
		}, http.StatusOK, func(t *testing.T, v *env, tk tokens) {
			wantAPIStatus(t, v.callAPI("us", tk.access), http.StatusUnauthorized)
			wantAPIStatus(t, v.callAPI("us", tk.other), http.StatusOK)
			v.mint("us", tk.client, tk.refresh)
		}},
		{"already revoked", func(v *env, tk tokens) response {
			v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {tk.refresh}})
			return v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {tk.refresh}})
		}, http.StatusBadRequest, nil},
		{"unknown token", func(v *env, _ tokens) response {
			return v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {"1000.abc.def"}})
		}, http.StatusBadRequest, nil},
		{"no token", func(v *env, _ tokens) response {
			return v.post("us", "/oauth/v2/token/revoke", nil)
		}, http.StatusBadRequest, nil},
		{"token of another data center", func(v *env, tk tokens) response {
			return v.post("eu", "/oauth/v2/token/revoke", url.Values{"token": {tk.refresh}})
		}, http.StatusBadRequest, func(t *testing.T, v *env, tk tokens) {
			if !v.emu.RefreshTokenLive(tk.refresh) {
				t.Error("another DC revoked the token")
			}
		}},
		{"expired access token", func(v *env, tk tokens) response {
			v.clock.Advance(time.Hour)
			return v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {tk.access}})
		}, http.StatusBadRequest, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			c := v.selfClient("us")
			rt := v.refreshToken(c)
			tk := tokens{client: c, refresh: rt, access: v.mint("us", c, rt), other: v.mint("us", c, rt)}

			resp := tc.request(v, tk)

			wantJSONContentType(t, resp)
			wantBody := map[int]string{http.StatusOK: `{"status":"success"}`, http.StatusBadRequest: revokeFailureBody}[tc.wantStatus]
			if resp.status != tc.wantStatus || string(resp.raw) != wantBody {
				t.Fatalf("revoke: %d %s, want %d %s", resp.status, resp.raw, tc.wantStatus, wantBody)
			}
			if tc.check != nil {
				tc.check(t, v, tk)
			}
		})
	}
}

func TestRevokeNeedsNoClientAuthentication(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	rt := v.refreshToken(c)
	params := url.Values{"token": {rt}, "client_id": {"1000.WRONG"}, "client_secret": {"wrong"}}
	if resp := v.post("us", "/oauth/v2/token/revoke", params); resp.status != http.StatusOK {
		t.Fatalf("revoke with junk client credentials: %d %s", resp.status, resp.raw)
	}
}
