package provider

// What a user meets before any token exists: plan-time validation of the
// provider block and of the resource's overrides, where each setting comes
// from (resource, then provider block, then ZOHO_* environment), and what
// every request to Zoho carries. Plus a unit table over explain, which turns
// each Zoho error into the advice the user reads.

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// designDataCenters is the list the docs promise (docs/index.md), written out
// rather than taken from the code, so that the message is checked against it.
const designDataCenters = "us, eu, in, au, jp, cn, ca, sa, uk"

// providerBlockWith is a provider block holding exactly these lines, for tests in
// which the provider's settings are the thing under test.
func providerBlockWith(lines ...string) string {
	return `
terraform {
  required_providers {
    zoho = { source = "cd40c554/zoho" }
  }
}

provider "zoho" {
  ` + strings.Join(lines, "\n  ") + `
}
`
}

// useZohoEnv makes env the provider's whole ZOHO_* environment from now on.
func (e *testEnv) useZohoEnv(env map[string]string) {
	for _, name := range []string{envClientID, envClientSecret, envDataCenter, envAccountsURL, envRequestTimeout, envMaxRetries, envTokenCacheDir} {
		e.setenv(name, env[name]) // "" counts as unset everywhere
	}
}

// planFailsWith is a step whose plan must fail with want under exactly the
// environment env. PlanOnly proves the error comes before anything is applied.
func (e *testEnv) planFailsWith(env map[string]string, cfg string, want *regexp.Regexp) resource.TestStep {
	return resource.TestStep{PreConfig: func() { e.useZohoEnv(env) }, Config: cfg, PlanOnly: true, ExpectError: want}
}

// runFailingSteps runs steps that must all fail, so nothing is ever created.
func (e *testEnv) runFailingSteps(t *testing.T, steps ...resource.TestStep) {
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: e.factories(), TerraformVersionChecks: writeOnlyCLIs, Steps: steps})
}

func TestAccProvider_unknownDataCenter(t *testing.T) {
	e := newTestEnv(t)
	res := writeOnlyConfig(e.code(), 1)
	e.runFailingSteps(t,
		e.planFailsWith(nil, providerBlockWith(`data_center = "mars"`)+res,
			errorText("Invalid Attribute Value Match", "data_center", `must be one of: ["us" "eu" "in" "au" "jp" "cn" "ca" "sa" "uk"]`, `got: "mars"`)),
		e.planFailsWith(map[string]string{envDataCenter: "mars"}, providerBlockWith()+res,
			errorText("Unknown Zoho Data Center", `The environment variable ZOHO_DATA_CENTER is "mars"`, "Valid values: "+designDataCenters)),
		e.planFailsWith(nil, e.providerConfig()+writeOnlyConfig(e.code(), 1, `data_center = "mars"`),
			errorText("Invalid Attribute Value Match", "data_center", "must be one of:", `got: "mars"`)),
	)
}

func TestAccProvider_invalidAccountsURL(t *testing.T) {
	e := newTestEnv(t)
	res := writeOnlyConfig(e.code(), 1)
	plainHTTP := errorText("Invalid Zoho Accounts URL", "http:// is allowed only for loopback hosts", "use https://accounts.zoho.com")
	e.runFailingSteps(t,
		e.planFailsWith(nil, providerBlockWith(`accounts_url = "http://accounts.zoho.com"`)+res, plainHTTP),
		e.planFailsWith(map[string]string{envAccountsURL: "http://accounts.zoho.com"}, providerBlockWith()+res,
			errorText("Invalid Zoho Accounts URL", "The environment variable ZOHO_ACCOUNTS_URL is not usable", "loopback", "use https://accounts.zoho.com")),
		e.planFailsWith(nil, providerBlockWith(`accounts_url = "https://accounts.zoho.com/oauth/v2"`)+res,
			errorText("Invalid Zoho Accounts URL", "accounts host only, without a path", `"/oauth/v2"`)),
		// The resource keeps accounts_url in state, so it must be written as stored.
		e.planFailsWith(nil, e.providerConfig()+writeOnlyConfig(e.code(), 1, fmt.Sprintf("accounts_url = %q", e.usURL+"/")),
			errorText("Non-Canonical Zoho Accounts URL", fmt.Sprintf("Write %q as %q", e.usURL+"/", e.usURL))),
	)
}

