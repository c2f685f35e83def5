package zohotest_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

func TestFaultKinds(t *testing.T) {
	cases := []struct {
		name         string
		fault        zohotest.Fault
		check        func(t *testing.T, resp response, err error)
		codeConsumed bool
	}{
		{"status: 503 by default", zohotest.Fault{Kind: zohotest.FaultStatus}, func(t *testing.T, resp response, err error) {
			wantHTML(t, resp, err, http.StatusServiceUnavailable, "Service Unavailable")
			if resp.header.Get("Retry-After") != "" {
				t.Error("Retry-After sent although not set")
			}
		}, false},
		{"status with Retry-After", zohotest.Fault{Kind: zohotest.FaultStatus, Status: http.StatusBadGateway, RetryAfter: "7"}, func(t *testing.T, resp response, err error) {
			wantHTML(t, resp, err, http.StatusBadGateway, "Bad Gateway")
			if got := resp.header.Get("Retry-After"); got != "7" {
				t.Errorf("Retry-After = %q, want 7", got)
			}
		}, false},
		{"HTML page with 200", zohotest.Fault{Kind: zohotest.FaultHTML}, func(t *testing.T, resp response, err error) {
			wantHTML(t, resp, err, http.StatusOK, "<!DOCTYPE html>")
		}, false},
		{"empty body with 200", zohotest.Fault{Kind: zohotest.FaultEmptyBody}, func(t *testing.T, resp response, err error) {
			if err != nil || resp.status != http.StatusOK || len(resp.raw) != 0 {
				t.Fatalf("got %d %q (err %v), want 200 with an empty body", resp.status, resp.raw, err)
			}
		}, false},
		{"connection closed before processing", zohotest.Fault{Kind: zohotest.FaultCloseBefore}, wantConnectionError, false},
		{"connection closed after processing", zohotest.Fault{Kind: zohotest.FaultCloseAfter}, wantConnectionError, true},
		{"delay, then normal processing", zohotest.Fault{Kind: zohotest.FaultDelay, Delay: 30 * time.Millisecond}, func(t *testing.T, resp response, err error) {
			if err != nil || resp.str(t, "access_token") == "" {
				t.Fatalf("delayed request: %d %s (err %v), want tokens", resp.status, resp.raw, err)
			}
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			c := v.selfClient("us")
			params := codeParams(c, v.code(c, zohotest.CodeOptions{}))
			v.emu.InjectFault(tc.fault)

			started := time.Now()
			resp, err := v.try(v.formRequest("us", "/oauth/v2/token", params))
			if elapsed := time.Since(started); elapsed < tc.fault.Delay {
				t.Errorf("answered after %v, before the %v delay", elapsed, tc.fault.Delay)
			}
			tc.check(t, resp, err)

			again := v.token("us", params)
			if consumed := again.str(t, "error") == "invalid_code"; consumed != tc.codeConsumed {
				t.Errorf("code consumed = %v, want %v (second exchange: %s)", consumed, tc.codeConsumed, again.raw)
			}
			counters := v.emu.Counters()
			if counters.Faults != 1 || counters.TokenRequests != 2 || counters.Mints != 1 {
				t.Errorf("counters = %+v, want 1 fault, 2 token requests, 1 mint", counters)
			}
		})
	}
}

func wantHTML(t *testing.T, resp response, err error, status int, fragment string) {
	t.Helper()
	if err != nil || resp.status != status || !strings.Contains(string(resp.raw), fragment) {
		t.Fatalf("got %d %q (err %v), want %d with %q", resp.status, resp.raw, err, status, fragment)
	}
	if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q, want text/html", ct)
	}
}

func wantConnectionError(t *testing.T, resp response, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got %d %s, want the connection to drop", resp.status, resp.raw)
	}
}

// A client that gives up during a delay leaves the request unprocessed.
func TestFaultDelayStopsWhenTheClientGivesUp(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	params := codeParams(c, v.code(c, zohotest.CodeOptions{}))
	v.emu.InjectFault(zohotest.Fault{Kind: zohotest.FaultDelay, Delay: time.Minute})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := v.try(v.formRequest("us", "/oauth/v2/token", params).WithContext(ctx)); err == nil {
		t.Fatal("request returned before the delay ended")
	}

	v.exchange("us", c, params.Get("code")) // the code was never consumed
}

