package zoho

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID     = "1000.TESTCLIENTID0000000000000000000"
	testClientSecret = "0123456789abcdef0123456789abcdef0123456789"
	testCode         = "1000.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	testRefresh      = "1000.cccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddd"
	testAccess       = "1000.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.ffffffffffffffffffffffffffffffff"
)

var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// fakeAccounts answers every request with the scripted responses in turn
// (the last one repeats) and records what it received.
type fakeAccounts struct {
	answers  []func(w http.ResponseWriter)
	requests atomic.Int32
	got      []*http.Request
	forms    []url.Values
}

func (f *fakeAccounts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.requests.Add(1)) - 1
	_ = r.ParseForm()
	f.got = append(f.got, r)
	f.forms = append(f.forms, r.PostForm)
	f.answers[min(n, len(f.answers)-1)](w)
}

func jsonAnswer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func rawAnswer(status int, contentType, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// hangUp closes the connection after the request was read: the server got it.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func newTestClient(t *testing.T, f *fakeAccounts) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return New(Config{
		AccountsURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret,
		MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond,
		UserAgent: "terraform-provider-zoho/test", Now: func() time.Time { return testNow },
	})
}

var okRefresh = `{"access_token":"` + testAccess + `","scope":"ZohoCRM.modules.ALL ZohoCRM.users.READ","api_domain":"https://www.zohoapis.eu","token_type":"Bearer","expires_in":3600}`

func TestRefresh_parsesAnswers(t *testing.T) {
	tests := map[string]struct {
		answer     func(http.ResponseWriter)
		wantScopes []string
		wantTTL    time.Duration
		wantErr    string
	}{
		"current answer":         {answer: jsonAnswer(200, okRefresh), wantScopes: []string{"ZohoCRM.modules.ALL", "ZohoCRM.users.READ"}, wantTTL: time.Hour},
		"legacy milliseconds":    {answer: jsonAnswer(200, `{"access_token":"`+testAccess+`","expires_in_sec":3600,"expires_in":3600000,"api_domain":"https://www.zohoapis.com","token_type":"Bearer"}`), wantTTL: time.Hour},
		"no expiry at all":       {answer: jsonAnswer(200, `{"access_token":"`+testAccess+`"}`), wantTTL: time.Hour},
		"short expiry":           {answer: jsonAnswer(200, `{"access_token":"`+testAccess+`","expires_in":120}`), wantTTL: 2 * time.Minute},
		"invalid_code with 200":  {answer: jsonAnswer(200, `{"error":"invalid_code"}`), wantErr: "access token refresh: Zoho answered invalid_code"},
		"JSON without token":     {answer: jsonAnswer(200, `{"api_domain":"x"}`), wantErr: "HTTP 200 with JSON without an access_token"},
		"HTML login page":        {answer: rawAnswer(200, "text/html", "<html><body>Sign in</body></html>"), wantErr: "HTTP 200 with an HTML page instead of JSON"},
		"HTML without type":      {answer: rawAnswer(200, "", "  <!DOCTYPE html><html></html>"), wantErr: "an HTML page"},
		"empty body":             {answer: rawAnswer(200, "application/json", ""), wantErr: "HTTP 200 with an empty body"},
		"garbage":                {answer: rawAnswer(200, "application/json", "{not json"), wantErr: "HTTP 200 with a body that is not the JSON Zoho sends"},
		"404 without error":      {answer: jsonAnswer(404, `{"message":"not found"}`), wantErr: "HTTP 404 with JSON without an access_token"},
		"token with odd status":  {answer: jsonAnswer(201, okRefresh), wantTTL: time.Hour, wantScopes: []string{"ZohoCRM.modules.ALL", "ZohoCRM.users.READ"}},
		"token with 403 status":  {answer: jsonAnswer(403, okRefresh), wantErr: "HTTP 403 with an unexpected status for a token"},
		"server error after all": {answer: rawAnswer(503, "text/html", "<html>down</html>"), wantErr: "HTTP 503 with a server error"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, &fakeAccounts{answers: []func(http.ResponseWriter){tt.answer}})
			tok, err := c.Refresh(context.Background(), testRefresh)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != testAccess || tok.RefreshToken != "" {
				t.Errorf("token = %+v", tok)
			}
			if got := tok.ExpiresIn(testNow); got != tt.wantTTL {
				t.Errorf("lifetime = %v, want %v", got, tt.wantTTL)
			}
			if fmt.Sprint(tok.Scopes) != fmt.Sprint(tt.wantScopes) {
				t.Errorf("scopes = %q, want %q", tok.Scopes, tt.wantScopes)
			}
		})
	}
}

