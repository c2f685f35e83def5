package zoho

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Regression tests for defects found in review; each failed before its fix.

// slowServer answers a token after delay unless the client hangs up first,
// counting the requests that arrived.
func slowServer(t *testing.T, delay time.Duration, body string) (string, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // the server notices a hang-up only once the body is read
		n.Add(1)
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		jsonAnswer(200, body)(w)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

var okExchange = `{"access_token":"` + testAccess + `","refresh_token":"` + testRefresh + `","api_domain":"https://www.zohoapis.com","token_type":"Bearer","expires_in":3600}`

// callOp runs one of the four operations and returns its error.
func callOp(ctx context.Context, c *Client, op Operation) error {
	var err error
	switch op {
	case OpExchangeCode:
		_, err = c.ExchangeCode(ctx, testCode, "")
	case OpRefresh:
		_, err = c.Refresh(ctx, testRefresh)
	case OpClientCredentials:
		_, err = c.ClientCredentials(ctx, []string{"ZohoCRM.users.READ"}, "")
	case OpRevoke:
		err = c.Revoke(ctx, testRefresh)
	}
	return err
}

var allOps = []Operation{OpExchangeCode, OpRefresh, OpClientCredentials, OpRevoke}

// Defect 1: request_timeout running out looked like the caller's deadline
// (errors.Is(err, context.DeadlineExceeded)), so the provider called it a
// cancellation.
func TestTimeoutIsATransportErrorNotACancellation(t *testing.T) {
	for _, op := range allOps {
		t.Run(string(op), func(t *testing.T) {
			url, arrived := slowServer(t, 5*time.Second, okExchange)
			// 250 ms, not less: each attempt must reach the server before it
			// times out, which took more than 50 ms under Wine on a busy
			// machine (requests = 1, Attempts = 2).
			c := New(Config{AccountsURL: url, ClientID: testClientID, ClientSecret: testClientSecret,
				RequestTimeout: 250 * time.Millisecond, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			err := callOp(context.Background(), c, op)
			var terr *TransportError
			if !errors.As(err, &terr) {
				t.Fatalf("err = %#v, want a *TransportError", err)
			}
			if !terr.Timeout || !terr.MayHaveReachedServer {
				t.Errorf("Timeout = %v, MayHaveReachedServer = %v; want both true", terr.Timeout, terr.MayHaveReachedServer)
			}
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				t.Errorf("a request_timeout must not look like the caller's context ending: %v", err)
			}
			want := int32(2)
			if op == OpExchangeCode {
				want = 1 // it may have reached Zoho: never repeated
			}
			if got := arrived.Load(); got != want || terr.Attempts != int(want) {
				t.Errorf("requests = %d, Attempts = %d; want %d", got, terr.Attempts, want)
			}
			if !strings.Contains(err.Error(), "request_timeout") {
				t.Errorf("error %q does not name request_timeout", err)
			}
		})
	}
}

func TestCallerContextEndingIsReportedAsSuch(t *testing.T) {
	for _, op := range []Operation{OpRefresh, OpClientCredentials, OpRevoke} {
		t.Run(string(op)+"/deadline", func(t *testing.T) {
			url, _ := slowServer(t, 5*time.Second, okExchange)
			c := New(Config{AccountsURL: url, RequestTimeout: 10 * time.Second})
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := callOp(ctx, c, op)
			var terr *TransportError
			if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &terr) {
				t.Fatalf("err = %#v, want the caller's context.DeadlineExceeded, not a TransportError", err)
			}
		})
		t.Run(string(op)+"/cancel", func(t *testing.T) {
			url, arrived := slowServer(t, 5*time.Second, okExchange)
			c := New(Config{AccountsURL: url, RequestTimeout: 10 * time.Second})
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				for arrived.Load() == 0 {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()
			err := callOp(ctx, c, op)
			var terr *TransportError
			if !errors.Is(err, context.Canceled) || errors.As(err, &terr) {
				t.Fatalf("err = %#v, want context.Canceled, not a TransportError", err)
			}
		})
	}
}

// Defect 2: any HTTP 400 from revoke meant "already revoked", so a proxy's
// error page or a throttle answer made the provider forget a live token.
func TestRevoke_only400InvalidTokenMeansGone(t *testing.T) {
	tests := map[string]struct {
		answer   func(http.ResponseWriter)
		notFound bool
	}{
		"emulator's unknown-token answer": {jsonAnswer(400, `{"status":"failure","error":"invalid_token"}`), true},
		"invalid_token without status":    {jsonAnswer(400, `{"error":"invalid_token"}`), true},
		"HTML 400 from a proxy":           {rawAnswer(400, "text/html", "<html><body>Bad Request</body></html>"), false},
		"HTML 400 without content type":   {rawAnswer(400, "", "<html>Bad Request</html>"), false},
		"empty 400":                       {rawAnswer(400, "", ""), false},
		"plain-text 400":                  {rawAnswer(400, "text/plain", "Bad Request"), false},
		"throttle 400":                    {jsonAnswer(400, `{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}`), false},
		"localized throttle 400":          {jsonAnswer(400, `{"error_description":"您已连续提出过多请求，请稍后再试。","error":"拒绝访问","status":"failure"}`), false},
		"other error code 400":            {jsonAnswer(400, `{"error":"invalid_request"}`), false},
		"JSON without error 400":          {jsonAnswer(400, `{"status":"failure"}`), false},
		"invalid_token as HTML":           {rawAnswer(400, "text/html", `{"error":"invalid_token"}`), false},
		"invalid_token with 200":          {jsonAnswer(200, `{"status":"failure","error":"invalid_token"}`), false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := newTestClient(t, &fakeAccounts{answers: []func(http.ResponseWriter){tt.answer}}).Revoke(context.Background(), testRefresh)
			if got := errors.Is(err, ErrTokenNotFound); got != tt.notFound {
				t.Fatalf("err = %v; ErrTokenNotFound = %v, want %v", err, got, tt.notFound)
			}
			if tt.notFound {
				return
			}
			var zerr *Error
			var rerr *ResponseError
			if !errors.As(err, &zerr) && !errors.As(err, &rerr) {
				t.Errorf("err = %#v, want a *Error or *ResponseError", err)
			}
			if strings.Contains(name, "throttle") && (zerr == nil || zerr.Code != CodeThrottled) {
				t.Errorf("err = %v, want it recognised as the throttle", err)
			}
		})
	}
}

// logRecorder captures Config.Log lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) log(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *logRecorder) matching(sub string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.lines {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return out
}