func TestAccProvider_conflictingLocation(t *testing.T) {
	e := newTestEnv(t)
	e.runFailingSteps(t,
		e.planFailsWith(nil, providerBlockWith(`data_center = "eu"`, `accounts_url = "https://accounts.zoho.eu"`)+writeOnlyConfig(e.code(), 1),
			errorText("Invalid Attribute Combination", `Attribute "accounts_url" cannot be specified when "data_center" is specified`)),
		e.planFailsWith(nil, e.providerConfig()+writeOnlyConfig(e.code(), 1, `data_center = "eu"`, `accounts_url = "https://accounts.zoho.eu"`),
			errorText("Invalid Attribute Combination", "cannot be configured together: [data_center,accounts_url]")),
	)
}

func TestAccProvider_invalidTimeoutAndRetries(t *testing.T) {
	e := newTestEnv(t)
	res := writeOnlyConfig(e.code(), 1)
	e.runFailingSteps(t,
		// One wording, whether the value is written in the block or in the environment.
		e.planFailsWith(nil, e.providerConfig(`request_timeout = "soon"`)+res,
			errorText("Invalid Zoho Request Timeout", `The provider attribute request_timeout is "soon", which is not a duration`, `Use a Go duration such as "30s"`)),
		e.planFailsWith(nil, e.providerConfig(`request_timeout = "-1s"`)+res,
			errorText("Invalid Zoho Request Timeout", `request_timeout is "-1s", which is not longer than zero`, `such as "30s"`)),
		e.planFailsWith(map[string]string{envRequestTimeout: "soon"}, e.providerConfig()+res,
			errorText("Invalid Zoho Request Timeout", `The environment variable ZOHO_REQUEST_TIMEOUT is "soon", which is not a duration`, `Use a Go duration such as "30s"`)),
		// providerConfig sets max_retries = 1, so this one needs its own block.
		e.planFailsWith(nil, providerBlockWith(fmt.Sprintf("accounts_url = %q", e.usURL), "max_retries = 99")+res,
			errorText("Invalid Attribute Value", "max_retries value must be between 0 and 10, got: 99")),
		e.planFailsWith(map[string]string{envMaxRetries: "lots"}, providerBlockWith(fmt.Sprintf("accounts_url = %q", e.usURL))+res,
			errorText("Invalid Zoho Max Retries", `The environment variable ZOHO_MAX_RETRIES is "lots"`, "whole number from 0 to 10")),
	)
}

func TestAccProvider_grantCodeRules(t *testing.T) {
	e := newTestEnv(t)
	e.runFailingSteps(t,
		e.planFailsWith(nil, e.providerConfig()+writeOnlyConfig(e.code(), 1, fmt.Sprintf("grant_code = %q", e.code())),
			errorText("Invalid Attribute Combination", "cannot be configured together: [grant_code,grant_code_wo]")),
		// No code and no import: nothing could create the token, so say how
		// to get a code, and how to adopt an existing token instead.
		e.planFailsWith(nil, e.providerConfig()+`resource "zoho_oauth_refresh_token" "t" {}`,
			errorText("Grant Code Required To Create A Zoho Refresh Token", "none is set", "Generate Code", "grant_code_wo_version",
				"import it: terraform import <address> env:VARIABLE_HOLDING_THE_TOKEN")),
	)
	if got := e.emu.Counters().TokenRequests; got != 0 {
		t.Errorf("%d token requests reached Zoho; a refused configuration must send none", got)
	}
}

// Missing credentials are reported when the resource needs them: for a new
// token that is at plan time, before anyone approves the plan, and no
// request reaches Zoho.
func TestAccProvider_missingCredentials(t *testing.T) {
	e := newTestEnv(t)
	fail := func(cfg string, want *regexp.Regexp) resource.TestStep {
		return resource.TestStep{PreConfig: func() { e.useZohoEnv(nil) }, Config: cfg, PlanOnly: true, ExpectError: want}
	}
	e.runFailingSteps(t,
		fail(providerBlockWith(fmt.Sprintf("accounts_url = %q", e.usURL), fmt.Sprintf("client_secret = %q", e.client.Secret))+writeOnlyConfig(e.code(), 1),
			errorText("Missing Zoho Client ID", "Set client_id", "or the ZOHO_CLIENT_ID environment variable")),
		fail(providerBlockWith(fmt.Sprintf("accounts_url = %q", e.usURL), fmt.Sprintf("client_id = %q", e.client.ID))+writeOnlyConfig(e.code(), 1),
			errorText("Missing Zoho Client Secret", "Set client_secret", "or the ZOHO_CLIENT_SECRET environment variable")),
	)
	if got := e.emu.Counters().TokenRequests; got != 0 {
		t.Errorf("%d token requests reached Zoho without credentials, want 0", got)
	}
}

