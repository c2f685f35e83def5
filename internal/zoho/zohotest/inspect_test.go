package zohotest_test

import (
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

func TestCounters(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	at, rt := v.exchange("us", c, v.code(c, zohotest.CodeOptions{}))
	v.mint("us", c, rt)
	v.token("us", with(refreshParams(c, rt), "client_secret", "wrong"))
	v.token("us", url.Values{"client_id": {c.ID}})
	v.emu.InjectFault(zohotest.Fault{Kind: zohotest.FaultStatus})
	v.token("us", refreshParams(c, rt))
	v.token("us", credentialsParams(c, "A.b.READ"))
	v.callAPI("us", at)
	v.callAPI("us", "1000.abc.def")
	v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {rt}})
	v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {rt}})
	v.post("us", "/_emulator/self-client/code", url.Values{"client_id": {c.ID}, "client_secret": {c.Secret}, "scope": {"A.b.READ"}})
	v.do(mustRequest(t, http.MethodGet, v.url("us")+"/oauth/v2/token"))

	want := zohotest.Counters{
		TokenRequests:  6,
		ByGrantType:    map[string]int{"authorization_code": 1, "refresh_token": 3, "client_credentials": 1, "": 1},
		Mints:          3,
		RevokeRequests: 2,
		Revoked:        1,
		APICalls:       2,
		Faults:         1,
	}
	got := v.emu.Counters()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Counters() = %+v\nwant         %+v", got, want)
	}
	got.ByGrantType["refresh_token"] = 99
	if v.emu.Counters().ByGrantType["refresh_token"] != 3 {
		t.Error("Counters() shares its map with the emulator")
	}
}

func TestRequestsRecordsWhatWasSent(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	code := v.code(c, zohotest.CodeOptions{})

	req := v.formRequest("us", "/oauth/v2/token?grant_type=authorization_code", url.Values{"client_id": {c.ID}, "client_secret": {c.Secret}, "code": {code}})
	req.Header.Set("User-Agent", "terraform-provider-zoho/test")
	v.do(req)
	v.do(v.multipartRequest("eu", "/oauth/v2/token/revoke", url.Values{"token": {"1000.abc.def"}}))
	v.callAPI("us", "1000.abc.def")

	got := v.emu.Requests()
	if len(got) != 3 {
		t.Fatalf("Requests() has %d entries, want 3", len(got))
	}
	first := got[0]
	if first.Method != http.MethodPost || first.Path != "/oauth/v2/token" || first.RawQuery != "grant_type=authorization_code" {
		t.Errorf("first request = %s %s ? %s", first.Method, first.Path, first.RawQuery)
	}
	if first.Header.Get("User-Agent") != "terraform-provider-zoho/test" {
		t.Errorf("User-Agent = %q", first.Header.Get("User-Agent"))
	}
	wantForm := url.Values{"client_id": {c.ID}, "client_secret": {c.Secret}, "code": {code}}
	if !reflect.DeepEqual(first.Form, wantForm) {
		t.Errorf("Form = %v, want the body parameters only %v", first.Form, wantForm)
	}
	if got[1].Path != "/oauth/v2/token/revoke" || got[1].Form.Get("token") != "1000.abc.def" {
		t.Errorf("multipart revoke recorded as %+v", got[1])
	}
	if got[2].Method != http.MethodGet || got[2].RawQuery != "type=CurrentUser" || got[2].Header.Get("Authorization") != "Zoho-oauthtoken 1000.abc.def" {
		t.Errorf("API call recorded as %+v", got[2])
	}

	got[0].Form.Set("code", "changed")
	got[0].Header.Set("User-Agent", "changed")
	again := v.emu.Requests()[0]
	if again.Form.Get("code") != code || again.Header.Get("User-Agent") != "terraform-provider-zoho/test" {
		t.Error("Requests() returns the emulator's own records, not copies")
	}
}

func TestCodesSentTwice(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	once, twice := v.code(c, zohotest.CodeOptions{}), v.code(c, zohotest.CodeOptions{})
	v.exchange("us", c, once)
	v.exchange("us", c, twice)
	if n := v.emu.CodesSentTwice(); n != 0 {
		t.Errorf("CodesSentTwice() = %d after two codes sent once each", n)
	}
	v.token("us", codeParams(c, twice))
	v.do(v.formRequest("us", "/oauth/v2/token?grant_type=authorization_code&code="+twice, url.Values{"client_id": {c.ID}}))
	if n := v.emu.CodesSentTwice(); n != 1 {
		t.Errorf("CodesSentTwice() = %d after one code sent three times (once in the query), want 1", n)
	}
}

