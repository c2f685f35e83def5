package zohotest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// grantCases gives one request per grant, for switches that apply to all.
var grantCases = []struct {
	name   string
	params func(v *env) url.Values
}{
	{"authorization_code", func(v *env) url.Values {
		c := v.selfClient("us")
		return codeParams(c, v.code(c, zohotest.CodeOptions{Scopes: []string{"A.b.READ"}}))
	}},
	{"refresh_token", func(v *env) url.Values {
		c := v.selfClient("us")
		return refreshParams(c, v.refreshToken(c, "A.b.READ"))
	}},
	{"client_credentials", func(v *env) url.Values {
		return credentialsParams(v.selfClient("us"), "A.b.READ")
	}},
}

func TestLegacyExpiry(t *testing.T) {
	for _, tc := range grantCases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			v.emu.SetLegacyExpiry(true)
			body := v.token("us", tc.params(v)).json(t)
			if got := fmt.Sprint(body["expires_in_sec"], " ", body["expires_in"]); got != "3600 3600000" {
				t.Errorf("expires_in_sec, expires_in = %s, want 3600 3600000 (milliseconds)", got)
			}

			v.emu.SetLegacyExpiry(false)
			body = v.token("us", tc.params(v)).json(t)
			if _, ok := body["expires_in_sec"]; ok || fmt.Sprint(body["expires_in"]) != "3600" {
				t.Errorf("legacy switched off: %v", body)
			}
		})
	}
}

func TestOmitScope(t *testing.T) {
	for _, tc := range grantCases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			v.emu.SetOmitScope(true)
			body := v.token("us", tc.params(v)).json(t)
			if _, ok := body["scope"]; ok || body["access_token"] == nil {
				t.Errorf("answer %v: want an access token and no scope", body)
			}
		})
	}
}

func TestOmitRefreshToken(t *testing.T) {
	v := newEnv(t, zohotest.Options{RefreshTokenCap: 1})
	c := v.selfClient("us")
	kept := v.refreshToken(c)
	v.emu.SetOmitRefreshToken(true)

	resp := v.token("us", codeParams(c, v.code(c, zohotest.CodeOptions{})))

	body := resp.json(t)
	if _, ok := body["refresh_token"]; ok {
		t.Fatalf("answer carries a refresh token: %s", resp.raw)
	}
	wantAPIStatus(t, v.callAPI("us", body["access_token"].(string)), http.StatusOK)
	if !v.emu.RefreshTokenLive(kept) {
		t.Error("an online exchange created a refresh token (it evicted the only slot)")
	}
	v.emu.SetOmitRefreshToken(false)
	if v.token("us", codeParams(c, v.code(c, zohotest.CodeOptions{}))).str(t, "refresh_token") == "" {
		t.Error("no refresh token after switching the omission off")
	}
}
