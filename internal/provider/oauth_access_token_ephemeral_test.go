package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

var ephemeralCLIs = []tfversion.TerraformVersionCheck{needEphemeralResources, needEphemeralResourcesInTestSteps}

// echoOf hands the ephemeral result to the echo provider, whose echo.t
// resource shows it in state for the checks (only in tests).
const echoOf = `
provider "echo" {
  data = ephemeral.zoho_oauth_access_token.t
}

resource "echo" "t" {}
`

func ephemeralFrom(refresh string, extra ...string) string {
	return fmt.Sprintf(`
ephemeral "zoho_oauth_access_token" "t" {
  refresh_token = %q
  %s
}
`, refresh, strings.Join(extra, "\n  "))
}

func echoed(attr string) tfjsonpath.Path { return tfjsonpath.New("data").AtMapKey(attr) }

// echoedValue reads one echoed result attribute of echo.t from state.
func echoedValue(s *terraform.State, attr string) string {
	return echoedValueAt(s, "echo.t", attr)
}

func echoedValueAt(s *terraform.State, addr, attr string) string {
	return s.RootModule().Resources[addr].Primary.Attributes["data."+attr]
}

// echoAs is echoOf under another resource name: an echo resource keeps what
// it echoed when created, so a step that needs the new value uses a new one.
func echoAs(name string) string {
	return strings.ReplaceAll(echoOf, `"echo" "t"`, `"echo" "`+name+`"`)
}

func TestAccAccessTokenEphemeral_everyResult(t *testing.T) {
	e := newTestEnv(t)
	refresh := e.refreshToken()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{{
			Config: e.providerConfig() + ephemeralFrom(refresh) + echoOf,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", echoed("access_token"), knownvalue.StringRegexp(zohoTokenShape)),
				statecheck.ExpectKnownValue("echo.t", echoed("authorization_header"), knownvalue.StringFunc(isAuthorizationHeader)),
				statecheck.ExpectKnownValue("echo.t", echoed("api_domain"), knownvalue.StringExact("https://www.zohoapis.com")),
				statecheck.ExpectKnownValue("echo.t", echoed("token_type"), knownvalue.StringExact("Bearer")),
				statecheck.ExpectKnownValue("echo.t", echoed("scopes"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("ZohoCRM.users.READ"), knownvalue.StringExact("ZohoCRM.modules.ALL"),
				})),
				statecheck.ExpectKnownValue("echo.t", echoed("expires_in"), knownvalue.Int64Exact(3600)),
				statecheck.ExpectKnownValue("echo.t", echoed("expires_at"), knownvalue.StringExact(e.clock.Now().Add(time.Hour).Format(time.RFC3339))),
				statecheck.ExpectKnownValue("echo.t", echoed("refresh_token"), knownvalue.StringExact(refresh)),
				statecheck.ExpectKnownValue("echo.t", echoed("revoke_on_close"), knownvalue.Null()),
			},
			Check: func(s *terraform.State) error {
				token := echoedValue(s, "access_token")
				if echoedValue(s, "authorization_header") != "Zoho-oauthtoken "+token {
					return fmt.Errorf("authorization_header does not carry the access token")
				}
				if !e.emu.AccessTokenLive(token) {
					return fmt.Errorf("the access token handed out is not live at Zoho")
				}
				return nil
			},
		}},
	})
}

func TestAccAccessTokenEphemeral_defersWhileRefreshTokenUnknown(t *testing.T) {
	e := newTestEnv(t)
	cfg := e.providerConfig() + writeOnlyConfig(e.code(), 1) + `
ephemeral "zoho_oauth_access_token" "t" {
  refresh_token = zoho_oauth_refresh_token.t.refresh_token
}
` + echoOf
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   writeOnlyAndEphemeralCLIs,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionCreate),
				noRefreshRequestYet{e},
			}},
			Check: func(s *terraform.State) error {
				refresh := s.RootModule().Resources[tokenAddr].Primary.Attributes["refresh_token"]
				if !zohoTokenShape.MatchString(echoedValue(s, "access_token")) || e.emu.MintsFor(refresh) == 0 {
					return fmt.Errorf("no access token was minted at apply")
				}
				return nil
			},
		}},
	})
}

// noRefreshRequestYet asserts the plan made no refresh request: the refresh
// token did not exist yet, so the ephemeral resource had to wait.
type noRefreshRequestYet struct{ e *testEnv }

