package zoho_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// The fault matrix runs every operation against every way the network or
// the accounts server can fail, through the emulator, and checks after each
// case what must hold whatever happened:
//   - no grant code was ever sent twice;
//   - every refresh token the emulator issued reached the caller or was
//     revoked (no orphan), except where the answer is lost after Zoho
//     processed the exchange: that orphan is inherent and counted apart;
//   - a token Revoke did not revoke is still live, so the provider keeps it.

// matrixRetries is Config.MaxRetries: attempts = 1 + matrixRetries for the
// operations that may be repeated.
const matrixRetries = 2

// outcome is how a call ended.
type outcome string

const (
	outOK        outcome = "ok"
	outGone      outcome = "ErrTokenNotFound"
	outTransport outcome = "TransportError"
	outResponse  outcome = "ResponseError"
	outZoho      outcome = "*Error"
)

// want is what one case must produce.
type want struct {
	outcome  outcome
	requests int // requests that reached the emulator
	// TransportError only:
	attempts int
	reached  bool
	timeout  bool
	// *Error only:
	code string
	// orphans: refresh tokens issued but neither returned nor revoked.
	orphans int
	// Revoke only: whether the token is still live afterwards, when that
	// differs from what the outcome implies (live unless ok or gone).
	liveAfterRevoke *bool
}

func ok(requests int) want        { return want{outcome: outOK, requests: requests} }
func gone(requests int) want      { return want{outcome: outGone, requests: requests} }
func badAnswer(requests int) want { return want{outcome: outResponse, requests: requests} }
func zohoErr(code string) want    { return want{outcome: outZoho, code: code, requests: 1} }
func neverLeft(attempts int) want { return want{outcome: outTransport, attempts: attempts} }
func lost(attempts, reqs int) want {
	return want{outcome: outTransport, attempts: attempts, requests: reqs, reached: true}
}
func timedOut(attempts int) want {
	return want{outcome: outTransport, attempts: attempts, requests: attempts, reached: true, timeout: true}
}
func (w want) orphaned(n int) want   { w.orphans = n; return w }
func (w want) tokenLive(b bool) want { w.liveAfterRevoke = &b; return w }

var ops = []zoho.Operation{zoho.OpExchangeCode, zoho.OpRefresh, zoho.OpClientCredentials, zoho.OpRevoke}

// same expects one outcome from every operation.
func same(w want) func(zoho.Operation) want { return func(zoho.Operation) want { return w } }

// exchangeApart expects one outcome from the exchange (one attempt once it
// may have reached Zoho) and another from the three repeatable operations.
func exchangeApart(exchange, others want) func(zoho.Operation) want {
	return func(op zoho.Operation) want {
		if op == zoho.OpExchangeCode {
			return exchange
		}
		return others
	}
}

// matrixCase is the state one case runs in.
type matrixCase struct {
	t       *testing.T
	op      zoho.Operation
	emu     *zohotest.Emulator
	client  zohotest.Client
	cfg     zoho.Config
	code    string // the exchange's grant code
	refresh string // the refresh token Refresh and Revoke use
}

// fault is a row of the matrix: setup injects it (faults, switches,
// another URL or transport), want says what each operation must produce.
type fault struct {
	name  string
	setup func(m *matrixCase)
	want  func(zoho.Operation) want
}

func inject(f zohotest.Fault) func(*matrixCase) {
	return func(m *matrixCase) { m.emu.InjectFault(f) }
}

func raw(status int, contentType, body string) func(*matrixCase) {
	return inject(zohotest.Fault{Kind: zohotest.FaultRaw, Status: status, ContentType: contentType, Body: body, Times: 10})
}

const (
	jsonType        = "application/json;charset=UTF-8"
	englishThrottle = `{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}`
	chineseThrottle = `{"error_description":"您已连续提出过多请求，请稍后再试。","error":"拒绝访问","status":"failure"}`
)

// throttle blocks the caller the way Zoho would: the emulator's own mint
// throttle for refresh and client credentials (with its status and
// language switches), the same body injected for the exchange and revoke.
func throttle(status int, localized bool) func(*matrixCase) {
	return func(m *matrixCase) {
		m.emu.SetThrottleStatus(status)
		m.emu.SetLocalizedThrottle(localized)
		body := englishThrottle
		if localized {
			body = chineseThrottle
		}
		switch m.op {
		case zoho.OpRefresh:
			m.emu.Throttle(m.refresh)
		case zoho.OpClientCredentials:
			m.emu.ThrottleClientCredentials(m.client.ID)
		default:
			raw(status, jsonType, body)(m)
		}
	}
}

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	return url
}

