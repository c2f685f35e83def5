package zohotest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

func TestTokenEndpointErrors(t *testing.T) {
	cases := []struct {
		name   string
		opts   zohotest.Options
		dc     string // where the request goes; "" = "us"
		params func(v *env) url.Values
		want   string
	}{
		{"grant_type missing", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.selfClient("us")
			return url.Values{"client_id": {c.ID}, "client_secret": {c.Secret}}
		}, "unsupported_grant_type"},
		{"grant_type unknown", zohotest.Options{}, "", func(v *env) url.Values {
			return with(credentialsParams(v.selfClient("us"), "ZohoCRM.users.READ"), "grant_type", "password")
		}, "unsupported_grant_type"},
		{"grant_type checked before the client", zohotest.Options{}, "", func(*env) url.Values {
			return url.Values{"grant_type": {"password"}, "client_id": {"1000.NOPE"}}
		}, "unsupported_grant_type"},
		{"client_id unknown", zohotest.Options{}, "", func(v *env) url.Values {
			return with(codeParams(v.selfClient("us"), "x"), "client_id", "1000.UNKNOWN")
		}, "invalid_client"},
		{"client_id missing", zohotest.Options{}, "", func(v *env) url.Values {
			p := codeParams(v.selfClient("us"), "x")
			p.Del("client_id")
			return p
		}, "invalid_client"},
		{"client of another data center", zohotest.Options{}, "eu", func(v *env) url.Values {
			c := v.selfClient("us")
			return codeParams(c, v.code(c, zohotest.CodeOptions{}))
		}, "invalid_client"},
		{"data center checked before the secret", zohotest.Options{}, "eu", func(v *env) url.Values {
			return with(codeParams(v.selfClient("us"), "x"), "client_secret", "wrong")
		}, "invalid_client"},
		{"client_secret wrong", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.selfClient("us")
			return with(codeParams(c, v.code(c, zohotest.CodeOptions{})), "client_secret", "0123")
		}, "invalid_client_secret"},
		{"client_secret missing", zohotest.Options{}, "", func(v *env) url.Values {
			p := refreshParams(v.selfClient("us"), "x")
			p.Del("client_secret")
			return p
		}, "invalid_client_secret"},
		{"code unknown", zohotest.Options{}, "", func(v *env) url.Values {
			return codeParams(v.selfClient("us"), "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef")
		}, "invalid_code"},
		{"code already used", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.selfClient("us")
			code := v.code(c, zohotest.CodeOptions{})
			v.exchange("us", c, code)
			return codeParams(c, code)
		}, "invalid_code"},
		{"code expired (default 3 minutes)", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.selfClient("us")
			code := v.code(c, zohotest.CodeOptions{})
			v.clock.Advance(3 * time.Minute)
			return codeParams(c, code)
		}, "invalid_code"},
		{"code expired (CodeTTL option)", zohotest.Options{CodeTTL: time.Minute}, "", func(v *env) url.Values {
			c := v.selfClient("us")
			code := v.code(c, zohotest.CodeOptions{})
			v.clock.Advance(time.Minute)
			return codeParams(c, code)
		}, "invalid_code"},
		{"code expired (per-code TTL)", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.selfClient("us")
			code := v.code(c, zohotest.CodeOptions{TTL: 90 * time.Second})
			v.clock.Advance(90 * time.Second)
			return codeParams(c, code)
		}, "invalid_code"},
		{"code of another client", zohotest.Options{}, "", func(v *env) url.Values {
			other := v.selfClient("us")
			return codeParams(v.selfClient("us"), v.code(other, zohotest.CodeOptions{}))
		}, "invalid_code"},
		{"code of another data center (Multi-DC client)", zohotest.Options{}, "us", func(v *env) url.Values {
			c := v.emu.RegisterClient(zohotest.Client{MultiDC: true, RedirectURIs: []string{"https://app.example.com/cb"}})
			code := v.code(c, zohotest.CodeOptions{DC: "eu"})
			return with(codeParams(c, code), "redirect_uri", "https://app.example.com/cb")
		}, "invalid_code"},
		{"redirect_uri differs", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.webClient()
			return with(codeParams(c, v.code(c, zohotest.CodeOptions{})), "redirect_uri", "https://evil.example.com/cb")
		}, "invalid_redirect_uri"},
		{"redirect_uri missing", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.webClient()
			return codeParams(c, v.code(c, zohotest.CodeOptions{}))
		}, "invalid_redirect_uri"},
		{"redirect_uri registered but not the code's", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.webClient()
			code := v.code(c, zohotest.CodeOptions{RedirectURI: "https://app.example.com/alt"})
			return with(codeParams(c, code), "redirect_uri", "https://app.example.com/cb")
		}, "invalid_redirect_uri"},
		{"refresh token unknown", zohotest.Options{}, "", func(v *env) url.Values {
			return refreshParams(v.selfClient("us"), "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef")
		}, "invalid_code"},
		{"refresh token of another client", zohotest.Options{}, "", func(v *env) url.Values {
			return refreshParams(v.selfClient("us"), v.refreshToken(v.selfClient("us")))
		}, "invalid_code"},
		{"refresh token revoked", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.selfClient("us")
			rt := v.refreshToken(c)
			v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {rt}})
			return refreshParams(c, rt)
		}, "invalid_code"},
		{"refresh token evicted", zohotest.Options{RefreshTokenCap: 1}, "", func(v *env) url.Values {
			c := v.selfClient("us")
			rt := v.refreshToken(c)
			v.refreshToken(c)
			return refreshParams(c, rt)
		}, "invalid_code"},
		{"refresh token of another data center (Multi-DC client)", zohotest.Options{}, "eu", func(v *env) url.Values {
			c := v.emu.RegisterClient(zohotest.Client{MultiDC: true, RedirectURIs: []string{"https://app.example.com/cb"}})
			return refreshParams(c, v.refreshToken(c))
		}, "invalid_code"},
		{"client_credentials for a server-based client", zohotest.Options{}, "", func(v *env) url.Values {
			return credentialsParams(v.webClient(), "ZohoCRM.users.READ")
		}, "unauthorized_client"},
		{"client_credentials without scope", zohotest.Options{}, "", func(v *env) url.Values {
			return credentialsParams(v.selfClient("us"), " , ")
		}, "invalid_scope"},
		{"client_credentials without soid for several orgs", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.emu.RegisterClient(zohotest.Client{Orgs: []string{"ZohoCRM.111", "ZohoCRM.222"}})
			return credentialsParams(c, "ZohoCRM.users.READ")
		}, "missing_org_info"},
		{"client_credentials with a foreign soid", zohotest.Options{}, "", func(v *env) url.Values {
			c := v.emu.RegisterClient(zohotest.Client{Orgs: []string{"ZohoCRM.111"}})
			return with(credentialsParams(c, "ZohoCRM.users.READ"), "soid", "ZohoCRM.999")
		}, "invalid_client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, tc.opts)
			dc := tc.dc
			if dc == "" {
				dc = "us"
			}
			params := tc.params(v)
			before := v.emu.Counters().Mints
			wantGrantError(t, v.token(dc, params), tc.want)
			if after := v.emu.Counters().Mints; after != before {
				t.Errorf("Mints went from %d to %d on a refused request", before, after)
			}
		})
	}
}