func TestFaultMatching(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	rt := v.refreshToken(c)
	v.emu.InjectFault(zohotest.Fault{GrantType: "refresh_token", Kind: zohotest.FaultStatus, Status: http.StatusBadGateway, Times: 2})
	v.emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token/revoke", Kind: zohotest.FaultStatus, Status: http.StatusGatewayTimeout})
	v.emu.InjectFault(zohotest.Fault{Kind: zohotest.FaultStatus, Status: http.StatusInternalServerError})

	statuses := []int{
		v.token("us", credentialsParams(c, "A.b.READ")).status,                   // only the catch-all matches
		v.token("us", refreshParams(c, rt)).status,                               // first refresh fault
		v.token("us", refreshParams(c, rt)).status,                               // its second hit
		v.token("us", refreshParams(c, rt)).status,                               // spent: served normally
		v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {rt}}).status, // the revoke fault
		v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {rt}}).status, // served: revoked
	}
	if want := []int{500, 502, 502, 200, 504, 200}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses = %v, want %v", statuses, want)
	}
	if got := v.emu.Counters().Faults; got != 4 {
		t.Errorf("Faults = %d, want 4", got)
	}
}

func TestFaultsAreFIFO(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	v.emu.InjectFault(zohotest.Fault{Kind: zohotest.FaultStatus, Status: http.StatusBadGateway})
	v.emu.InjectFault(zohotest.Fault{Kind: zohotest.FaultStatus, Status: http.StatusGatewayTimeout})
	first, second := v.token("us", nil).status, v.token("us", nil).status
	if first != http.StatusBadGateway || second != http.StatusGatewayTimeout {
		t.Fatalf("statuses = %d, %d; want 502 then 504", first, second)
	}
}

func TestInjectFaultRejectsUnknownKind(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("InjectFault accepted FaultKind(99)")
		}
	}()
	zohotest.New(zohotest.Options{}).InjectFault(zohotest.Fault{Kind: 99})
}

func TestFaultRaw(t *testing.T) {
	cases := []struct {
		name         string
		fault        zohotest.Fault
		wantStatus   int
		wantType     string // "" = no Content-Type header at all
		wantBody     string // "" = the processed answer, checked for tokens
		codeConsumed bool
	}{
		{"truncated JSON", zohotest.Fault{Kind: zohotest.FaultRaw, ContentType: "application/json;charset=UTF-8", Body: `{"access_token":"1000.ab`},
			200, "application/json;charset=UTF-8", `{"access_token":"1000.ab`, false},
		{"plain text 400 without a type", zohotest.Fault{Kind: zohotest.FaultRaw, Status: http.StatusBadRequest, Body: "Bad Request"},
			400, "", "Bad Request", false},
		{"empty 502 with Retry-After", zohotest.Fault{Kind: zohotest.FaultRaw, Status: http.StatusBadGateway, RetryAfter: "3"},
			502, "", "", false},
		{"processed, rewrapped as HTML 500", zohotest.Fault{Kind: zohotest.FaultRaw, Process: true, Status: http.StatusInternalServerError, ContentType: "text/html"},
			500, "text/html", "", true},
		{"processed, answered late", zohotest.Fault{Kind: zohotest.FaultRaw, Process: true, Delay: 50 * time.Millisecond, ContentType: "application/json;charset=UTF-8"},
			200, "application/json;charset=UTF-8", "", true},
		{"processed, answer replaced", zohotest.Fault{Kind: zohotest.FaultRaw, Process: true, Status: http.StatusBadGateway, ContentType: "text/html", Body: "<html>Bad Gateway</html>"},
			502, "text/html", "<html>Bad Gateway</html>", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			c := v.selfClient("us")
			params := codeParams(c, v.code(c, zohotest.CodeOptions{}))
			v.emu.InjectFault(tc.fault)
			resp := v.token("us", params)
			if resp.status != tc.wantStatus {
				t.Errorf("status = %d, want %d", resp.status, tc.wantStatus)
			}
			if got, ok := resp.header["Content-Type"]; tc.wantType == "" && ok || tc.wantType != "" && resp.header.Get("Content-Type") != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
			}
			if got := resp.header.Get("Retry-After"); got != tc.fault.RetryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.fault.RetryAfter)
			}
			switch {
			case tc.fault.Process && tc.wantBody == "":
				if resp.str(t, "refresh_token") == "" || resp.str(t, "access_token") == "" {
					t.Errorf("body = %s, want the processed token answer", resp.raw)
				}
			case string(resp.raw) != tc.wantBody:
				t.Errorf("body = %q, want %q", resp.raw, tc.wantBody)
			}
			again := v.token("us", params)
			if consumed := again.str(t, "error") == "invalid_code"; consumed != tc.codeConsumed {
				t.Errorf("code consumed = %v, want %v", consumed, tc.codeConsumed)
			}
		})
	}
}