// noDNS is a transport whose every name lookup fails, without real DNS.
func noDNS() http.RoundTripper {
	return &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}}
}

func matrixFaults() []fault {
	statusOnce := func(status int, retryAfter string) fault {
		name := fmt.Sprintf("HTML %d once", status)
		if retryAfter != "" {
			name += " with Retry-After"
		}
		return fault{name,
			inject(zohotest.Fault{Kind: zohotest.FaultStatus, Status: status, RetryAfter: retryAfter}),
			exchangeApart(badAnswer(1), ok(2))}
	}
	faults := []fault{
		{"connection refused", func(m *matrixCase) { m.cfg.AccountsURL = closedPort(m.t) },
			same(neverLeft(1 + matrixRetries))},
		{"DNS failure", func(m *matrixCase) { m.cfg.Transport = noDNS() },
			same(neverLeft(1 + matrixRetries))},
		{"timeout every time", func(m *matrixCase) {
			m.cfg.RequestTimeout = 100 * time.Millisecond
			m.emu.InjectFault(zohotest.Fault{Kind: zohotest.FaultDelay, Delay: 5 * time.Second, Times: 10})
		}, exchangeApart(timedOut(1), timedOut(1+matrixRetries))},
		{"slow answer within request_timeout", inject(zohotest.Fault{Kind: zohotest.FaultDelay, Delay: 30 * time.Millisecond}),
			same(ok(1))},
		{"closed before processing once", inject(zohotest.Fault{Kind: zohotest.FaultCloseBefore}),
			exchangeApart(lost(1, 1), ok(2))},
		{"closed before processing every time", inject(zohotest.Fault{Kind: zohotest.FaultCloseBefore, Times: 10}),
			exchangeApart(lost(1, 1), lost(1+matrixRetries, 1+matrixRetries))},
		// The inherent orphan: Zoho issued a refresh token whose answer was
		// lost in transit, and the code cannot be sent again.
		{"closed after processing once", inject(zohotest.Fault{Kind: zohotest.FaultCloseAfter}),
			func(op zoho.Operation) want {
				switch op {
				case zoho.OpExchangeCode:
					return lost(1, 1).orphaned(1)
				case zoho.OpRevoke:
					return gone(2) // the first attempt did revoke it
				}
				return ok(2)
			}},
	}
	for _, status := range []int{500, 502, 503, 504} {
		faults = append(faults, statusOnce(status, ""), statusOnce(status, "0"))
	}
	faults = append(faults, []fault{
		{"HTML 503 every time", inject(zohotest.Fault{Kind: zohotest.FaultStatus, Times: 10}),
			exchangeApart(badAnswer(1), badAnswer(1+matrixRetries))},
		statusOnce(http.StatusTooManyRequests, ""),
		{"HTML 429 every time with Retry-After", inject(zohotest.Fault{Kind: zohotest.FaultStatus, Status: 429, RetryAfter: "0", Times: 10}),
			exchangeApart(badAnswer(1), badAnswer(1+matrixRetries))},
		{"HTML 200 maintenance page", inject(zohotest.Fault{Kind: zohotest.FaultHTML}), same(badAnswer(1))},
		{"HTML 400 from a proxy", raw(400, "text/html", "<html><body><h1>400 Bad Request</h1></body></html>"), same(badAnswer(1))},
		{"truncated token JSON", raw(200, jsonType, `{"access_token":"1000.0123456789abcdef`), same(badAnswer(1))},
		{"truncated error JSON", raw(200, jsonType, `{"error":"invalid_c`), same(badAnswer(1))},
		{"plain text 200", raw(200, "text/plain", "OK"), same(badAnswer(1))},
		{"non-JSON body typed as JSON", raw(200, jsonType, "Service Unavailable"), same(badAnswer(1))},
		{"empty 200", inject(zohotest.Fault{Kind: zohotest.FaultEmptyBody}), same(badAnswer(1))},
		{"empty 400", raw(400, "", ""), same(badAnswer(1))},
		{"HTTP 200 invalid_client", raw(200, jsonType, `{"error":"invalid_client"}`), same(zohoErr(zoho.CodeInvalidClient))},
		{"HTTP 200 invalid_client_secret", raw(200, jsonType, `{"error":"invalid_client_secret"}`), same(zohoErr(zoho.CodeInvalidClientSecret))},
		{"HTTP 200 invalid_code", raw(200, jsonType, `{"error":"invalid_code"}`), same(zohoErr(zoho.CodeInvalidCode))},
		{"HTTP 200 unknown error", raw(200, jsonType, `{"error":"something_new","error_description":"details"}`), same(zohoErr("something_new"))},
		{"throttle 200", throttle(200, false), same(zohoErr(zoho.CodeThrottled))},
		{"throttle 400", throttle(400, false), same(zohoErr(zoho.CodeThrottled))},
		{"localized throttle 200", throttle(200, true), same(zohoErr(zoho.CodeThrottled))},
		{"localized throttle 400", throttle(400, true), same(zohoErr(zoho.CodeThrottled))},
		// A client registered in us, called at the eu host. Revoke has no
		// client authentication, and a token unknown at that host gets the
		// very answer an already revoked one gets: the client cannot tell
		// them apart, the token stays live in us. The provider avoids this
		// by revoking at the accounts_url recorded in state.
		{"wrong data center", func(m *matrixCase) { m.cfg.AccountsURL = m.emu.StartServer(m.t, "eu") },
			func(op zoho.Operation) want {
				if op == zoho.OpRevoke {
					return gone(1).tokenLive(true)
				}
				return zohoErr(zoho.CodeInvalidClient)
			}},
		// A gateway answers 502 after Zoho processed the request: for the
		// exchange, the second way to lose an answer in transit.
		{"processed, then HTML 502 from a gateway", inject(zohotest.Fault{Kind: zohotest.FaultRaw, Process: true, Status: 502, ContentType: "text/html", Body: "<html>Bad Gateway</html>"}),
			func(op zoho.Operation) want {
				switch op {
				case zoho.OpExchangeCode:
					return badAnswer(1).orphaned(1)
				case zoho.OpRevoke:
					return gone(2)
				}
				return ok(2)
			}},
		// Zoho's own answer under a wrong status or type: the exchange keeps
		// the refresh token rather than orphan it.
		{"processed, Zoho's JSON under HTML 500", inject(zohotest.Fault{Kind: zohotest.FaultRaw, Process: true, Status: 500, ContentType: "text/html"}),
			func(op zoho.Operation) want {
				switch op {
				case zoho.OpExchangeCode:
					return ok(1)
				case zoho.OpRevoke:
					return gone(2)
				}
				return ok(2)
			}},
		{"processed, Zoho's JSON typed text/html", inject(zohotest.Fault{Kind: zohotest.FaultRaw, Process: true, Status: 200, ContentType: "text/html"}),
			func(op zoho.Operation) want {
				switch op {
				case zoho.OpExchangeCode:
					return ok(1)
				case zoho.OpRevoke:
					// Revoked, but the answer is not trusted: the provider keeps
					// the token and its next destroy sees ErrTokenNotFound.
					return badAnswer(1).tokenLive(false)
				}
				return badAnswer(1)
			}},
	}...)
	return faults
}