func TestCodeExchangeAnswer(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	code := v.code(c, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ", "ZohoCRM.modules.ALL"}})
	v.clock.Advance(3*time.Minute - time.Second) // still valid one second before expiry

	resp := v.token("us", codeParams(c, code))

	wantJSONContentType(t, resp)
	wantKeys := []string{"access_token", "refresh_token", "scope", "api_domain", "token_type", "expires_in"}
	if got := resp.keys(t); !slices.Equal(got, wantKeys) {
		t.Fatalf("keys = %v, want %v (Zoho's order)", got, wantKeys)
	}
	body := resp.json(t)
	for _, key := range []string{"access_token", "refresh_token"} {
		if !tokenPattern.MatchString(body[key].(string)) {
			t.Errorf("%s = %q, not shaped 1000.<32 hex>.<32 hex>", key, body[key])
		}
	}
	checks := map[string]string{
		"scope":      "ZohoCRM.users.READ ZohoCRM.modules.ALL",
		"api_domain": "https://www.zohoapis.com",
		"token_type": "Bearer",
		"expires_in": "3600",
	}
	for key, want := range checks {
		if got := fmt.Sprint(body[key]); got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	rt := body["refresh_token"].(string)
	if !v.emu.RefreshTokenLive(rt) || !v.emu.AccessTokenLive(body["access_token"].(string)) || v.emu.LiveAccessTokens(rt) != 1 {
		t.Errorf("tokens not live after exchange: refresh %v, access %v, live count %d",
			v.emu.RefreshTokenLive(rt), v.emu.AccessTokenLive(body["access_token"].(string)), v.emu.LiveAccessTokens(rt))
	}
}

func TestRefreshAnswer(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	first, rt := v.exchange("us", c, v.code(c, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}}))

	resp := v.token("us", refreshParams(c, rt))

	wantKeys := []string{"access_token", "scope", "api_domain", "token_type", "expires_in"}
	if got := resp.keys(t); !slices.Equal(got, wantKeys) {
		t.Fatalf("keys = %v, want %v (no refresh_token: Zoho does not rotate)", got, wantKeys)
	}
	at := resp.str(t, "access_token")
	if at == first || !tokenPattern.MatchString(at) || resp.str(t, "scope") != "ZohoCRM.users.READ" {
		t.Errorf("refresh answer %s: want a new access token and the refresh token's scope", resp.raw)
	}
	if got := v.emu.MintsFor(rt); got != 1 {
		t.Errorf("MintsFor = %d, want 1 (the exchange's token is not a refresh)", got)
	}
	if got := v.emu.LiveAccessTokens(rt); got != 2 {
		t.Errorf("LiveAccessTokens = %d, want 2", got)
	}
}