func (c noRefreshRequestYet) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if n := c.e.emu.Counters().ByGrantType["refresh_token"]; n != 0 {
		resp.Error = fmt.Errorf("%d refresh requests during plan, want none", n)
	}
}

func TestAccAccessTokenEphemeral_clientCredentials(t *testing.T) {
	e := newTestEnv(t)
	single := e.emu.RegisterClient(zohotest.Client{DC: "us", Orgs: []string{"ZohoCRM.111"}})
	multi := e.emu.RegisterClient(zohotest.Client{DC: "us", Orgs: []string{"ZohoCRM.111", "ZohoCRM.222"}})
	credentials := func(c zohotest.Client, extra ...string) string {
		return fmt.Sprintf(`
ephemeral "zoho_oauth_access_token" "t" {
  client_id     = %q
  client_secret = %q
  scopes        = ["ZohoCRM.org.READ", "ZohoCRM.users.READ"]
  %s
}
`, c.ID, c.Secret, strings.Join(extra, "\n  "))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{
			{
				Config: e.providerConfig() + credentials(single) + echoOf,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.t", echoed("access_token"), knownvalue.StringRegexp(zohoTokenShape)),
					statecheck.ExpectKnownValue("echo.t", echoed("refresh_token"), knownvalue.Null()),
					statecheck.ExpectKnownValue("echo.t", echoed("scopes"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("ZohoCRM.org.READ"), knownvalue.StringExact("ZohoCRM.users.READ"),
					})),
					statecheck.ExpectKnownValue("echo.t", echoed("expires_in"), knownvalue.Int64Exact(3600)),
				},
				Check: func(*terraform.State) error {
					if got, want := e.emu.ClientCredentialsMints(single.ID), int(e.configures.Load()); got != want {
						return fmt.Errorf("%d client credentials mints over %d provider processes", got, want)
					}
					return nil
				},
			},
			{
				Config:      e.providerConfig() + credentials(multi) + echoOf,
				ExpectError: errorText("Zoho Organisation Needed", "soid"),
			},
			{
				// A new echo resource: an existing one keeps what it echoed first.
				Config: e.providerConfig() + credentials(multi, `soid = "ZohoCRM.222"`) + echoAs("multi"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.multi", echoed("soid"), knownvalue.StringExact("ZohoCRM.222")),
					statecheck.ExpectKnownValue("echo.multi", echoed("access_token"), knownvalue.StringRegexp(zohoTokenShape)),
				},
			},
		},
	})
}

func TestAccAccessTokenEphemeral_invalidConfigurations(t *testing.T) {
	e := newTestEnv(t)
	refresh := e.refreshToken()
	step := func(cfg string, want *regexp.Regexp) resource.TestStep {
		return resource.TestStep{Config: e.providerConfig() + cfg + echoOf, ExpectError: want}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{
			step(ephemeralFrom(refresh, `scopes = ["ZohoCRM.org.READ"]`), errorText("Conflicting Zoho Grants", "not both")),
			step(`ephemeral "zoho_oauth_access_token" "t" {}`, errorText("Missing Zoho Refresh Token Or Scopes", "client credentials")),
			step(ephemeralFrom(refresh, `soid = "ZohoCRM.1"`), errorText("soid Needs The Client Credentials Grant")),
			step(ephemeralFrom(refresh, `data_center = "mars"`), errorText("data_center", "us")),
			step(ephemeralFrom(refresh, `scopes = []`), errorText("scopes", "at least 1")),
		},
	})
	if got := e.emu.Counters().TokenRequests; got != 0 {
		t.Errorf("%d token requests, want none for invalid configurations", got)
	}
}

func TestAccAccessTokenEphemeral_revokeOnClose(t *testing.T) {
	e := newTestEnv(t)
	refresh := e.refreshToken()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{
			{
				Config:      e.providerConfig(fmt.Sprintf("token_cache_dir = %q", t.TempDir())) + ephemeralFrom(refresh, "revoke_on_close = true") + echoOf,
				ExpectError: errorText("revoke_on_close Conflicts With token_cache_dir"),
			},
			{
				Config: e.providerConfig() + ephemeralFrom(refresh, "revoke_on_close = true") + echoOf,
				Check: func(s *terraform.State) error {
					if e.emu.AccessTokenLive(echoedValue(s, "access_token")) {
						return fmt.Errorf("the access token is still live after the run closed it")
					}
					if live := e.emu.LiveAccessTokens(refresh); live != 0 {
						return fmt.Errorf("%d live access tokens left, want 0", live)
					}
					return nil
				},
			},
		},
	})
}