// row is one line of the matrix's summary (nothing secret).
type row struct {
	fault, op string
	outcome   outcome
	requests  int
	orphans   int
}

func TestFaultMatrix(t *testing.T) {
	started := time.Now()
	var rows []row
	for _, f := range matrixFaults() {
		for _, op := range ops {
			t.Run(f.name+"/"+string(op), func(t *testing.T) {
				rows = append(rows, runMatrixCase(t, f, op))
			})
		}
	}
	inherent := 0
	for _, r := range rows {
		if r.orphans > 0 {
			inherent++
			t.Logf("inherent orphan: %s / %s", r.fault, r.op)
		}
	}
	if want := 2; inherent != want && !t.Failed() {
		t.Errorf("%d cases orphaned a refresh token, want exactly %d (the exchange answer lost after Zoho processed it)", inherent, want)
	}
	t.Logf("%d cases in %v", len(rows), time.Since(started).Round(time.Millisecond))
	for _, r := range rows {
		t.Logf("%-45s %-26s %-17s requests=%d orphans=%d", r.fault, r.op, r.outcome, r.requests, r.orphans)
	}
}

func runMatrixCase(t *testing.T, f fault, op zoho.Operation) row {
	emu := zohotest.New(zohotest.Options{})
	m := &matrixCase{t: t, op: op, emu: emu, client: emu.RegisterClient(zohotest.Client{DC: "us"})}
	m.cfg = zoho.Config{
		AccountsURL: emu.StartServer(t, "us"), ClientID: m.client.ID, ClientSecret: m.client.Secret,
		RequestTimeout: 5 * time.Second, MaxRetries: matrixRetries,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond,
	}
	switch op {
	case zoho.OpExchangeCode:
		code, err := emu.IssueGrantCode(m.client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}})
		if err != nil {
			t.Fatal(err)
		}
		m.code = code
	case zoho.OpRefresh, zoho.OpRevoke:
		rt, err := emu.IssueRefreshToken(m.client.ID, []string{"ZohoCRM.users.READ"})
		if err != nil {
			t.Fatal(err)
		}
		m.refresh = rt
	}
	f.setup(m)
	w := f.want(op)

	client := zoho.New(m.cfg)
	before := emu.Counters()
	var tok *zoho.Token
	var err error
	switch op {
	case zoho.OpExchangeCode:
		tok, err = client.ExchangeCode(context.Background(), m.code, "")
	case zoho.OpRefresh:
		tok, err = client.Refresh(context.Background(), m.refresh)
	case zoho.OpClientCredentials:
		tok, err = client.ClientCredentials(context.Background(), []string{"ZohoCRM.users.READ"}, "")
	case zoho.OpRevoke:
		err = client.Revoke(context.Background(), m.refresh)
	}
	after := emu.Counters()
	requests := after.TokenRequests - before.TokenRequests + after.RevokeRequests - before.RevokeRequests

	got := checkOutcome(t, w, tok, err)
	if requests != w.requests {
		t.Errorf("%d requests reached the emulator, want %d", requests, w.requests)
	}
	for _, s := range []string{m.client.Secret, m.code, m.refresh} {
		if err != nil && s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error text reveals a secret")
		}
	}

	// Invariant: no grant code was sent twice.
	sent := map[string]int{}
	for _, r := range emu.Requests() {
		if r.Path == "/oauth/v2/token" && r.Form.Get("grant_type") == "authorization_code" {
			sent[r.Form.Get("code")]++
			if sent[r.Form.Get("code")] > 1 {
				t.Errorf("a grant code was sent %d times", sent[r.Form.Get("code")])
			}
		}
	}

	// Invariant: every issued refresh token reached the caller or was
	// revoked, unless the answer was lost after Zoho processed it.
	known := []string{m.refresh}
	if tok != nil {
		known = append(known, tok.RefreshToken)
	}
	orphans := 0
	for _, live := range emu.LiveRefreshTokens(m.client.ID) {
		if !slices.Contains(known, live) {
			orphans++
		}
	}
	if orphans != w.orphans {
		t.Errorf("%d orphaned refresh tokens, want %d", orphans, w.orphans)
	}
	if w.orphans > 0 {
		if !strings.Contains(err.Error(), "may have processed") && !strings.Contains(err.Error(), "may have reached Zoho") {
			t.Errorf("the error does not say the code may have been consumed: %v", err)
		}
	}
	if tok != nil && tok.RefreshToken != "" && !emu.RefreshTokenLive(tok.RefreshToken) {
		t.Errorf("the refresh token returned is not live")
	}

	// Invariant: a token is gone exactly when Revoke said so (or the case
	// documents why not); other operations never kill their token.
	if m.refresh != "" {
		wantLive := op != zoho.OpRevoke || (got != outOK && got != outGone)
		if w.liveAfterRevoke != nil {
			wantLive = *w.liveAfterRevoke
		}
		if live := emu.RefreshTokenLive(m.refresh); live != wantLive {
			t.Errorf("refresh token live = %v afterwards, want %v", live, wantLive)
		}
	}
	return row{fault: f.name, op: string(op), outcome: got, requests: requests, orphans: orphans}
}