func (l *logRecorder) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// Defect 3: the lifetime had no bounds (expires_in 3600000 gave 1000 hours,
// expires_in 0 silently gave an hour).
func TestLifetimeIsClamped(t *testing.T) {
	tok := `"access_token":"` + testAccess + `"`
	tests := map[string]struct {
		body    string
		want    time.Duration
		clamped string // the raw value the clamp log line names; "" = no line
	}{
		"an hour":                       {`{` + tok + `,"expires_in":3600}`, time.Hour, ""},
		"two minutes":                   {`{` + tok + `,"expires_in":120}`, 2 * time.Minute, ""},
		"absent":                        {`{` + tok + `}`, time.Hour, ""},
		"legacy pair":                   {`{` + tok + `,"expires_in_sec":3600,"expires_in":3600000}`, time.Hour, ""},
		"milliseconds without _sec":     {`{` + tok + `,"expires_in":3600000}`, time.Hour, "3600000"},
		"zero":                          {`{` + tok + `,"expires_in":0}`, time.Minute, "0"},
		"negative":                      {`{` + tok + `,"expires_in":-5}`, time.Minute, "-5"},
		"under a second":                {`{` + tok + `,"expires_in":0.5}`, time.Minute, "0.5"},
		"half a minute (an emulator's)": {`{` + tok + `,"expires_in":30}`, 30 * time.Second, ""},
		"absurd":                        {`{` + tok + `,"expires_in":1e300}`, time.Hour, "1e300"},
		"legacy seconds above an hour":  {`{` + tok + `,"expires_in_sec":7200,"expires_in":7200000}`, time.Hour, "7200"},
		"fractional":                    {`{` + tok + `,"expires_in":90.5}`, 90*time.Second + 500*time.Millisecond, ""},
		"quoted number":                 {`{` + tok + `,"expires_in":"1800"}`, 30 * time.Minute, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeAccounts{answers: []func(http.ResponseWriter){jsonAnswer(200, tt.body)}})
			defer srv.Close()
			logs := &logRecorder{}
			c := New(Config{AccountsURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret, Log: logs.log, Now: func() time.Time { return testNow }})
			got, err := c.Refresh(context.Background(), testRefresh)
			if err != nil {
				t.Fatal(err)
			}
			if ttl := got.ExpiresIn(testNow); ttl != tt.want {
				t.Errorf("lifetime = %v, want %v", ttl, tt.want)
			}
			lines := logs.matching("clamped")
			switch {
			case tt.clamped == "" && len(lines) != 0:
				t.Errorf("unexpected clamp log: %q", lines)
			case tt.clamped != "" && (len(lines) != 1 || !strings.Contains(lines[0], tt.clamped) || !strings.Contains(lines[0], tt.want.String())):
				t.Errorf("clamp log = %q, want one line naming %s and %v", lines, tt.clamped, tt.want)
			}
		})
	}
}

