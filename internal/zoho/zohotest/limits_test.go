package zohotest_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

const (
	englishThrottleBody = `{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}`
	chineseThrottleBody = `{"error_description":"您已连续提出过多请求，请稍后再试。","error":"拒绝访问","status":"failure"}`
)

func TestRefreshThrottle(t *testing.T) {
	cases := []struct {
		name       string
		configure  func(*zohotest.Emulator)
		wantStatus int
		wantBody   string
	}{
		{"default: HTTP 200, English", func(*zohotest.Emulator) {}, http.StatusOK, englishThrottleBody},
		{"HTTP 400", func(e *zohotest.Emulator) { e.SetThrottleStatus(http.StatusBadRequest) }, http.StatusBadRequest, englishThrottleBody},
		{"localized", func(e *zohotest.Emulator) { e.SetLocalizedThrottle(true) }, http.StatusOK, chineseThrottleBody},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			tc.configure(v.emu)
			c := v.selfClient("us")
			rt := v.refreshToken(c)
			for range 10 {
				v.mint("us", c, rt)
			}

			resp := v.token("us", refreshParams(c, rt))

			if resp.status != tc.wantStatus || string(resp.raw) != tc.wantBody {
				t.Fatalf("11th refresh: %d %s, want %d %s", resp.status, resp.raw, tc.wantStatus, tc.wantBody)
			}
			wantJSONContentType(t, resp)
			if got := v.emu.MintsFor(rt); got != 10 {
				t.Errorf("MintsFor = %d, want 10 (a throttled request mints nothing)", got)
			}
			v.clock.Advance(10 * time.Minute)
			v.mint("us", c, rt)
		})
	}
}

// The block lasts for the rest of a window that opened at the first mint:
// it is not a sliding window, so at the window's end a full quota returns.
func TestThrottleWindowStartsAtFirstMint(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	rt := v.refreshToken(c)
	v.mint("us", c, rt)
	v.clock.Advance(9 * time.Minute)
	for range 9 {
		v.mint("us", c, rt)
	}
	wantThrottled(t, v, c, rt)
	v.clock.Advance(time.Minute - time.Second)
	wantThrottled(t, v, c, rt)
	v.clock.Advance(time.Second)
	for range 10 {
		v.mint("us", c, rt)
	}
	wantThrottled(t, v, c, rt)
}

func TestThrottleOptionsAndMethod(t *testing.T) {
	v := newEnv(t, zohotest.Options{MintLimit: 2, MintWindow: time.Minute})
	c := v.selfClient("us")
	rt, other := v.refreshToken(c), v.refreshToken(c)
	v.mint("us", c, rt)
	v.mint("us", c, rt)
	wantThrottled(t, v, c, rt)
	v.mint("us", c, other) // the throttle is per refresh token

	v.clock.Advance(time.Minute)
	v.emu.Throttle(other)
	wantThrottled(t, v, c, other)
	v.mint("us", c, rt)
	v.clock.Advance(time.Minute)
	v.mint("us", c, other)
}

func wantThrottled(t *testing.T, v *env, c zohotest.Client, rt string) {
	t.Helper()
	if resp := v.token("us", refreshParams(c, rt)); string(resp.raw) != englishThrottleBody {
		t.Fatalf("refresh: %d %s, want the throttle answer", resp.status, resp.raw)
	}
}

func TestLiveAccessTokenCap(t *testing.T) {
	v := newEnv(t, zohotest.Options{MintLimit: 100})
	c := v.selfClient("us")
	oldest, rt := v.exchange("us", c, v.code(c, zohotest.CodeOptions{}))
	second := v.mint("us", c, rt)
	for range 13 {
		v.mint("us", c, rt)
	}
	wantAPIStatus(t, v.callAPI("us", oldest), http.StatusOK) // 15 live: all still work

	newest := v.mint("us", c, rt) // the 16th silently kills the oldest

	wantAPIStatus(t, v.callAPI("us", oldest), http.StatusUnauthorized)
	wantAPIStatus(t, v.callAPI("us", second), http.StatusOK)
	wantAPIStatus(t, v.callAPI("us", newest), http.StatusOK)
	if got := v.emu.LiveAccessTokens(rt); got != 15 {
		t.Errorf("LiveAccessTokens = %d, want 15", got)
	}
	if v.emu.AccessTokenLive(oldest) {
		t.Error("AccessTokenLive(oldest) = true after eviction")
	}
}

func TestExpiredAccessTokensFreeTheirSlots(t *testing.T) {
	v := newEnv(t, zohotest.Options{MintLimit: 100, LiveAccessTokenCap: 3})
	c := v.selfClient("us")
	rt := v.refreshToken(c)
	first := v.mint("us", c, rt)
	v.mint("us", c, rt)
	v.clock.Advance(time.Hour)
	if got := v.emu.LiveAccessTokens(rt); got != 0 {
		t.Fatalf("LiveAccessTokens = %d an hour later, want 0", got)
	}
	wantAPIStatus(t, v.callAPI("us", first), http.StatusUnauthorized)
	fresh := []string{v.mint("us", c, rt), v.mint("us", c, rt), v.mint("us", c, rt)}
	for _, at := range fresh {
		wantAPIStatus(t, v.callAPI("us", at), http.StatusOK)
	}
}

