package zohotest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

func TestAdminIssueCode(t *testing.T) {
	cases := []struct {
		name          string
		dc            string
		params        func(c zohotest.Client) url.Values
		wantStatus    int
		wantError     string
		wantExpiresIn string
	}{
		{"default expiry", "us", func(c zohotest.Client) url.Values {
			return adminParams(c, "ZohoCRM.users.READ,ZohoCRM.modules.ALL")
		}, http.StatusOK, "", "180"},
		{"chosen expiry", "us", func(c zohotest.Client) url.Values {
			return with(adminParams(c, "ZohoCRM.users.READ"), "expiry_minutes", "10")
		}, http.StatusOK, "", "600"},
		{"expiry too short", "us", func(c zohotest.Client) url.Values {
			return with(adminParams(c, "ZohoCRM.users.READ"), "expiry_minutes", "0")
		}, http.StatusBadRequest, "invalid_request", ""},
		{"expiry too long", "us", func(c zohotest.Client) url.Values {
			return with(adminParams(c, "ZohoCRM.users.READ"), "expiry_minutes", "11")
		}, http.StatusBadRequest, "invalid_request", ""},
		{"expiry not a number", "us", func(c zohotest.Client) url.Values {
			return with(adminParams(c, "ZohoCRM.users.READ"), "expiry_minutes", "5m")
		}, http.StatusBadRequest, "invalid_request", ""},
		{"no scope", "us", func(c zohotest.Client) url.Values {
			return adminParams(c, "")
		}, http.StatusBadRequest, "invalid_scope", ""},
		{"wrong secret", "us", func(c zohotest.Client) url.Values {
			return with(adminParams(c, "ZohoCRM.users.READ"), "client_secret", "wrong")
		}, http.StatusUnauthorized, "invalid_client_secret", ""},
		{"unknown client", "us", func(c zohotest.Client) url.Values {
			return with(adminParams(c, "ZohoCRM.users.READ"), "client_id", "1000.NOPE")
		}, http.StatusUnauthorized, "invalid_client", ""},
		{"client of another data center", "eu", func(c zohotest.Client) url.Values {
			return adminParams(c, "ZohoCRM.users.READ")
		}, http.StatusUnauthorized, "invalid_client", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			c := v.selfClient("us")

			resp := v.post(tc.dc, "/_emulator/self-client/code", tc.params(c))

			wantJSONContentType(t, resp)
			body := resp.json(t)
			if gotError, _ := body["error"].(string); resp.status != tc.wantStatus || gotError != tc.wantError {
				t.Fatalf("got %d %s, want %d with error %q", resp.status, resp.raw, tc.wantStatus, tc.wantError)
			}
			if tc.wantStatus != http.StatusOK {
				return
			}
			if fmt.Sprint(body["expires_in"]) != tc.wantExpiresIn || !tokenPattern.MatchString(body["code"].(string)) {
				t.Fatalf("answer %s, want a code and expires_in %s", resp.raw, tc.wantExpiresIn)
			}
			at, _ := v.exchange("us", c, body["code"].(string))
			wantAPIStatus(t, v.callAPI("us", at), http.StatusOK)
		})
	}
}

func TestAdminIssueCodeRefusals(t *testing.T) {
	v := newEnv(t, zohotest.Options{CodeIssueLimit: 1})
	c := v.selfClient("us")
	if resp := v.post("us", "/_emulator/self-client/code", adminParams(c, "A.b.READ")); resp.status != http.StatusOK {
		t.Fatalf("first code: %d %s", resp.status, resp.raw)
	}
	resp := v.post("us", "/_emulator/self-client/code", adminParams(c, "A.b.READ"))
	if resp.status != http.StatusTooManyRequests || resp.str(t, "error") != "access_denied" {
		t.Errorf("past the limit: %d %s, want 429 access_denied", resp.status, resp.raw)
	}
	web := v.webClient()
	resp = v.post("us", "/_emulator/self-client/code", adminParams(web, "A.b.READ"))
	if resp.status != http.StatusBadRequest || resp.str(t, "error") != "unauthorized_client" {
		t.Errorf("server-based client: %d %s, want 400 unauthorized_client", resp.status, resp.raw)
	}
}

func TestAdminCodeExpiresAsChosen(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	code := v.post("us", "/_emulator/self-client/code", with(adminParams(c, "A.b.READ"), "expiry_minutes", "1")).str(t, "code")
	v.clock.Advance(time.Minute)
	wantGrantError(t, v.token("us", codeParams(c, code)), "invalid_code")
}

func adminParams(c zohotest.Client, scope string) url.Values {
	return url.Values{"client_id": {c.ID}, "client_secret": {c.Secret}, "scope": {scope}}
}
