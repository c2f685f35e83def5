package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

const throttleBody = `{"error_description":"You have made too many requests continuously. Please try again after some time.","error":"Access Denied","status":"failure"}`

// TestAccFaultMatrix_exchange creates a refresh token through Terraform while
// Zoho's front end fails in each way it can, and checks what the user sees
// and, from the emulator's state once the test's destroy has run, that no
// refresh token Zoho issued is left live outside Terraform's state (zero
// orphans) and that no grant code was sent twice. The client package's own
// matrix (internal/zoho) covers every operation; this one proves the
// provider turns each outcome into state or a diagnostic.
func TestAccFaultMatrix_exchange(t *testing.T) {
	const token = "/oauth/v2/token"
	json := "application/json;charset=UTF-8"
	cases := []struct {
		name  string
		fault *zohotest.Fault // nil: the accounts URL is a closed port
		want  *regexp.Regexp  // nil: the token is created
		// lost is 1 where Zoho processed the exchange and its answer never
		// arrived: the one orphan no client can prevent, and the diagnostic
		// must say the code may be spent.
		lost int
	}{
		{name: "connection refused", want: errorText("Cannot Reach Zoho Accounts")},
		{name: "closed before processing", fault: &zohotest.Fault{Kind: zohotest.FaultCloseBefore}, want: errorText("Cannot Reach Zoho Accounts", "may have reached Zoho", "Generate Code")},
		{name: "closed after processing", fault: &zohotest.Fault{Kind: zohotest.FaultCloseAfter}, want: errorText("Cannot Reach Zoho Accounts", "may have reached Zoho", "Generate Code"), lost: 1},
		{name: "timeout", fault: &zohotest.Fault{Kind: zohotest.FaultDelay, Delay: 5 * time.Second}, want: errorText("Zoho Request Timed Out", "may have reached Zoho")},
		{name: "slow but in time", fault: &zohotest.Fault{Kind: zohotest.FaultDelay, Delay: 100 * time.Millisecond}},
		{name: "HTML 500", fault: &zohotest.Fault{Kind: zohotest.FaultStatus, Status: 500}, want: errorText("Unexpected Answer From Zoho Accounts", "the code is spent", "HTTP 500")},
		{name: "HTML 502", fault: &zohotest.Fault{Kind: zohotest.FaultStatus, Status: 502}, want: errorText("Unexpected Answer From Zoho Accounts", "HTTP 502")},
		{name: "HTML 503 with Retry-After", fault: &zohotest.Fault{Kind: zohotest.FaultStatus, Status: 503, RetryAfter: "1"}, want: errorText("Unexpected Answer From Zoho Accounts", "HTTP 503")},
		{name: "HTML 504", fault: &zohotest.Fault{Kind: zohotest.FaultStatus, Status: 504}, want: errorText("Unexpected Answer From Zoho Accounts", "HTTP 504")},
		{name: "HTML 429", fault: &zohotest.Fault{Kind: zohotest.FaultStatus, Status: 429}, want: errorText("Unexpected Answer From Zoho Accounts", "HTTP 429")},
		{name: "HTML 200", fault: &zohotest.Fault{Kind: zohotest.FaultHTML}, want: errorText("Unexpected Answer From Zoho Accounts", "HTML page")},
		{name: "truncated JSON", fault: &zohotest.Fault{Kind: zohotest.FaultRaw, ContentType: json, Body: `{"access_token":"1000.ab`}, want: errorText("Unexpected Answer From Zoho Accounts", "not the JSON Zoho sends")},
		{name: "plain text", fault: &zohotest.Fault{Kind: zohotest.FaultRaw, ContentType: "text/plain", Body: "upstream connect error"}, want: errorText("Unexpected Answer From Zoho Accounts")},
		{name: "empty body", fault: &zohotest.Fault{Kind: zohotest.FaultEmptyBody}, want: errorText("Unexpected Answer From Zoho Accounts", "empty body")},
		{name: "HTTP 200 invalid_client", fault: &zohotest.Fault{Kind: zohotest.FaultRaw, ContentType: json, Body: `{"error":"invalid_client"}`}, want: errorText("Invalid Zoho Client", "data center")},
		{name: "throttle with 200", fault: &zohotest.Fault{Kind: zohotest.FaultRaw, ContentType: json, Body: throttleBody}, want: errorText("Zoho Token Limit Reached")},
		{name: "throttle with 400", fault: &zohotest.Fault{Kind: zohotest.FaultRaw, Status: 400, ContentType: json, Body: throttleBody}, want: errorText("Zoho Token Limit Reached")},
		{name: "answer rewrapped as HTML 500", fault: &zohotest.Fault{Kind: zohotest.FaultRaw, Process: true, Status: 500, ContentType: "text/html"}},
		{name: "answer replaced by a gateway 502", fault: &zohotest.Fault{Kind: zohotest.FaultRaw, Process: true, Status: 502, ContentType: "text/html", Body: "<html>Bad Gateway</html>"},
			want: errorText("Unexpected Answer From Zoho Accounts", "the code is spent"), lost: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			cfg := e.providerConfig(`request_timeout = "500ms"`) + writeOnlyConfig(e.code(), 1)
			if tc.fault == nil {
				cfg = providerBlockWith(`accounts_url = "http://127.0.0.1:1"`, fmt.Sprintf("client_id = %q", e.client.ID),
					fmt.Sprintf("client_secret = %q", e.client.Secret), "max_retries = 1") + writeOnlyConfig(e.code(), 1)
			} else {
				f := *tc.fault
				f.Path, f.GrantType = token, "authorization_code"
				e.emu.InjectFault(f)
			}
			step := resource.TestStep{Config: cfg, ExpectError: tc.want}
			if tc.want == nil {
				step.ConfigStateChecks = []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("refresh_token"), knownvalue.StringRegexp(zohoTokenShape)),
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				TerraformVersionChecks:   writeOnlyCLIs,
				Steps:                    []resource.TestStep{step},
				CheckDestroy: func(*terraform.State) error {
					if orphans := len(e.emu.LiveRefreshTokens(e.client.ID)); orphans != tc.lost {
						return fmt.Errorf("%d refresh tokens are live at Zoho after destroy, want %d", orphans, tc.lost)
					}
					if n := e.emu.CodesSentTwice(); n != 0 {
						return fmt.Errorf("%d grant codes were sent to Zoho twice", n)
					}
					return nil
				},
			})
		})
	}
}