func TestAccAccessTokenEphemeral_provisionerAndNothingInState(t *testing.T) {
	e := newTestEnv(t)
	refresh := e.refreshToken()
	out := filepath.Join(t.TempDir(), "seen-by-provisioner")
	cfg := e.providerConfig() + ephemeralFrom(refresh) + fmt.Sprintf(`
resource "terraform_data" "call" {
  provisioner "local-exec" {
    command = "printf '%%s' \"$ZOHO_AUTHORIZATION\" > %s"
    environment = {
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.t.authorization_header
    }
  }
}
`, out)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				provisionedTokenNotInState{out},
			},
		}},
	})
}

// provisionedTokenNotInState reads the header the provisioner received and
// asserts that neither it nor its token appears anywhere in state.
type provisionedTokenNotInState struct{ file string }

func (c provisionedTokenNotInState) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := os.ReadFile(c.file)
	if err != nil {
		resp.Error = fmt.Errorf("the provisioner did not run: %w", err)
		return
	}
	header := string(raw)
	if isAuthorizationHeader(header) != nil {
		resp.Error = fmt.Errorf("the provisioner got no Zoho authorization header")
		return
	}
	token := strings.TrimPrefix(header, "Zoho-oauthtoken ")
	state, _ := json.Marshal(req.State)
	if strings.Contains(string(state), token) {
		resp.Error = fmt.Errorf("the access token is in state")
	}
}

// isAuthorizationHeader is a knownvalue.StringFunc check: v is what Zoho's
// APIs expect, "Zoho-oauthtoken " and an access token.
func isAuthorizationHeader(v string) error {
	token, ok := strings.CutPrefix(v, "Zoho-oauthtoken ")
	if !ok || !zohoTokenShape.MatchString(token) {
		return fmt.Errorf("not a Zoho authorization header (Zoho-oauthtoken <access token>)")
	}
	return nil
}

func TestExpiryGuard(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	renewals := map[string]struct {
		expiresAt, wantRenewAt time.Time
	}{
		"a fresh token":     {now.Add(time.Hour), now.Add(55 * time.Minute)},
		"six minutes left":  {now.Add(6 * time.Minute), now.Add(time.Minute)},
		"inside the margin": {now.Add(2 * time.Minute), now}, // a cached token close to its end: renew at once
	}
	for name, tc := range renewals {
		if got := renewAt(tc.expiresAt, now); !got.Equal(tc.wantRenewAt) {
			t.Errorf("%s: renewAt(%v) = %v, want %v", name, tc.expiresAt, got, tc.wantRenewAt)
		}
	}
	summary, detail := expiryWarning(handedOut{ExpiresAt: now.Add(4*time.Minute + 30*time.Second)}, now)
	if summary != "Zoho Access Token About To Expire" || !strings.Contains(detail, "expires at 2026-11-29T10:04:30Z (in 4m30s)") ||
		!strings.Contains(detail, "Split the run") {
		t.Errorf("warning = %q: %q", summary, detail)
	}
	if _, detail := expiryWarning(handedOut{ExpiresAt: now.Add(-time.Minute)}, now); !strings.Contains(detail, "(in 0s)") {
		t.Errorf("an expired token must not report negative time: %q", detail)
	}
}

