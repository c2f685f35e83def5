package zoho

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Fuzz targets. `go test` runs their seeds (f.Add and testdata/fuzz/); run
// one for real with
//
//	go test -run '^$' -fuzz '^FuzzParseTokenResponse$' -fuzztime 20s ./internal/zoho/

// fuzzOps are the operations an answer can be parsed for; Revoke goes
// through revokeResult.
var fuzzOps = []Operation{OpExchangeCode, OpRefresh, OpClientCredentials, OpRevoke}

func FuzzParseTokenResponse(f *testing.F) {
	f.Add(uint8(1), 200, "application/json;charset=UTF-8", []byte(okRefresh))
	f.Add(uint8(0), 200, "application/json;charset=UTF-8", []byte(okExchange))
	f.Add(uint8(0), 502, "text/html", []byte(okExchange))
	f.Add(uint8(1), 200, "application/json", []byte(`{"access_token":"a","expires_in_sec":3600,"expires_in":3600000}`))
	f.Add(uint8(1), 200, "application/json", []byte(`{"access_token":"a","expires_in":-1e400}`))
	f.Add(uint8(2), 200, "application/json", []byte(`{"error":"拒绝访问","status":"failure"}`))
	f.Add(uint8(1), 200, "text/html", []byte("<html>Sign in</html>"))
	f.Add(uint8(1), 503, "", []byte(""))
	f.Add(uint8(3), 400, "application/json", []byte(`{"status":"failure","error":"invalid_token"}`))
	f.Add(uint8(3), 200, "application/json", []byte(`{"status":"success"}`))
	f.Fuzz(func(t *testing.T, opSel uint8, status int, contentType string, body []byte) {
		op := fuzzOps[int(opSel)%len(fuzzOps)]
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(bytes.NewReader(body))}
		if op == OpRevoke {
			err := revokeResult(resp)
			if errors.Is(err, ErrTokenNotFound) && (status != http.StatusBadRequest || !bytes.Contains(bytes.ToLower(body), []byte("invalid_token"))) {
				t.Fatalf("ErrTokenNotFound for HTTP %d %q", status, body)
			}
			if err == nil && (status < 200 || status > 299) {
				t.Fatalf("revocation accepted with HTTP %d", status)
			}
			checkAnswerError(t, err)
			return
		}
		logged := 0
		tok, err := parseTokenResponse(op, resp, testNow, func(string, map[string]any) { logged++ })
		if err != nil {
			if tok != nil {
				t.Fatal("both a token and an error")
			}
			checkAnswerError(t, err)
			return
		}
		if tok.AccessToken == "" {
			t.Fatal("a token without an access token")
		}
		if ttl := tok.ExpiresAt.Sub(testNow); ttl < shortestBelieved || ttl > maxLifetime {
			t.Fatalf("lifetime %v outside [%v, %v]", ttl, shortestBelieved, maxLifetime)
		}
		// What only the exchange's leniency accepts: a non-2xx status or an
		// HTML-looking answer (any other type is tolerated for every call).
		trimmed := bytes.TrimSpace(body)
		odd := status < 200 || status > 299 || len(trimmed) > 0 && looksLikeHTML(contentType, trimmed)
		switch {
		case op != OpExchangeCode && (status < 200 || status > 299):
			t.Fatalf("%s accepted a token with HTTP %d", op, status)
		case op == OpExchangeCode && odd && (tok.RefreshToken == "" || logged == 0):
			t.Fatalf("an odd exchange answer (HTTP %d, %q) was accepted without a refresh token or a log line", status, contentType)
		}
	})
}

// checkAnswerError asserts that a failed answer is reported as one of the
// package's answer errors, with usable text.
func checkAnswerError(t *testing.T, err error) {
	t.Helper()
	if err == nil || errors.Is(err, ErrTokenNotFound) {
		return
	}
	var zerr *Error
	var rerr *ResponseError
	switch {
	case errors.As(err, &zerr):
		if zerr.Code == "" {
			t.Fatalf("*Error without a code: %#v", zerr)
		}
	case errors.As(err, &rerr):
		if rerr.Problem == "" {
			t.Fatalf("*ResponseError without a problem: %#v", rerr)
		}
	default:
		t.Fatalf("unexpected error type %T: %v", err, err)
	}
	if err.Error() == "" {
		t.Fatal("empty error text")
	}
}