// runTokenCase creates one token with cfg under env and checks that state
// records where it lives and as which client; destroy must revoke it there.
func (e *testEnv) runTokenCase(t *testing.T, env map[string]string, cfg, wantURL, wantClientID string, more ...resource.TestCheckFunc) {
	var refresh string
	e.useZohoEnv(env)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   writeOnlyCLIs,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("accounts_url"), knownvalue.StringExact(wantURL)),
				plancheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("client_id"), knownvalue.StringExact(wantClientID)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("accounts_url"), knownvalue.StringExact(wantURL)),
				statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("client_id"), knownvalue.StringExact(wantClientID)),
			},
			Check: resource.ComposeTestCheckFunc(append([]resource.TestCheckFunc{captureAttr(tokenAddr, "refresh_token", &refresh)}, more...)...),
		}},
		CheckDestroy: e.revokedOnDestroy(&refresh),
	})
}

func TestAccProvider_settingsFromEnvironmentOnly(t *testing.T) {
	e := newTestEnv(t)
	// The trailing slash shows that environment values are normalised too.
	e.runTokenCase(t, map[string]string{
		envAccountsURL: e.usURL + "/", envClientID: e.client.ID, envClientSecret: e.client.Secret,
		envRequestTimeout: "10s", envMaxRetries: "2",
	}, providerBlockWith()+writeOnlyConfig(e.code(), 1), e.usURL, e.client.ID)
}

func TestAccProvider_configBeatsEnvironment(t *testing.T) {
	e := newTestEnv(t)
	// Every ZOHO_* value would fail if used: an eu host, where the us client
	// does not exist, and another client's credentials.
	other := e.emu.RegisterClient(zohotest.Client{DC: "eu"})
	e.runTokenCase(t, map[string]string{envAccountsURL: e.euURL, envClientID: other.ID, envClientSecret: other.Secret},
		e.providerConfig()+writeOnlyConfig(e.code(), 1), e.usURL, e.client.ID)
}

func TestAccProvider_resourceOverridesBeatProvider(t *testing.T) {
	e := newTestEnv(t)
	// The provider points at another, real client in eu; the resource at the
	// us client whose code it holds. Destroy revokes at the state's URL.
	other := e.emu.RegisterClient(zohotest.Client{DC: "eu"})
	provider := providerBlockWith(fmt.Sprintf("accounts_url = %q", e.euURL), fmt.Sprintf("client_id = %q", other.ID), fmt.Sprintf("client_secret = %q", other.Secret))
	e.runTokenCase(t, nil, provider+writeOnlyConfig(e.code(), 1,
		fmt.Sprintf("accounts_url = %q", e.usURL), fmt.Sprintf("client_id = %q", e.client.ID), fmt.Sprintf("client_secret = %q", e.client.Secret)),
		e.usURL, e.client.ID)
}

// Every request names the provider in its User-Agent, and no secret ever
// travels in a URL, where proxies and access logs would keep it.
func TestAccProvider_requestsNameProviderAndKeepSecretsOutOfURLs(t *testing.T) {
	e := newTestEnv(t)
	code := e.code()
	var refresh string
	e.runTokenCase(t, nil, e.providerConfig()+writeOnlyConfig(code, 1), e.usURL, e.client.ID, captureAttr(tokenAddr, "refresh_token", &refresh))
	reqs := e.emu.Requests()
	paths := map[string]int{}
	for _, r := range reqs {
		paths[r.Path]++
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "terraform-provider-zoho/") {
			t.Errorf("%s %s: User-Agent %q does not name terraform-provider-zoho/", r.Method, r.Path, ua)
		}
		for name, secret := range map[string]string{"client secret": e.client.Secret, "grant code": code, "refresh token": refresh} {
			if secret != "" && strings.Contains(r.RawQuery, secret) {
				t.Errorf("%s %s: the %s (%s) is in the URL query", r.Method, r.Path, name, zoho.Fingerprint(secret))
			}
		}
		if zohoSecretShape.MatchString(r.RawQuery) {
			t.Errorf("%s %s: a Zoho token is in the URL query", r.Method, r.Path)
		}
		if r.Path == "/oauth/v2/token" && r.Form.Get("client_secret") != e.client.Secret {
			t.Errorf("the token request did not carry the client secret in its body")
		}
	}
	if paths["/oauth/v2/token"] != 1 || paths["/oauth/v2/token/revoke"] != 1 {
		t.Errorf("requests by path %v, want one exchange and one revoke", paths)
	}
}

