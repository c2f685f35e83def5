package zohotest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// tokenPattern is Zoho's shape for codes, access and refresh tokens.
var tokenPattern = regexp.MustCompile(`^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$`)

// env is one emulator with its clock, lazily started servers per data
// center and an HTTP client of its own (so closed connections do not leak
// between tests).
type env struct {
	t      *testing.T
	clock  *zohotest.Clock
	emu    *zohotest.Emulator
	urls   map[string]string
	client *http.Client
}

func newEnv(t *testing.T, opts zohotest.Options) *env {
	t.Helper()
	clk := zohotest.NewClock(time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC))
	opts.Now = clk.Now
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return &env{
		t:      t,
		clock:  clk,
		emu:    zohotest.New(opts),
		urls:   map[string]string{},
		client: &http.Client{Transport: transport, Timeout: 10 * time.Second},
	}
}

func (v *env) url(dc string) string {
	if v.urls[dc] == "" {
		v.urls[dc] = v.emu.StartServer(v.t, dc)
	}
	return v.urls[dc]
}

// selfClient registers a Self Client in dc.
func (v *env) selfClient(dc string) zohotest.Client {
	return v.emu.RegisterClient(zohotest.Client{DC: dc})
}

// webClient registers a server-based client in "us" with two redirect URIs.
func (v *env) webClient() zohotest.Client {
	return v.emu.RegisterClient(zohotest.Client{RedirectURIs: []string{"https://app.example.com/cb", "https://app.example.com/alt"}})
}

func (v *env) code(c zohotest.Client, opts zohotest.CodeOptions) string {
	v.t.Helper()
	code, err := v.emu.IssueGrantCode(c.ID, opts)
	if err != nil {
		v.t.Fatalf("IssueGrantCode: %v", err)
	}
	return code
}

func (v *env) refreshToken(c zohotest.Client, scopes ...string) string {
	v.t.Helper()
	rt, err := v.emu.IssueRefreshToken(c.ID, scopes)
	if err != nil {
		v.t.Fatalf("IssueRefreshToken: %v", err)
	}
	return rt
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	raw    []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("answer is not JSON (%v): %q", err, r.raw)
	}
	return m
}

func (r response) str(t *testing.T, key string) string {
	t.Helper()
	s, _ := r.json(t)[key].(string)
	return s
}

// keys lists the top-level keys of a JSON object in the order sent.
func (r response) keys(t *testing.T) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.raw))
	var keys []string
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("answer is not a JSON object: %q", r.raw)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("decoding %q: %v", r.raw, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("decoding %q: %v", r.raw, err)
		}
	}
	return keys
}

// do sends a request and fails the test on a transport error.
func (v *env) do(req *http.Request) response {
	v.t.Helper()
	resp, err := v.try(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return resp
}

func (v *env) try(req *http.Request) (response, error) {
	resp, err := v.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}, err
}

// formRequest builds a POST with params in an x-www-form-urlencoded body.
func (v *env) formRequest(dc, path string, params url.Values) *http.Request {
	v.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, v.url(dc)+path, strings.NewReader(params.Encode()))
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// multipartRequest builds a POST with params in a multipart/form-data body,
// as Zoho's Node SDK sends them.
func (v *env) multipartRequest(dc, path string, params url.Values) *http.Request {
	v.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range params {
		for _, val := range vs {
			if err := mw.WriteField(k, val); err != nil {
				v.t.Fatal(err)
			}
		}
	}
	if err := mw.Close(); err != nil {
		v.t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, v.url(dc)+path, &body)
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func (v *env) post(dc, path string, params url.Values) response {
	v.t.Helper()
	return v.do(v.formRequest(dc, path, params))
}

func (v *env) token(dc string, params url.Values) response {
	v.t.Helper()
	return v.post(dc, "/oauth/v2/token", params)
}

// callAPI calls the protected API with a Zoho-oauthtoken header.
func (v *env) callAPI(dc, accessToken string) response {
	v.t.Helper()
	return v.callAPIWithHeader(dc, "Zoho-oauthtoken "+accessToken)
}

func (v *env) callAPIWithHeader(dc, authorization string) response {
	v.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, v.url(dc)+"/crm/v8/users?type=CurrentUser", nil)
	if err != nil {
		v.t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return v.do(req)
}

func codeParams(c zohotest.Client, code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {c.ID}, "client_secret": {c.Secret}, "code": {code}}
}

func refreshParams(c zohotest.Client, refreshToken string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {c.ID}, "client_secret": {c.Secret}, "refresh_token": {refreshToken}}
}

func credentialsParams(c zohotest.Client, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ID}, "client_secret": {c.Secret}, "scope": {scope}}
}

// with returns params plus one more key.
func with(params url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range params {
		out[k] = append([]string(nil), vs...)
	}
	out.Set(key, value)
	return out
}

// exchange swaps a fresh code for tokens and fails the test otherwise.
func (v *env) exchange(dc string, c zohotest.Client, code string) (accessToken, refreshToken string) {
	v.t.Helper()
	resp := v.token(dc, codeParams(c, code))
	body := resp.json(v.t)
	if resp.status != http.StatusOK || body["access_token"] == nil {
		v.t.Fatalf("code exchange failed: %d %s", resp.status, resp.raw)
	}
	rt, _ := body["refresh_token"].(string)
	return body["access_token"].(string), rt
}

// mint refreshes and fails the test unless an access token comes back.
func (v *env) mint(dc string, c zohotest.Client, refreshToken string) string {
	v.t.Helper()
	resp := v.token(dc, refreshParams(c, refreshToken))
	at := resp.str(v.t, "access_token")
	if resp.status != http.StatusOK || at == "" {
		v.t.Fatalf("refresh failed: %d %s", resp.status, resp.raw)
	}
	return at
}

// wantGrantError checks Zoho's error shape: HTTP 200, JSON, the code alone.
func wantGrantError(t *testing.T, resp response, code string) {
	t.Helper()
	want := `{"error":"` + code + `"}`
	if resp.status != http.StatusOK || string(resp.raw) != want {
		t.Fatalf("got %d %s, want 200 %s", resp.status, resp.raw, want)
	}
	wantJSONContentType(t, resp)
}

func wantJSONContentType(t *testing.T, resp response) {
	t.Helper()
	if ct := resp.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Fatalf("Content-Type = %q, want application/json;charset=UTF-8", ct)
	}
}

func wantAPIStatus(t *testing.T, resp response, status int) {
	t.Helper()
	if resp.status != status {
		t.Fatalf("protected API answered %d %s, want %d", resp.status, resp.raw, status)
	}
}
