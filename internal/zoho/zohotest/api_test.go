package zohotest_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

const invalidTokenBody = `{"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}`

func TestProtectedAPI(t *testing.T) {
	cases := []struct {
		name          string
		authorization func(v *env, at string) string
		dc            string
		wantStatus    int
	}{
		{"Zoho-oauthtoken scheme", func(_ *env, at string) string { return "Zoho-oauthtoken " + at }, "us", http.StatusOK},
		{"Bearer scheme", func(_ *env, at string) string { return "Bearer " + at }, "us", http.StatusOK},
		{"scheme in another case", func(_ *env, at string) string { return "bearer " + at }, "us", http.StatusOK},
		{"no header", func(*env, string) string { return "" }, "us", http.StatusUnauthorized},
		{"unknown scheme", func(_ *env, at string) string { return "Token " + at }, "us", http.StatusUnauthorized},
		{"unknown token", func(*env, string) string { return "Bearer 1000.abc.def" }, "us", http.StatusUnauthorized},
		{"expired token", func(v *env, at string) string {
			v.clock.Advance(time.Hour)
			return "Bearer " + at
		}, "us", http.StatusUnauthorized},
		{"token of another data center", func(_ *env, at string) string { return "Bearer " + at }, "eu", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			at := v.token("us", credentialsParams(v.selfClient("us"), "ZohoCRM.users.READ")).str(t, "access_token")
			v.clock.Advance(time.Hour - time.Second) // one second of life left

			resp := v.callAPIWithHeader(tc.dc, tc.authorization(v, at))

			wantAPIStatus(t, resp, tc.wantStatus)
			wantJSONContentType(t, resp)
			if tc.wantStatus == http.StatusUnauthorized && string(resp.raw) != invalidTokenBody {
				t.Errorf("401 body = %s, want %s", resp.raw, invalidTokenBody)
			}
			if tc.wantStatus == http.StatusOK {
				wantCurrentUser(t, resp, "user-1")
			}
		})
	}
}

func wantCurrentUser(t *testing.T, resp response, userID string) {
	t.Helper()
	users, _ := resp.json(t)["users"].([]any)
	if len(users) != 1 {
		t.Fatalf("users = %s, want one", resp.raw)
	}
	user := users[0].(map[string]any)
	if user["email"] != userID+"@example.com" || user["full_name"] != "Emulated User" || user["status"] != "active" ||
		!regexp.MustCompile(`^\d{19}$`).MatchString(user["id"].(string)) {
		t.Errorf("user = %v", user)
	}
}

func TestProtectedAPIReportsTheTokenOwner(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.emu.RegisterClient(zohotest.Client{UserID: "alice"})
	at := v.token("us", credentialsParams(c, "ZohoCRM.users.READ")).str(t, "access_token")
	wantCurrentUser(t, v.callAPI("us", at), "alice")
}

func TestProtectedAPIMethod(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	resp := v.do(mustRequest(t, http.MethodPost, v.url("us")+"/crm/v8/users?type=CurrentUser"))
	if resp.status != http.StatusMethodNotAllowed || resp.header.Get("Allow") != http.MethodGet {
		t.Fatalf("POST: %d Allow=%q, want 405 Allow=GET", resp.status, resp.header.Get("Allow"))
	}
}

// Generic REST clients read an object back by id after finding it: the
// current user's own id answers the user, any other id CRM's "no such
// record", and a bad token still 401.
func TestProtectedAPIUserByID(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	at := v.token("us", credentialsParams(v.selfClient("us"), "ZohoCRM.users.READ")).str(t, "access_token")
	id := v.callAPI("us", at).json(t)["users"].([]any)[0].(map[string]any)["id"].(string)
	get := func(path, token string) response {
		req := mustRequest(t, http.MethodGet, v.url("us")+path)
		req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
		return v.do(req)
	}
	wantCurrentUser(t, get("/crm/v8/users/"+id, at), "user-1")
	if resp := get("/crm/v8/users/1234", at); resp.status != http.StatusNotFound || resp.str(t, "code") != "INVALID_DATA" {
		t.Errorf("another id: %d %s, want 404 INVALID_DATA", resp.status, resp.raw)
	}
	if resp := get("/crm/v8/users/"+id, "1000.abc.def"); resp.status != http.StatusUnauthorized {
		t.Errorf("unknown token: %d, want 401", resp.status)
	}
}

// RequireToken gives any handler the protected API's token rules and 401.
func TestRequireToken(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("reached " + r.URL.Path)) })
	srv := httptest.NewServer(v.emu.RequireToken("us", echo))
	t.Cleanup(srv.Close)
	at := v.token("us", credentialsParams(v.selfClient("us"), "ZohoCRM.users.READ")).str(t, "access_token")
	euToken := v.token("eu", credentialsParams(v.selfClient("eu"), "ZohoCRM.users.READ")).str(t, "access_token")
	call := func(authorization string) response {
		req := mustRequest(t, http.MethodPost, srv.URL+"/any/path")
		req.Header.Set("Authorization", authorization)
		return v.do(req)
	}
	before := v.emu.Counters().APICalls

	if resp := call("Zoho-oauthtoken " + at); resp.status != http.StatusOK || string(resp.raw) != "reached /any/path" {
		t.Errorf("live token: %d %s, want 200 from the handler", resp.status, resp.raw)
	}
	for name, authorization := range map[string]string{"no token": "", "another DC's token": "Bearer " + euToken, "unknown token": "Bearer 1000.abc.def"} {
		if resp := call(authorization); resp.status != http.StatusUnauthorized || string(resp.raw) != invalidTokenBody {
			t.Errorf("%s: %d %s, want 401 %s", name, resp.status, resp.raw, invalidTokenBody)
		}
	}
	v.clock.Advance(time.Hour)
	if resp := call("Zoho-oauthtoken " + at); resp.status != http.StatusUnauthorized {
		t.Errorf("expired token: %d %s, want 401", resp.status, resp.raw)
	}
	if got := v.emu.Counters().APICalls - before; got != 5 {
		t.Errorf("APICalls grew by %d, want 5", got)
	}
}