// Configured scopes come back exactly as configured. Terraform (not OpenTofu)
// rejects an ephemeral result or a data source whose configured value
// changed, and here everything conspires to change it: two blocks list the
// same scopes in opposite orders (and so share one cached token), and Zoho
// answers the scopes reversed and lower-cased.
func TestAccAccessTokenEphemeral_configuredScopesReturnedAsConfigured(t *testing.T) {
	e := newTestEnv(t)
	e.emu.SetReshuffledScopes(true)
	block := func(kind, name string, scopes ...string) string {
		return fmt.Sprintf(`
%s "zoho_oauth_access_token" %q {
  scopes = [%q, %q]
}
`, kind, name, scopes[0], scopes[1])
	}
	exactly := func(scopes ...string) knownvalue.Check {
		return knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(scopes[0]), knownvalue.StringExact(scopes[1])})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{{
			Config: e.providerConfig() +
				block("ephemeral", "a", "ZohoCRM.org.READ", "ZohoCRM.users.READ") +
				block("ephemeral", "b", "ZohoCRM.users.READ", "ZohoCRM.org.READ") +
				block("data", "c", "ZohoCRM.users.READ", "ZohoCRM.org.READ") + `
provider "echo" {
  data = {
    a = ephemeral.zoho_oauth_access_token.a.scopes
    b = ephemeral.zoho_oauth_access_token.b.scopes
  }
}

resource "echo" "t" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", echoed("a"), exactly("ZohoCRM.org.READ", "ZohoCRM.users.READ")),
				statecheck.ExpectKnownValue("echo.t", echoed("b"), exactly("ZohoCRM.users.READ", "ZohoCRM.org.READ")),
				statecheck.ExpectKnownValue("data.zoho_oauth_access_token.c", tfjsonpath.New("scopes"), exactly("ZohoCRM.users.READ", "ZohoCRM.org.READ")),
			},
			Check: func(*terraform.State) error {
				// One token serves all three blocks in each provider process.
				if got, want := e.emu.ClientCredentialsMints(e.client.ID), int(e.configures.Load()); got != want {
					return fmt.Errorf("%d client credentials mints over %d provider processes", got, want)
				}
				return nil
			},
		}},
	})
}

// TestEphemeralAccessToken_deferralWarnsOnce opens the ephemeral resource
// through the protocol, as a client that does not defer by itself would:
// with the refresh token unknown it asks Zoho nothing and warns once; with
// it known, no warning.
func TestEphemeralAccessToken_deferralWarnsOnce(t *testing.T) {
	e := newTestEnv(t)
	e.setenv(envAccountsURL, e.usURL)
	e.setenv(envClientID, e.client.ID)
	e.setenv(envClientSecret, e.client.Secret)
	refresh := e.refreshToken("ZohoCRM.users.READ")
	server, err := e.factories()["zoho"]()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerConfig := nullObjectValue(t, schemas.Provider.ValueType(), nil)
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &providerConfig, TerraformVersion: "1.11.4"})
	if err != nil || len(configured.Diagnostics) != 0 {
		t.Fatalf("configure: %v %v", err, configured.Diagnostics)
	}
	ephemeralType := schemas.EphemeralResourceSchemas["zoho_oauth_access_token"].ValueType()

	for _, tc := range []struct {
		name     string
		refresh  tftypes.Value
		warnings int
		requests int
	}{
		{"unknown refresh token", tftypes.NewValue(tftypes.String, tftypes.UnknownValue), 1, 0},
		{"known refresh token", tftypes.NewValue(tftypes.String, refresh), 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.emu.Counters().TokenRequests
			config := nullObjectValue(t, ephemeralType, map[string]tftypes.Value{"refresh_token": tc.refresh})
			resp, err := server.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{TypeName: "zoho_oauth_access_token", Config: &config})
			if err != nil {
				t.Fatal(err)
			}
			warnings := 0
			for _, d := range resp.Diagnostics {
				switch {
				case d.Severity == tfprotov6.DiagnosticSeverityError:
					t.Fatalf("error: %s: %s", d.Summary, clitest.Secrets{"refresh token": refresh, "client secret": e.client.Secret}.Redact(d.Detail))
				case d.Summary == "Zoho Access Token Deferred To Apply": // the words internal/acceptance looks for in a plan
					warnings++
					for _, want := range []string{"refresh_token", "unknown", "provider configured from it", "configuration of its own", "-target"} {
						if !strings.Contains(d.Detail, want) {
							t.Errorf("the warning does not say %q: %s", want, d.Detail)
						}
					}
				}
			}
			if warnings != tc.warnings {
				t.Errorf("%d deferral warnings, want %d", warnings, tc.warnings)
			}
			if got := e.emu.Counters().TokenRequests - before; got != tc.requests {
				t.Errorf("%d requests to Zoho, want %d", got, tc.requests)
			}
		})
	}
}

// nullObjectValue is an object of type typ whose attributes are null but
// for set, as a DynamicValue.
func nullObjectValue(t *testing.T, typ tftypes.Type, set map[string]tftypes.Value) tfprotov6.DynamicValue {
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%s is not an object type", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := set[name]; ok {
			vals[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return dv
}