func TestRegisterClient(t *testing.T) {
	emu := zohotest.New(zohotest.Options{})
	generated := emu.RegisterClient(zohotest.Client{})
	if !regexp.MustCompile(`^1000\.[A-Z0-9]{30}$`).MatchString(generated.ID) || !regexp.MustCompile(`^[0-9a-f]{42}$`).MatchString(generated.Secret) {
		t.Errorf("generated id %q / secret %q not in Zoho's formats", generated.ID, generated.Secret)
	}
	if generated.DC != "us" || generated.UserID != "user-1" {
		t.Errorf("defaults: DC %q, UserID %q", generated.DC, generated.UserID)
	}
	if other := emu.RegisterClient(zohotest.Client{}); other.ID == generated.ID || other.Secret == generated.Secret {
		t.Error("two generated clients share an id or secret")
	}

	uris := []string{"https://app.example.com/cb"}
	given := emu.RegisterClient(zohotest.Client{ID: "1000.MINE", Secret: "s3cret", DC: "jp", RedirectURIs: uris})
	if given.ID != "1000.MINE" || given.Secret != "s3cret" || given.DC != "jp" || !slices.Equal(given.RedirectURIs, uris) {
		t.Errorf("given fields changed: %+v", given)
	}
	uris[0] = "https://evil.example.com"
	if _, err := emu.IssueGrantCode("1000.MINE", zohotest.CodeOptions{RedirectURI: "https://app.example.com/cb"}); err != nil {
		t.Errorf("the caller's slice changed the registered client: %v", err)
	}
}

func TestUnknownDataCenterPanics(t *testing.T) {
	emu := zohotest.New(zohotest.Options{})
	calls := map[string]func(){
		"Handler":        func() { emu.Handler("xx") },
		"SetAPIDomain":   func() { emu.SetAPIDomain("US", "https://x") },
		"RegisterClient": func() { emu.RegisterClient(zohotest.Client{DC: "ae"}) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic for an unknown data center")
				}
			}()
			call()
		})
	}
}

// TestConcurrentUse exercises the lock under -race: parallel refreshes and
// switch flips must neither race nor lose a mint.
func TestConcurrentUse(t *testing.T) {
	v := newEnv(t, zohotest.Options{MintLimit: 1000, LiveAccessTokenCap: 1000})
	c := v.selfClient("us")
	rt := v.refreshToken(c)
	base := v.url("us") // started before the goroutines share env
	const workers, each = 4, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				v.emu.SetOmitScope((w+i)%2 == 0)
				req, _ := http.NewRequest(http.MethodPost, base+"/oauth/v2/token", strings.NewReader(refreshParams(c, rt).Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if resp, err := v.try(req); err != nil || resp.status != http.StatusOK {
					t.Errorf("refresh: %v %d %s", err, resp.status, resp.raw)
				}
				_ = v.emu.Counters()
			}
		})
	}
	wg.Wait()
	if got := v.emu.MintsFor(rt); got != workers*each {
		t.Errorf("MintsFor = %d, want %d", got, workers*each)
	}
	if got := v.emu.LiveAccessTokens(rt); got != workers*each {
		t.Errorf("LiveAccessTokens = %d, want %d", got, workers*each)
	}
}

func TestLiveRefreshTokens(t *testing.T) {
	v := newEnv(t, zohotest.Options{RefreshTokenCap: 2})
	c, other := v.selfClient("us"), v.selfClient("us")
	if got := v.emu.LiveRefreshTokens(c.ID); len(got) != 0 {
		t.Fatalf("fresh client has %d refresh tokens", len(got))
	}
	first := v.refreshToken(c)
	_, second := v.exchange("us", c, v.code(c, zohotest.CodeOptions{}))
	v.refreshToken(other)
	if got := v.emu.LiveRefreshTokens(c.ID); !slices.Equal(got, []string{first, second}) {
		t.Fatalf("live = %d tokens, want the two issued, oldest first", len(got))
	}
	v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {first}})
	third := v.refreshToken(c)
	fourth := v.refreshToken(c) // evicts second (cap 2)
	if got := v.emu.LiveRefreshTokens(c.ID); !slices.Equal(got, []string{third, fourth}) {
		t.Fatalf("live = %d tokens, want the two newest after a revocation and an eviction", len(got))
	}
}

func TestThrottleClientCredentials(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c, other := v.selfClient("us"), v.selfClient("us")
	v.emu.ThrottleClientCredentials(c.ID)
	if got := v.token("us", credentialsParams(c, "A.b.READ")); got.str(t, "error") != "Access Denied" {
		t.Errorf("throttled client got %d %s", got.status, got.raw)
	}
	if got := v.token("us", credentialsParams(other, "A.b.READ")); got.str(t, "access_token") == "" {
		t.Errorf("another client got %d %s", got.status, got.raw)
	}
	v.clock.Advance(10 * time.Minute)
	if got := v.token("us", credentialsParams(c, "A.b.READ")); got.str(t, "access_token") == "" {
		t.Errorf("after the window: %d %s", got.status, got.raw)
	}
}