func TestRefreshTokenCap(t *testing.T) {
	v := newEnv(t, zohotest.Options{CodeIssueLimit: 100})
	c := v.selfClient("us")
	otherClient := v.selfClient("us")
	otherRT := v.refreshToken(otherClient)
	firstAT, firstRT := v.exchange("us", c, v.code(c, zohotest.CodeOptions{}))
	_, secondRT := v.exchange("us", c, v.code(c, zohotest.CodeOptions{}))
	for range 18 {
		v.exchange("us", c, v.code(c, zohotest.CodeOptions{}))
	}
	if !v.emu.RefreshTokenLive(firstRT) {
		t.Fatal("the 20th refresh token evicted the first; the cap is 20")
	}

	v.exchange("us", c, v.code(c, zohotest.CodeOptions{})) // the 21st

	if v.emu.RefreshTokenLive(firstRT) {
		t.Error("the oldest refresh token survived the 21st")
	}
	wantGrantError(t, v.token("us", refreshParams(c, firstRT)), "invalid_code")
	wantAPIStatus(t, v.callAPI("us", firstAT), http.StatusUnauthorized)
	if !v.emu.RefreshTokenLive(secondRT) || !v.emu.RefreshTokenLive(otherRT) {
		t.Error("eviction went beyond the oldest token of this user and client")
	}
}

func TestClientCredentials(t *testing.T) {
	cases := []struct {
		name      string
		orgs      []string
		scope     string
		soid      string
		wantScope string
	}{
		{"comma-separated scopes, no org", nil, "ZohoCRM.users.READ,ZohoCRM.org.READ", "", "ZohoCRM.users.READ ZohoCRM.org.READ"},
		{"space-separated scopes", nil, "ZohoCRM.users.READ ZohoCRM.org.READ", "", "ZohoCRM.users.READ ZohoCRM.org.READ"},
		{"one org, soid optional", []string{"ZohoCRM.111"}, "ZohoCRM.users.READ", "", "ZohoCRM.users.READ"},
		{"one org, soid given", []string{"ZohoCRM.111"}, "ZohoCRM.users.READ", "ZohoCRM.111", "ZohoCRM.users.READ"},
		{"several orgs, soid given", []string{"ZohoCRM.111", "ZohoCRM.222"}, "ZohoCRM.users.READ", "ZohoCRM.222", "ZohoCRM.users.READ"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			c := v.emu.RegisterClient(zohotest.Client{Orgs: tc.orgs})
			params := credentialsParams(c, tc.scope)
			if tc.soid != "" {
				params.Set("soid", tc.soid)
			}

			resp := v.token("us", params)

			if got, want := resp.keys(t), []string{"access_token", "scope", "api_domain", "token_type", "expires_in"}; !slices.Equal(got, want) {
				t.Fatalf("keys = %v, want %v (no refresh token)", got, want)
			}
			if got := resp.str(t, "scope"); got != tc.wantScope {
				t.Errorf("scope = %q, want %q", got, tc.wantScope)
			}
			wantAPIStatus(t, v.callAPI("us", resp.str(t, "access_token")), http.StatusOK)
			if got := v.emu.ClientCredentialsMints(c.ID); got != 1 {
				t.Errorf("ClientCredentialsMints = %d, want 1", got)
			}
		})
	}
}

func TestClientCredentialsThrottlePerClient(t *testing.T) {
	v := newEnv(t, zohotest.Options{MintLimit: 2})
	c, other := v.selfClient("us"), v.selfClient("us")
	for range 2 {
		if resp := v.token("us", credentialsParams(c, "A.b.READ")); resp.str(t, "access_token") == "" {
			t.Fatalf("mint refused: %s", resp.raw)
		}
	}
	if resp := v.token("us", credentialsParams(c, "A.b.READ")); string(resp.raw) != englishThrottleBody {
		t.Fatalf("3rd mint: %s, want the throttle answer", resp.raw)
	}
	if resp := v.token("us", credentialsParams(other, "A.b.READ")); resp.str(t, "access_token") == "" {
		t.Fatalf("another client was throttled too: %s", resp.raw)
	}
	if got := v.emu.ClientCredentialsMints(c.ID); got != 2 {
		t.Errorf("ClientCredentialsMints = %d, want 2", got)
	}
}

func TestIssueGrantCode(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	for range 10 {
		code := v.code(c, zohotest.CodeOptions{})
		if !tokenPattern.MatchString(code) {
			t.Fatalf("code %q not shaped 1000.<hex>.<hex>", code)
		}
	}
	_, err := v.emu.IssueGrantCode(c.ID, zohotest.CodeOptions{})
	wantAccountsError(t, err, "access_denied")
	v.clock.Advance(10 * time.Minute)
	v.code(c, zohotest.CodeOptions{})

	_, err = v.emu.IssueGrantCode("1000.UNKNOWN", zohotest.CodeOptions{})
	wantAccountsError(t, err, "invalid_client")
	_, err = v.emu.IssueGrantCode(c.ID, zohotest.CodeOptions{DC: "eu"})
	wantAccountsError(t, err, "invalid_client")
	_, err = v.emu.IssueGrantCode(v.webClient().ID, zohotest.CodeOptions{RedirectURI: "https://evil.example.com"})
	wantAccountsError(t, err, "invalid_redirect_uri")
	_, err = v.emu.IssueRefreshToken("1000.UNKNOWN", nil)
	wantAccountsError(t, err, "invalid_client")
}

func wantAccountsError(t *testing.T, err error, code string) {
	t.Helper()
	var ae *zohotest.AccountsError
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("error = %v, want an *AccountsError with code %q", err, code)
	}
}