func FuzzClassifyError(f *testing.F) {
	f.Add(200, "invalid_code", "", "")
	f.Add(200, " Invalid_Client ", "", "failure")
	f.Add(400, "Access Denied", "You have made too many requests continuously.", "failure")
	f.Add(200, "ACCESS DENIED", "", "")
	f.Add(200, "拒绝访问", "您已连续提出过多请求，请稍后再试。", "failure")
	f.Add(200, "something_new", "details", "")
	f.Add(400, "invalid_token", "", "FAILURE")
	f.Fuzz(func(t *testing.T, status int, raw, description, state string) {
		for _, op := range fuzzOps {
			e := classifyError(op, status, raw, description, state)
			if e.Raw != raw || e.Description != description || e.HTTPStatus != status || e.Op != op {
				t.Fatalf("fields not kept: %#v", e)
			}
			lower := strings.ToLower(strings.TrimSpace(raw))
			switch {
			case knownCodes[lower]:
				// A known code wins over a "failure" status: it is no throttle.
				if e.Code != lower {
					t.Fatalf("known code %q classified as %q", raw, e.Code)
				}
			case lower == "access denied" || strings.EqualFold(state, "failure"):
				if e.Code != CodeThrottled {
					t.Fatalf("throttle answer %q/%q classified as %q", raw, state, e.Code)
				}
			default:
				if e.Code != raw || e.Code == CodeThrottled {
					t.Fatalf("unknown error %q classified as %q", raw, e.Code)
				}
			}
			if msg := e.Error(); !strings.HasPrefix(msg, string(op)+": ") || !strings.Contains(msg, raw) || !strings.Contains(msg, description) {
				t.Fatalf("error text %q lacks the operation or Zoho's words", msg)
			}
		}
	})
}

func FuzzNormalizeAccountsURL(f *testing.F) {
	for _, seed := range []string{
		"https://accounts.zoho.eu", "https://accounts.zoho.eu/", " HTTPS://accounts.zoho.com ", "http://127.0.0.1:8080",
		"http://[::1]:9", "http://localhost:9/", "http://accounts.zoho.com", "accounts.zoho.com", "ftp://x",
		"https://user:pw@accounts.zoho.com", "user:pw@accounts.zoho.com", "https://accounts.zoho.com?x=1",
		"https://accounts.zoho.com/oauth/v2/token", "https://[fe80::1%25en0]", "https://%C3%A9", "",
	} {
		f.Add(seed)
	}
	const password = "Pw0rdSecret"
	f.Fuzz(func(t *testing.T, raw string) {
		if got, err := NormalizeAccountsURL(raw); err == nil {
			u, perr := url.Parse(got)
			switch {
			case perr != nil:
				t.Fatalf("%q normalised to %q, which does not parse: %v", raw, got, perr)
			case u.Scheme != "https" && (u.Scheme != "http" || !IsLoopbackHost(u.Hostname())):
				t.Fatalf("%q normalised to %q: neither https nor loopback http", raw, got)
			case u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" || u.Host == "":
				t.Fatalf("%q normalised to %q, which is more than scheme and host", raw, got)
			}
			if again, err := NormalizeAccountsURL(got); err != nil || again != got {
				t.Fatalf("normalising %q again gave %q, %v", got, again, err)
			}
		}

		// The same input with a password slipped in front of the host: it
		// must be refused, and neither the error nor RedactURL may echo it.
		if strings.Contains(raw, password) {
			return // the input itself would echo it
		}
		start := 0
		if m := schemePrefix.FindStringIndex(raw); m != nil {
			start = m[1]
		}
		probe := raw[:start] + "user:" + password + "@" + raw[start:]
		if _, err := NormalizeAccountsURL(probe); err == nil {
			t.Fatalf("a URL with a password was accepted")
		} else if strings.Contains(err.Error(), password) {
			t.Fatalf("error echoes the password: %v", err)
		}
		if strings.Contains(RedactURL(probe), password) {
			t.Fatalf("RedactURL(%q) kept the password", probe)
		}
	})
}