// Defect 4a: a code exchange whose answer carried a refresh token was thrown
// away when the status or Content-Type looked wrong, orphaning the token.
func TestExchangeCode_keepsARefreshTokenWhateverTheWrapping(t *testing.T) {
	for name, answer := range map[string]func(http.ResponseWriter){
		"text/html content type": rawAnswer(200, "text/html;charset=UTF-8", okExchange),
		"HTTP 500":               jsonAnswer(500, okExchange),
		"HTTP 400 text/plain":    rawAnswer(400, "text/plain", okExchange),
		"HTTP 302":               jsonAnswer(302, okExchange),
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeAccounts{answers: []func(http.ResponseWriter){answer}}
			srv := httptest.NewServer(f)
			defer srv.Close()
			logs := &logRecorder{}
			c := New(Config{AccountsURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret, Log: logs.log,
				MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			tok, err := c.ExchangeCode(context.Background(), testCode, "")
			if err != nil {
				t.Fatalf("err = %v, want the refresh token", err)
			}
			if tok.RefreshToken != testRefresh || tok.AccessToken != testAccess || f.requests.Load() != 1 {
				t.Errorf("token = %+v after %d requests", tok, f.requests.Load())
			}
			if len(logs.matching("refresh token")) == 0 {
				t.Errorf("no debug line about the odd answer; logs:\n%s", logs.all())
			}
			// Only the exchange is lenient: a refresh cannot orphan anything.
			if _, err := c.Refresh(context.Background(), testRefresh); err == nil {
				t.Errorf("refresh accepted an answer with %s", name)
			}
		})
	}
	t.Run("no refresh token is still an error", func(t *testing.T) {
		f := &fakeAccounts{answers: []func(http.ResponseWriter){rawAnswer(200, "text/html", `{"access_token":"`+testAccess+`"}`)}}
		if _, err := newTestClient(t, f).ExchangeCode(context.Background(), testCode, ""); err == nil {
			t.Fatal("an HTML answer without a refresh token was accepted")
		}
	})
}