func TestSelfClientCodeIgnoresRedirectURI(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	resp := v.token("us", with(codeParams(c, v.code(c, zohotest.CodeOptions{})), "redirect_uri", "https://anything.example.com"))
	if resp.str(t, "access_token") == "" {
		t.Fatalf("Self Client code with a redirect_uri refused: %s", resp.raw)
	}
}

func TestServerClientCodeExchange(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.webClient()
	code := v.code(c, zohotest.CodeOptions{RedirectURI: "https://app.example.com/alt"})
	resp := v.token("us", with(codeParams(c, code), "redirect_uri", "https://app.example.com/alt"))
	if resp.str(t, "refresh_token") == "" {
		t.Fatalf("exchange with the code's redirect_uri failed: %s", resp.raw)
	}
}

func TestParameterTransports(t *testing.T) {
	cases := []struct {
		name    string
		request func(v *env, params url.Values) *http.Request
	}{
		{"query string, empty body", func(v *env, p url.Values) *http.Request {
			req := v.formRequest("us", "/oauth/v2/token?"+p.Encode(), nil)
			return req
		}},
		{"x-www-form-urlencoded body", func(v *env, p url.Values) *http.Request {
			return v.formRequest("us", "/oauth/v2/token", p)
		}},
		{"multipart/form-data body", func(v *env, p url.Values) *http.Request {
			return v.multipartRequest("us", "/oauth/v2/token", p)
		}},
		{"query and multipart mixed", func(v *env, p url.Values) *http.Request {
			query := url.Values{"grant_type": p["grant_type"], "client_id": p["client_id"]}
			body := url.Values{"client_secret": p["client_secret"], "code": p["code"]}
			return v.multipartRequest("us", "/oauth/v2/token?"+query.Encode(), body)
		}},
		{"body wins over query", func(v *env, p url.Values) *http.Request {
			query := url.Values{"client_secret": {"stale"}}
			return v.formRequest("us", "/oauth/v2/token?"+query.Encode(), p)
		}},
		{"client credentials in a Basic header", func(v *env, p url.Values) *http.Request {
			body := url.Values{"grant_type": p["grant_type"], "code": p["code"]}
			req := v.formRequest("us", "/oauth/v2/token", body)
			req.SetBasicAuth(p.Get("client_id"), p.Get("client_secret"))
			return req
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			c := v.selfClient("us")
			resp := v.do(tc.request(v, codeParams(c, v.code(c, zohotest.CodeOptions{}))))
			if resp.status != http.StatusOK || resp.str(t, "access_token") == "" {
				t.Fatalf("got %d %s, want tokens", resp.status, resp.raw)
			}
		})
	}
}