func TestClassifyError(t *testing.T) {
	tests := []struct {
		body      string
		status    int
		wantCode  string
		throttled bool
	}{
		{`{"error":"invalid_code"}`, 200, CodeInvalidCode, false},
		{`{"error":"invalid_client"}`, 200, CodeInvalidClient, false},
		{`{"error":"invalid_client_secret"}`, 200, CodeInvalidClientSecret, false},
		{`{"error":"invalid_redirect_uri"}`, 200, CodeInvalidRedirectURI, false},
		{`{"error":"access_denied"}`, 200, CodeAccessDenied, false},
		{`{"error":"invalid_scope"}`, 200, CodeInvalidScope, false},
		{`{"error":"missing_org_info"}`, 200, CodeMissingOrgInfo, false},
		{`{"error":"unsupported_grant_type"}`, 200, CodeUnsupportedGrantType, false},
		{`{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}`, 200, CodeThrottled, true},
		{`{"error_description":"Token creation throttle limit reached.","error":"Access Denied"}`, 400, CodeThrottled, true},
		{`{"error_description":"您已连续提出过多请求，请稍后再试。","error":"拒绝访问","status":"failure"}`, 200, CodeThrottled, true},
		{`{"error":"something_new","error_description":"details"}`, 200, "something_new", false},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			c := newTestClient(t, &fakeAccounts{answers: []func(http.ResponseWriter){jsonAnswer(tt.status, tt.body)}})
			_, err := c.Refresh(context.Background(), testRefresh)
			var zerr *Error
			if !errors.As(err, &zerr) {
				t.Fatalf("error = %#v, want *Error", err)
			}
			if throttled := zerr.Code == CodeThrottled; zerr.Code != tt.wantCode || throttled != tt.throttled {
				t.Errorf("code = %q throttled = %v, want %q %v", zerr.Code, throttled, tt.wantCode, tt.throttled)
			}
			if zerr.HTTPStatus != tt.status {
				t.Errorf("status = %d, want %d", zerr.HTTPStatus, tt.status)
			}
		})
	}
}