// checkOutcome asserts the result's kind and details and returns its kind.
func checkOutcome(t *testing.T, w want, tok *zoho.Token, err error) outcome {
	t.Helper()
	var (
		terr *zoho.TransportError
		rerr *zoho.ResponseError
		zerr *zoho.Error
		got  outcome
	)
	switch {
	case err == nil:
		got = outOK
	case errors.Is(err, zoho.ErrTokenNotFound):
		got = outGone
	case errors.As(err, &terr):
		got = outTransport
	case errors.As(err, &rerr):
		got = outResponse
	case errors.As(err, &zerr):
		got = outZoho
	default:
		t.Fatalf("unclassified error %T: %v", err, err)
	}
	if got != w.outcome {
		t.Fatalf("outcome %s (%v), want %s", got, err, w.outcome)
	}
	switch got {
	case outOK:
		if tok != nil && (tok.AccessToken == "" || tok.ExpiresIn(time.Now()) <= 0) {
			t.Errorf("token without access token or lifetime")
		}
	case outTransport:
		if terr.Attempts != w.attempts || terr.MayHaveReachedServer != w.reached || terr.Timeout != w.timeout {
			t.Errorf("TransportError attempts=%d reached=%v timeout=%v, want %d %v %v (%v)",
				terr.Attempts, terr.MayHaveReachedServer, terr.Timeout, w.attempts, w.reached, w.timeout, err)
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			t.Errorf("a transport failure looks like the caller's context ending: %v", err)
		}
	case outZoho:
		if zerr.Code != w.code {
			t.Errorf("code %q, want %q", zerr.Code, w.code)
		}
	}
	return got
}