func TestAPIDomainPerDataCenter(t *testing.T) {
	want := map[string]string{
		"us": "https://www.zohoapis.com", "eu": "https://www.zohoapis.eu", "in": "https://www.zohoapis.in",
		"au": "https://www.zohoapis.com.au", "jp": "https://www.zohoapis.jp", "cn": "https://www.zohoapis.com.cn",
		"ca": "https://www.zohoapis.ca", "sa": "https://www.zohoapis.sa", "uk": "https://www.zohoapis.uk",
	}
	if got := zohotest.DataCenters(); len(got) != len(want) {
		t.Fatalf("DataCenters() = %v, want the %d data centers", got, len(want))
	}
	for _, dc := range zohotest.DataCenters() {
		t.Run(dc, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			c := v.selfClient(dc)
			resp := v.token(dc, codeParams(c, v.code(c, zohotest.CodeOptions{})))
			if got := resp.str(t, "api_domain"); got != want[dc] {
				t.Errorf("api_domain = %q, want %q", got, want[dc])
			}
		})
	}
	t.Run("SetAPIDomain", func(t *testing.T) {
		v := newEnv(t, zohotest.Options{})
		c := v.selfClient("eu")
		v.emu.SetAPIDomain("eu", "http://127.0.0.1:1234")
		if got := v.token("eu", credentialsParams(c, "A.b.READ")).str(t, "api_domain"); got != "http://127.0.0.1:1234" {
			t.Errorf("api_domain = %q after SetAPIDomain", got)
		}
	})
}

func TestMultiDCClientTokensStayInTheirDataCenter(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	const redirect = "https://app.example.com/cb"
	c := v.emu.RegisterClient(zohotest.Client{MultiDC: true, RedirectURIs: []string{redirect}})
	code := v.code(c, zohotest.CodeOptions{DC: "eu"})

	resp := v.token("eu", with(codeParams(c, code), "redirect_uri", redirect))
	rt := resp.str(t, "refresh_token")
	if rt == "" || resp.str(t, "api_domain") != "https://www.zohoapis.eu" {
		t.Fatalf("exchange at the issuing DC failed: %s", resp.raw)
	}
	v.mint("eu", c, rt)
	wantGrantError(t, v.token("us", refreshParams(c, rt)), "invalid_code")
	wantAPIStatus(t, v.callAPI("us", resp.str(t, "access_token")), http.StatusUnauthorized)
	wantAPIStatus(t, v.callAPI("eu", resp.str(t, "access_token")), http.StatusOK)
}

func TestMethodAndPathErrors(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	for _, path := range []string{"/oauth/v2/token", "/oauth/v2/token/revoke", "/_emulator/self-client/code"} {
		resp := v.do(mustRequest(t, http.MethodGet, v.url("us")+path))
		if resp.status != http.StatusMethodNotAllowed || resp.header.Get("Allow") != http.MethodPost {
			t.Errorf("GET %s: %d Allow=%q, want 405 Allow=POST", path, resp.status, resp.header.Get("Allow"))
		}
		wantJSONContentType(t, resp)
	}
	resp := v.do(mustRequest(t, http.MethodGet, v.url("us")+"/oauth/v2/nothing"))
	if resp.status != http.StatusNotFound || resp.str(t, "error") != "not_found" {
		t.Errorf("unknown path: %d %s, want 404 JSON", resp.status, resp.raw)
	}
	wantJSONContentType(t, resp)
}

func mustRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