// Mint picks the grant from what it is given: a refresh token, else the
// client credentials grant with the scopes and soid.
func TestMint_picksTheGrant(t *testing.T) {
	answer := jsonAnswer(200, `{"access_token":"`+testAccess+`","api_domain":"https://www.zohoapis.com","token_type":"Bearer","expires_in":3600}`)
	tests := []struct {
		name  string
		grant Grant
		want  url.Values
	}{
		{"refresh token", Grant{RefreshToken: testRefresh}, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {testRefresh}}},
		{"client credentials", Grant{Scopes: []string{"A.b.READ", "A.c.ALL"}, SOID: "ZohoCRM.1"},
			url.Values{"grant_type": {"client_credentials"}, "scope": {"A.b.READ,A.c.ALL"}, "soid": {"ZohoCRM.1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeAccounts{answers: []func(http.ResponseWriter){answer}}
			if _, err := newTestClient(t, f).Mint(context.Background(), tt.grant); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got := f.forms[0][k]; strings.Join(got, " ") != strings.Join(v, " ") {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestRefresh_retryPolicy(t *testing.T) {
	tests := map[string]struct {
		answers      []func(http.ResponseWriter)
		wantRequests int32
		wantOK       bool
	}{
		"5xx then success":          {[]func(http.ResponseWriter){rawAnswer(502, "text/html", "<html/>"), jsonAnswer(200, okRefresh)}, 2, true},
		"429 then success":          {[]func(http.ResponseWriter){rawAnswer(429, "", ""), jsonAnswer(200, okRefresh)}, 2, true},
		"connection lost then ok":   {[]func(http.ResponseWriter){hangUp, jsonAnswer(200, okRefresh)}, 2, true},
		"5xx until retries run out": {[]func(http.ResponseWriter){rawAnswer(503, "", "")}, 4, false},
		"throttle is not retried":   {[]func(http.ResponseWriter){jsonAnswer(200, `{"error":"Access Denied","status":"failure"}`)}, 1, false},
		"400 is not retried":        {[]func(http.ResponseWriter){jsonAnswer(400, `{"error":"invalid_code"}`)}, 1, false},
		"invalid_code not retried":  {[]func(http.ResponseWriter){jsonAnswer(200, `{"error":"invalid_code"}`)}, 1, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fakeAccounts{answers: tt.answers}
			_, err := newTestClient(t, f).Refresh(context.Background(), testRefresh)
			if (err == nil) != tt.wantOK {
				t.Fatalf("err = %v, want ok=%v", err, tt.wantOK)
			}
			if got := f.requests.Load(); got != tt.wantRequests {
				t.Errorf("requests = %d, want %d", got, tt.wantRequests)
			}
		})
	}
}

func TestExchangeCode_neverRepeatedOnceSent(t *testing.T) {
	for name, answer := range map[string]func(http.ResponseWriter){
		"connection closed after the request": hangUp,
		"server error":                        rawAnswer(500, "text/html", "<html>oops</html>"),
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeAccounts{answers: []func(http.ResponseWriter){answer}}
			_, err := newTestClient(t, f).ExchangeCode(context.Background(), testCode, "")
			if err == nil {
				t.Fatal("want an error")
			}
			if got := f.requests.Load(); got != 1 {
				t.Errorf("requests = %d, want exactly 1: a grant code must not be sent twice", got)
			}
			var terr *TransportError
			if errors.As(err, &terr) && !terr.MayHaveReachedServer {
				t.Errorf("MayHaveReachedServer = false for %v", err)
			}
		})
	}
}

// refuseFirst fails the first n round trips the way a refused dial does.
type refuseFirst struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (r *refuseFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.n.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	}
	return r.next.RoundTrip(req)
}

func TestExchangeCode_retriedWhenNeverSent(t *testing.T) {
	f := &fakeAccounts{answers: []func(http.ResponseWriter){jsonAnswer(200, `{"access_token":"`+testAccess+`","refresh_token":"`+testRefresh+`","scope":"A.b.READ","api_domain":"https://www.zohoapis.com","token_type":"Bearer","expires_in":3600}`)}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	rt := &refuseFirst{next: http.DefaultTransport}
	rt.n.Store(2)
	c := New(Config{AccountsURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret, MaxRetries: 3,
		RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond, Transport: rt})
	tok, err := c.ExchangeCode(context.Background(), testCode, "")
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != testRefresh || f.requests.Load() != 1 {
		t.Errorf("refresh token %q after %d requests", tok.RefreshToken, f.requests.Load())
	}
}

func TestExchangeCode_refusedEverywhere(t *testing.T) {
	rt := &refuseFirst{next: http.DefaultTransport}
	rt.n.Store(100)
	c := New(Config{AccountsURL: "http://127.0.0.1:1", MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond, Transport: rt})
	_, err := c.ExchangeCode(context.Background(), testCode, "")
	var terr *TransportError
	if !errors.As(err, &terr) || terr.MayHaveReachedServer || terr.Attempts != 3 {
		t.Fatalf("err = %#v, want a TransportError that never reached the server after 3 attempts", err)
	}
}

func TestExchangeCode_requestShape(t *testing.T) {
	f := &fakeAccounts{answers: []func(http.ResponseWriter){jsonAnswer(200, `{"access_token":"`+testAccess+`","refresh_token":"`+testRefresh+`","api_domain":"https://www.zohoapis.com","token_type":"Bearer","expires_in":3600}`)}}
	c := newTestClient(t, f)
	if _, err := c.ExchangeCode(context.Background(), testCode, "https://example.com/cb"); err != nil {
		t.Fatal(err)
	}
	req, form := f.got[0], f.forms[0]
	if req.Method != http.MethodPost || req.URL.Path != "/oauth/v2/token" || req.URL.RawQuery != "" {
		t.Errorf("request = %s %s?%s, want POST /oauth/v2/token with no query", req.Method, req.URL.Path, req.URL.RawQuery)
	}
	want := url.Values{"grant_type": {"authorization_code"}, "client_id": {testClientID}, "client_secret": {testClientSecret}, "code": {testCode}, "redirect_uri": {"https://example.com/cb"}}
	if form.Encode() != want.Encode() {
		t.Errorf("form = %v, want %v", form, want)
	}
	if ua := req.Header.Get("User-Agent"); ua != "terraform-provider-zoho/test" {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestExchangeCode_withoutRefreshToken(t *testing.T) {
	f := &fakeAccounts{answers: []func(http.ResponseWriter){jsonAnswer(200, `{"access_token":"`+testAccess+`","expires_in":3600}`)}}
	_, err := newTestClient(t, f).ExchangeCode(context.Background(), testCode, "")
	var none *NoRefreshTokenError
	if !errors.As(err, &none) || !strings.Contains(err.Error(), "no refresh token") || strings.Contains(err.Error(), testAccess) {
		t.Fatalf("err = %v, want a NoRefreshTokenError that holds no token", err)
	}
}

func TestClientCredentials_requestAndScopes(t *testing.T) {
	f := &fakeAccounts{answers: []func(http.ResponseWriter){jsonAnswer(200, `{"access_token":"`+testAccess+`","api_domain":"https://www.zohoapis.com","token_type":"Bearer","expires_in":3600}`)}}
	tok, err := newTestClient(t, f).ClientCredentials(context.Background(), []string{"ZohoCRM.users.READ", "ZohoCRM.org.READ"}, "ZohoCRM.123")
	if err != nil {
		t.Fatal(err)
	}
	form := f.forms[0]
	if form.Get("grant_type") != "client_credentials" || form.Get("scope") != "ZohoCRM.users.READ,ZohoCRM.org.READ" || form.Get("soid") != "ZohoCRM.123" {
		t.Errorf("form = %v", form)
	}
	if fmt.Sprint(tok.Scopes) != "[ZohoCRM.users.READ ZohoCRM.org.READ]" {
		t.Errorf("scopes = %v, want the requested ones when Zoho echoes none", tok.Scopes)
	}
}

func TestRevoke(t *testing.T) {
	tests := map[string]struct {
		answers      []func(http.ResponseWriter)
		want         error
		wantContains string
		wantRequests int32
	}{
		"success":           {[]func(http.ResponseWriter){jsonAnswer(200, `{"status":"success"}`)}, nil, "", 1},
		"unknown token 400": {[]func(http.ResponseWriter){jsonAnswer(400, `{"status":"failure","error":"invalid_token"}`)}, ErrTokenNotFound, "", 1},
		"5xx then success":  {[]func(http.ResponseWriter){rawAnswer(503, "", ""), jsonAnswer(200, `{"status":"success"}`)}, nil, "", 2},
		"5xx throughout":    {[]func(http.ResponseWriter){rawAnswer(500, "", "")}, nil, "HTTP 500 with a server error", 4},
		"odd success body":  {[]func(http.ResponseWriter){jsonAnswer(200, `{"status":"pending"}`)}, nil, `without status "success"`, 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fakeAccounts{answers: tt.answers}
			err := newTestClient(t, f).Revoke(context.Background(), testRefresh)
			switch {
			case tt.wantContains != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantContains) {
					t.Fatalf("err = %v, want %q", err, tt.wantContains)
				}
			case !errors.Is(err, tt.want):
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if f.requests.Load() != tt.wantRequests {
				t.Errorf("requests = %d, want %d", f.requests.Load(), tt.wantRequests)
			}
			if form := f.forms[0]; form.Get("token") != testRefresh || f.got[0].URL.RawQuery != "" {
				t.Errorf("token must travel in the body only; form %v query %q", form, f.got[0].URL.RawQuery)
			}
		})
	}
}

func TestErrors_neverCarrySecrets(t *testing.T) {
	answers := []func(http.ResponseWriter){
		jsonAnswer(200, `{"error":"invalid_client"}`), hangUp, rawAnswer(500, "text/html", "<html/>"),
		rawAnswer(200, "text/html", "<html/>"), jsonAnswer(200, `{"error":"Access Denied","status":"failure"}`),
	}
	for i, answer := range answers {
		f := &fakeAccounts{answers: []func(http.ResponseWriter){answer}}
		c := newTestClient(t, f)
		var errs []error
		_, err := c.ExchangeCode(context.Background(), testCode, "")
		errs = append(errs, err)
		_, err = c.Refresh(context.Background(), testRefresh)
		errs = append(errs, err, c.Revoke(context.Background(), testRefresh))
		for _, err := range errs {
			if err == nil {
				continue
			}
			for _, secret := range []string{testClientSecret, testCode, testRefresh, testAccess} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("answer %d: error %q reveals a secret", i, err)
				}
			}
		}
	}
}

func TestCancelledContextStopsRetries(t *testing.T) {
	f := &fakeAccounts{answers: []func(http.ResponseWriter){rawAnswer(503, "", "")}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := New(Config{AccountsURL: srv.URL, MaxRetries: 50, RetryWaitMin: time.Hour, RetryWaitMax: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for f.requests.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Refresh(ctx, testRefresh)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestBackoff(t *testing.T) {
	header := func(v string) *http.Response {
		return &http.Response{Header: http.Header{"Retry-After": {v}}}
	}
	for attempt := range 10 {
		wait := backoff(100*time.Millisecond, 2*time.Second, attempt, nil)
		if wait < 100*time.Millisecond || wait > 2*time.Second {
			t.Errorf("attempt %d: wait %v outside [100ms, 2s]", attempt, wait)
		}
	}
	if wait := backoff(time.Millisecond, 10*time.Millisecond, 0, header("7")); wait != 7*time.Second {
		t.Errorf("Retry-After 7 gave %v", wait)
	}
	if wait := backoff(time.Millisecond, 10*time.Millisecond, 0, header("3600")); wait != maxRetryAfter {
		t.Errorf("Retry-After 3600 gave %v, want the cap %v", wait, maxRetryAfter)
	}
	if wait := backoff(time.Millisecond, 10*time.Millisecond, 0, header("soon")); wait > 10*time.Millisecond {
		t.Errorf("unparsable Retry-After gave %v", wait)
	}
}