// TestResolveSettings covers the precedence and validation of the provider
// block against ZOHO_* variables, including cases the CLI cannot show.
func TestResolveSettings(t *testing.T) {
	s, unknown := types.StringValue, types.StringUnknown()
	cases := []struct {
		name, url, from, idFrom string // from: where the accounts URL came from
		cfg                     providerModel
		env                     map[string]string
		timeout                 time.Duration
		retries                 int
		unknown, errSummary     string
		errDetail               []string
	}{
		{name: "defaults", url: "https://accounts.zoho.com", from: "the default data center (us)", timeout: 30 * time.Second, retries: 4},
		{name: "environment only, data center in any case",
			env: map[string]string{envDataCenter: "EU", envClientID: "id-env", envRequestTimeout: "1m", envMaxRetries: "0"},
			url: "https://accounts.zoho.eu", from: "environment variable ZOHO_DATA_CENTER (eu)", idFrom: "environment variable ZOHO_CLIENT_ID", timeout: time.Minute},
		{name: "ZOHO_ACCOUNTS_URL beats ZOHO_DATA_CENTER, normalised",
			env: map[string]string{envDataCenter: "eu", envAccountsURL: "http://localhost:8080/"},
			url: "http://localhost:8080", from: "environment variable ZOHO_ACCOUNTS_URL", timeout: 30 * time.Second, retries: 4},
		{name: "the block beats every variable",
			cfg: providerModel{ClientID: s("id-cfg"), DataCenter: s("in"), RequestTimeout: s("5s"), MaxRetries: types.Int64Value(7)},
			env: map[string]string{envClientID: "id-env", envAccountsURL: "http://127.0.0.1:1", envRequestTimeout: "soon", envMaxRetries: "lots"},
			url: "https://accounts.zoho.in", from: "provider attribute data_center (in)", idFrom: "provider attribute client_id", timeout: 5 * time.Second, retries: 7},
		{name: "unknown values are recorded, not guessed",
			cfg:     providerModel{ClientID: unknown, AccountsURL: unknown, MaxRetries: types.Int64Unknown()},
			timeout: 30 * time.Second, retries: 4, unknown: "client_id,accounts_url/data_center,max_retries"},
		{name: "ZOHO_DATA_CENTER unknown", env: map[string]string{envDataCenter: "mars"},
			errSummary: "Unknown Zoho Data Center", errDetail: []string{`ZOHO_DATA_CENTER is "mars"`, "Valid values: " + designDataCenters}},
		{name: "ZOHO_ACCOUNTS_URL plain http", env: map[string]string{envAccountsURL: "http://accounts.zoho.eu"},
			errSummary: "Invalid Zoho Accounts URL", errDetail: []string{"ZOHO_ACCOUNTS_URL", "loopback", "https://accounts.zoho.eu"}},
		{name: "ZOHO_REQUEST_TIMEOUT zero", env: map[string]string{envRequestTimeout: "0s"},
			errSummary: "Invalid Zoho Request Timeout", errDetail: []string{"ZOHO_REQUEST_TIMEOUT", "longer than zero"}},
		{name: "ZOHO_MAX_RETRIES above the limit", env: map[string]string{envMaxRetries: "11"},
			errSummary: "Invalid Zoho Max Retries", errDetail: []string{`ZOHO_MAX_RETRIES is "11"`, "from 0 to 10"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &zohoProvider{version: "test", opts: options{getenv: func(k string) string { return tc.env[k] }}.withDefaults()}
			d, diags := p.newProviderData(tc.cfg, "1.11.0")
			if tc.errSummary != "" {
				if len(diags) != 1 || diags[0].Summary() != tc.errSummary || !errorText(tc.errDetail...).MatchString(diags[0].Detail()) {
					t.Fatalf("want one %q error mentioning %q, got %v", tc.errSummary, tc.errDetail, diags)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			s := d.settings
			got := []any{s.accountsURL.value, s.accountsURL.source, s.clientID.source, s.requestTimeout.value, s.maxRetries.value, strings.Join(s.pending(), ",")}
			want := []any{tc.url, tc.from, tc.idFrom, tc.timeout, tc.retries, tc.unknown}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
			if !strings.HasPrefix(d.clientConfig.UserAgent, "terraform-provider-zoho/test ") {
				t.Errorf("User-Agent %q", d.clientConfig.UserAgent)
			}
		})
	}
}

// TestResolveEndpoint covers the block-level overrides on top of the provider.
func TestResolveEndpoint(t *testing.T) {
	s, null := types.StringValue, types.StringNull()
	pending := resolved[string]{pending: true}
	full := providerSettings{accountsURL: resolved[string]{value: "https://accounts.zoho.com"}, clientID: resolved[string]{value: "id-p"}, clientSecret: resolved[string]{value: "secret-p"}}
	cases := []struct {
		name    string
		d       providerSettings
		o       clientOverrides
		want    endpoint
		errors  string // summaries, in order
		detail  []string
		pending string // settings the call needs that are not known yet
	}{
		{name: "provider only", d: full, o: clientOverrides{null, null, null, null}, want: endpoint{"https://accounts.zoho.com", "id-p", "secret-p"}},
		{name: "every override", d: full, o: clientOverrides{s("id-r"), s("secret-r"), null, s("http://127.0.0.1:9/")}, want: endpoint{"http://127.0.0.1:9", "id-r", "secret-r"}},
		{name: "data center override", d: full, o: clientOverrides{null, null, s("JP"), null}, want: endpoint{"https://accounts.zoho.jp", "id-p", "secret-p"}},
		{name: "nothing configured", o: clientOverrides{null, null, null, null},
			errors: "Missing Zoho Client ID,Missing Zoho Client Secret", detail: []string{"client_id", "ZOHO_CLIENT_ID", "client_secret", "ZOHO_CLIENT_SECRET"}},
		{name: "unknown provider setting the block replaces", d: providerSettings{clientID: pending, accountsURL: full.accountsURL, clientSecret: full.clientSecret},
			o: clientOverrides{s("id-r"), null, null, null}, want: endpoint{"https://accounts.zoho.com", "id-r", "secret-p"}},
		{name: "unknown provider setting still needed", d: providerSettings{clientID: pending, accountsURL: pending, clientSecret: full.clientSecret},
			o: clientOverrides{null, null, s("eu"), null}, errors: "Unknown Zoho Provider Setting", detail: []string{"client_id depends on a value", "-target"}, pending: "client_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ep, pending, diags := (&providerData{settings: tc.d}).resolveEndpoint(tc.o)
			var summaries, details []string
			for _, d := range diags {
				summaries, details = append(summaries, d.Summary()), append(details, d.Detail())
			}
			if got := strings.Join(summaries, ","); got != tc.errors || !errorText(tc.detail...).MatchString(strings.Join(details, "\n")) {
				t.Fatalf("diagnostics %v, want %q mentioning %q", diags, tc.errors, tc.detail)
			}
			if tc.errors == "" && ep != tc.want {
				t.Errorf("endpoint %+v, want %+v", ep, tc.want)
			}
			if got := strings.Join(pending, ","); got != tc.pending {
				t.Errorf("pending %q, want %q", got, tc.pending)
			}
		})
	}
}

// TestDataCenterValidator checks that the data center rule the environment
// path uses (parseDataCenter) reads, in configuration, exactly as the
// framework's case-insensitive one-of validator would.
func TestDataCenterValidator(t *testing.T) {
	framework := stringvalidator.OneOfCaseInsensitive(zoho.DataCenterCodes()...)
	for _, v := range []string{"eu", "EU", "Uk", "mars", " eu", "eu ", ""} {
		req := validator.StringRequest{Path: path.Root("data_center"), ConfigValue: types.StringValue(v)}
		var ours, theirs validator.StringResponse
		dataCenterValidator().ValidateString(context.Background(), req, &ours)
		framework.ValidateString(context.Background(), req, &theirs)
		if fmt.Sprint(ours.Diagnostics) != fmt.Sprint(theirs.Diagnostics) {
			t.Errorf("%q: got %v, want %v", v, ours.Diagnostics, theirs.Diagnostics)
		}
	}
}

// TestExplain_everyZohoErrorCode checks that each failure maps to a summary,
// a piece of advice and the attribute to fix, and that no Code* constant in
// internal/zoho/errors.go is left without a case here.
func TestExplain_everyZohoErrorCode(t *testing.T) {
	zerr := func(code, raw string) error { return &zoho.Error{Op: zoho.OpExchangeCode, Code: code, Raw: raw} }
	exchange := callContext{accountsURL: "https://accounts.zoho.eu", codeAttribute: "grant_code_wo"}
	refresh := callContext{accountsURL: "https://accounts.zoho.eu", tokenName: "0123456789abcdef"}
	cases := []struct {
		name            string
		err             error
		cc              callContext
		summary         string
		advice          []string
		attr, notAdvice string
	}{
		{"invalid_code in an exchange", zerr(zoho.CodeInvalidCode, "invalid_code"), exchange, "Invalid Or Expired Zoho Grant Code", []string{"works only once", "accounts.zoho.eu", "Generate Code", "grant_code_wo_version"}, "grant_code_wo", ""},
		{"invalid_code in an exchange by grant_code", zerr(zoho.CodeInvalidCode, "invalid_code"), callContext{codeAttribute: "grant_code"}, "Invalid Or Expired Zoho Grant Code", []string{"works only once"}, "grant_code", ""},
		{"invalid_code in a refresh", zerr(zoho.CodeInvalidCode, "invalid_code"), refresh, "Zoho Refresh Token Rejected", []string{"0123456789abcdef", "revoked", "grant_code_wo_version"}, "", ""},
		{"invalid_client", zerr(zoho.CodeInvalidClient, "invalid_client"), exchange, "Invalid Zoho Client", []string{"client_id or client_secret is wrong", "another data center", "data_center"}, "", ""},
		{"invalid_client_secret", zerr(zoho.CodeInvalidClientSecret, "invalid_client_secret"), exchange, "Invalid Zoho Client Secret", []string{"API Console", "ZOHO_CLIENT_SECRET"}, "client_secret", ""},
		{"invalid_redirect_uri", zerr(zoho.CodeInvalidRedirectURI, "invalid_redirect_uri"), exchange, "Zoho Redirect URI Mismatch", []string{"redirect_uri must equal"}, "redirect_uri", ""},
		{"access_denied", zerr(zoho.CodeAccessDenied, "access_denied"), exchange, "Too Many Zoho Grant Codes", []string{"10 grant codes per 10 minutes", "Wait 10 minutes"}, "", ""},
		{"throttled", zerr(zoho.CodeThrottled, "Access Denied"), refresh, "Zoho Token Limit Reached", []string{"Access Denied", "10 access tokens per 10 minutes", "not retried", "token_cache_dir"}, "", ""},
		{"invalid_scope", zerr(zoho.CodeInvalidScope, "invalid_scope"), exchange, "Invalid Zoho Scope", []string{"ZohoCRM.modules.READ"}, "scopes", ""},
		{"missing_org_info", zerr(zoho.CodeMissingOrgInfo, "missing_org_info"), exchange, "Zoho Organisation Needed", []string{"soid"}, "soid", ""},
		{"unauthorized_client", zerr(zoho.CodeUnauthorizedClient, "unauthorized_client"), exchange, "Grant Not Allowed For This Zoho Client", []string{"unauthorized_client", "Self Client"}, "", ""},
		{"unsupported_grant_type", zerr(zoho.CodeUnsupportedGrantType, "unsupported_grant_type"), exchange, "Grant Not Allowed For This Zoho Client", []string{"unsupported_grant_type"}, "", ""},
		{"invalid_token answered oddly", zerr(zoho.CodeInvalidToken, "invalid_token"), refresh, "Zoho Token Unknown", []string{"invalid_token", "may still be live", "accounts_url"}, "", ""},
		{"an unknown code, verbatim", zerr("general_error", "general_error"), exchange, "Zoho Request Failed", []string{"does not know: general_error"}, "", ""},
		{"5xx after retries", &zoho.ResponseError{Op: zoho.OpRefresh, StatusCode: 503, Problem: "a server error"}, refresh, "Unexpected Answer From Zoho Accounts", []string{"accounts.zoho.eu", "server error even after retries", "max_retries"}, "", "HTTPS_PROXY"},
		{"an HTML page", &zoho.ResponseError{Op: zoho.OpRefresh, StatusCode: 200, Problem: "an HTML page"}, refresh, "Unexpected Answer From Zoho Accounts", []string{"did not answer like Zoho Accounts", "accounts_url / data_center", "HTTPS_PROXY"}, "", "outage"},
		{"exchange that may have reached Zoho", &zoho.TransportError{Op: zoho.OpExchangeCode, Attempts: 1, MayHaveReachedServer: true, Err: errors.New("EOF")}, exchange, "Cannot Reach Zoho Accounts", []string{"after 1 attempt(s)", "may have reached Zoho", "not repeated", "Generate Code"}, "", ""},
		{"exchange that never left", &zoho.TransportError{Op: zoho.OpExchangeCode, Attempts: 3, Err: errors.New("connection refused")}, exchange, "Cannot Reach Zoho Accounts", []string{"after 3 attempt(s)", "HTTPS_PROXY", "request_timeout"}, "", "may have reached"},
		{"a wrapped error is still recognised", fmt.Errorf("creating: %w", zerr(zoho.CodeInvalidClient, "invalid_client")), exchange, "Invalid Zoho Client", []string{"another data center"}, "", ""},
		{"cancelled", fmt.Errorf("post: %w", context.Canceled), exchange, "Zoho Request Cancelled", []string{"cancelled before Zoho answered"}, "", ""},
		{"exchange timed out: not a cancellation, and the code may be spent", &zoho.TransportError{Op: zoho.OpExchangeCode, Attempts: 1, MayHaveReachedServer: true, Timeout: true, Err: errors.New("Client.Timeout exceeded")}, exchange,
			"Zoho Request Timed Out", []string{"within request_timeout", "may have reached Zoho", "Generate Code"}, "", "cancelled"},
		{"refresh timed out", &zoho.TransportError{Op: zoho.OpRefresh, Attempts: 5, MayHaveReachedServer: true, Timeout: true, Err: errors.New("Client.Timeout exceeded")}, refresh,
			"Zoho Request Timed Out", []string{"within request_timeout (5 attempt(s))", "raise request_timeout"}, "", "grant code"},
		{"certificate not trusted", &zoho.TransportError{Op: zoho.OpRefresh, Attempts: 1, Certificate: true, Err: errors.New("x509: certificate signed by unknown authority")}, refresh,
			"Zoho Accounts Certificate Not Trusted", []string{"nothing was sent", "CA certificates"}, "", ""},
		{"exchange answered 5xx: the code may be spent", &zoho.ResponseError{Op: zoho.OpExchangeCode, StatusCode: 502, Problem: "a server error"}, exchange,
			"Unexpected Answer From Zoho Accounts", []string{"not repeated", "the code is spent", "Generate Code"}, "", "after retries"},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			summary, detail, attr := explain(context.Background(), tc.err, tc.cc)
			if summary != tc.summary || attr != tc.attr || !errorText(tc.advice...).MatchString(detail) ||
				(tc.notAdvice != "" && strings.Contains(detail, tc.notAdvice)) {
				t.Errorf("explain = %q, attribute %q\n%s\nwant %q, attribute %q, mentioning %q (in order) and not %q",
					summary, attr, detail, tc.summary, tc.attr, tc.advice, tc.notAdvice)
			}
		})
		var ze *zoho.Error
		if errors.As(tc.err, &ze) {
			covered[ze.Code] = true
		}
	}
	for name, code := range zohoErrorCodeConstants(t) {
		if !covered[code] {
			t.Errorf("zoho.%s (%q) has no case here: add one, with the advice the user should read", name, code)
		}
	}
}

// zohoErrorCodeConstants reads every Code* constant from internal/zoho/errors.go,
// so that a code added there without a diagnostic fails this test.
func zohoErrorCodeConstants(t *testing.T) map[string]string {
	f, err := parser.ParseFile(token.NewFileSet(), "../zoho/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if spec, ok := n.(*ast.ValueSpec); ok {
			for i, name := range spec.Names {
				if i >= len(spec.Values) || !strings.HasPrefix(name.Name, "Code") {
					continue
				}
				if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					codes[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
		return true
	})
	if len(codes) < 10 {
		t.Fatalf("found only %d Code* constants in errors.go: %v", len(codes), codes)
	}
	return codes
}
