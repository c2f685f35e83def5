package provider

// What a user meets configuring the provider, before any token exists:
// plan-time validation of the provider block and of the resource's
// overrides, where each setting comes from (resource, then provider block,
// then ZOHO_* environment), and what every request to Zoho carries.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

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
	e.runFailingSteps(t,
		e.planFailsWith(nil, providerBlockWith(fmt.Sprintf("accounts_url = %q", e.usURL), fmt.Sprintf("client_secret = %q", e.client.Secret))+writeOnlyConfig(e.code(), 1),
			errorText("Missing Zoho Client ID", "Set client_id", "or the ZOHO_CLIENT_ID environment variable")),
		e.planFailsWith(nil, providerBlockWith(fmt.Sprintf("accounts_url = %q", e.usURL), fmt.Sprintf("client_id = %q", e.client.ID))+writeOnlyConfig(e.code(), 1),
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

// The client secret may come from an ephemeral value (a secret manager's
// ephemeral resource, or an ephemeral variable as here).
func TestAccProvider_ephemeralClientSecret(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   writeOnlyCLIs,
		Steps: []resource.TestStep{{
			Config: providerBlockWith(fmt.Sprintf("accounts_url  = %q", e.usURL), fmt.Sprintf("client_id     = %q", e.client.ID), "client_secret = var.client_secret") + `
variable "client_secret" {
  type      = string
  ephemeral = true
}
` + writeOnlyConfig(e.code(), 1),
			ConfigVariables: config.Variables{"client_secret": config.StringVariable(e.client.Secret)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("refresh_token"), knownvalue.StringRegexp(zohoTokenShape)),
				expectNoSecrets{e.client.Secret},
			},
		}},
	})
}