// Defect 5: a certificate the client does not trust was retried like a
// network blip.
func TestCertificateErrorsAreNotRetried(t *testing.T) {
	for _, op := range allOps {
		t.Run(string(op), func(t *testing.T) {
			var conns atomic.Int32
			srv := httptest.NewUnstartedServer(&fakeAccounts{answers: []func(http.ResponseWriter){jsonAnswer(200, okExchange)}})
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.StartTLS()
			defer srv.Close()
			// A client with the default transport does not trust the test CA.
			c := New(Config{AccountsURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret,
				MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			err := callOp(context.Background(), c, op)
			var terr *TransportError
			if !errors.As(err, &terr) {
				t.Fatalf("err = %#v, want a *TransportError", err)
			}
			if terr.Attempts != 1 || conns.Load() != 1 {
				t.Errorf("attempts = %d, connections = %d; want exactly 1", terr.Attempts, conns.Load())
			}
			if !terr.Certificate || terr.MayHaveReachedServer || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("Certificate = %v, MayHaveReachedServer = %v, err = %v", terr.Certificate, terr.MayHaveReachedServer, err)
			}
		})
	}
}

// Defect 6: text a server sends back lands in error messages; if it echoes
// a secret from the form (a proxy error page, a misbehaving server), the
// secret must not travel on into diagnostics or logs.
func TestErrorsAndLogsNeverEchoFormSecrets(t *testing.T) {
	// What each operation sends: it can only hide what it knows.
	sent := map[Operation][]string{
		OpExchangeCode:      {testClientSecret, testCode},
		OpRefresh:           {testClientSecret, testRefresh},
		OpClientCredentials: {testClientSecret},
		OpRevoke:            {testRefresh},
	}
	echo := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json; note="+testClientSecret)
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"error":"`+testRefresh+`","error_description":"code `+testCode+` refused for secret `+testClientSecret+`"}`)
	}
	echoHTML := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html; x="+testCode)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "<html>"+testRefresh+"</html>")
	}
	for _, answer := range []func(http.ResponseWriter){echo, echoHTML} {
		for _, op := range allOps {
			srv := httptest.NewServer(&fakeAccounts{answers: []func(http.ResponseWriter){answer}})
			logs := &logRecorder{}
			c := New(Config{AccountsURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret, Log: logs.log})
			err := callOp(context.Background(), c, op)
			srv.Close()
			if err == nil {
				t.Fatalf("%s: want an error", op)
			}
			for _, s := range sent[op] {
				if strings.Contains(err.Error(), s) || strings.Contains(fmt.Sprintf("%#v", err), s) {
					t.Errorf("%s: error reveals a secret: %v", op, err)
				}
				if strings.Contains(logs.all(), s) {
					t.Errorf("%s: logs reveal a secret:\n%s", op, logs.all())
				}
			}
		}
	}
}

func TestNormalizeAccountsURL_neverEchoesCredentials(t *testing.T) {
	for _, raw := range []string{
		"user:s3cretpw@accounts.zoho.com",
		"https://user:s3cret pw@accounts.zoho.com",
		"https://user:s3cret%zz@accounts.zoho.com",
		"https://s3cretuser@accounts.zoho.com:notaport",
		"https://user:s3cretpw@accounts.zoho.com",
		"http://user:s3cretpw@example.com",
		"ftp://user:s3cretpw@example.com/x?y",
		"https://accounts.zoho.com/?token=s3cretq",
		"https://accounts.zoho.com/#access_token=s3cretf",
		"https://user:s3cret/pw@accounts.zoho.com",
	} {
		_, err := NormalizeAccountsURL(raw)
		if err == nil {
			t.Errorf("%s: accepted", RedactURL(raw))
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error echoes a credential: %v", err)
		}
		if r := RedactURL(raw); strings.Contains(r, "s3cret") {
			t.Errorf("RedactURL kept a credential: %q", r)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"https://accounts.zoho.eu":                   "https://accounts.zoho.eu",
		" https://accounts.zoho.eu/ ":                "https://accounts.zoho.eu/",
		"http://127.0.0.1:8080":                      "http://127.0.0.1:8080",
		"https://user:pw@accounts.zoho.eu":           "https://REDACTED@accounts.zoho.eu",
		"https://token@accounts.zoho.eu/x":           "https://REDACTED@accounts.zoho.eu/x",
		"user:pw@accounts.zoho.eu":                   "REDACTED@accounts.zoho.eu",
		"https://a:b@c@accounts.zoho.eu":             "https://REDACTED@accounts.zoho.eu",
		"https://accounts.zoho.eu?client_secret=abc": "https://accounts.zoho.eu?REDACTED",
		"https://accounts.zoho.eu/#access_token=abc": "https://accounts.zoho.eu/#REDACTED",
		"": "",
	}
	for in, want := range tests {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// breakOff promises a longer body than it sends, then hangs up: the answer
// breaks off after its headers.
func breakOff(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "500")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"access_token":"`)
	w.(http.Flusher).Flush()
	hangUp(w)
}

// Reading the body is part of the attempt: a body that breaks off is
// retried where that is safe, and reported as a transport failure that may
// have reached Zoho (it did: it answered).
func TestBodyBreakingOffIsATransportFailure(t *testing.T) {
	f := &fakeAccounts{answers: []func(http.ResponseWriter){breakOff, jsonAnswer(200, okRefresh)}}
	if _, err := newTestClient(t, f).Refresh(context.Background(), testRefresh); err != nil || f.requests.Load() != 2 {
		t.Fatalf("refresh: err = %v after %d requests, want success on the second", err, f.requests.Load())
	}
	f = &fakeAccounts{answers: []func(http.ResponseWriter){breakOff, jsonAnswer(200, okExchange)}}
	_, err := newTestClient(t, f).ExchangeCode(context.Background(), testCode, "")
	var terr *TransportError
	if !errors.As(err, &terr) || !terr.MayHaveReachedServer || terr.Timeout || f.requests.Load() != 1 {
		t.Fatalf("exchange: err = %#v after %d requests, want one attempt that may have reached Zoho", err, f.requests.Load())
	}
}
