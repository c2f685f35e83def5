package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// newTestClock is shared by the emulator and the provider, so expiry is
// tested without sleeping.
func newTestClock() *zohotest.Clock {
	return zohotest.NewClock(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))
}

// testEnv is one emulated Zoho (us and eu accounts hosts) with a Self Client
// registered in us, and the provider wired to it.
type testEnv struct {
	t      *testing.T
	emu    *zohotest.Emulator
	clock  *zohotest.Clock
	usURL  string
	euURL  string
	client zohotest.Client
	env    sync.Map // the provider's environment variables
	// configures counts provider configurations: one per CLI command, as
	// a real provider process is started per command.
	configures atomic.Int32
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	clock := newTestClock()
	emu := zohotest.New(zohotest.Options{Now: clock.Now})
	e := &testEnv{t: t, emu: emu, clock: clock, usURL: emu.StartServer(t, "us"), euURL: emu.StartServer(t, "eu")}
	e.client = emu.RegisterClient(zohotest.Client{DC: "us"})
	return e
}

func (e *testEnv) setenv(name, value string) { e.env.Store(name, value) }

func (e *testEnv) getenv(name string) string {
	if v, ok := e.env.Load(name); ok {
		return v.(string)
	}
	return ""
}

func (e *testEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	opts := options{getenv: e.getenv, now: e.clock.Now, retryWaitMin: time.Millisecond, retryWaitMax: 5 * time.Millisecond,
		configured: func() { e.configures.Add(1) }}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"zoho": providerserver.NewProtocol6WithError(newWithOptions("test", opts)()),
		"echo": echoprovider.NewProviderServer(),
	}
}

// code issues a Self Client grant code, as "Generate Code" in the API Console.
func (e *testEnv) code(scopes ...string) string {
	e.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"ZohoCRM.users.READ", "ZohoCRM.modules.ALL"}
	}
	code, err := e.emu.IssueGrantCode(e.client.ID, zohotest.CodeOptions{Scopes: scopes})
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// requiredProviders names the providers under test: "cd40c554/zoho" is
// registry.terraform.io/... for Terraform and registry.opentofu.org/... for
// OpenTofu, matching the address the test framework serves them at.
const requiredProviders = `
terraform {
  required_providers {
    zoho = { source = "cd40c554/zoho" }
    echo = { source = "cd40c554/echo" }
  }
}
`

// providerConfig is a provider block pointing at the us emulator; extra
// lines go inside it.
func (e *testEnv) providerConfig(extra ...string) string {
	return requiredProviders + fmt.Sprintf(`
provider "zoho" {
  accounts_url  = %q
  client_id     = %q
  client_secret = %q
  max_retries   = 1
  %s
}
`, e.usURL, e.client.ID, e.client.Secret, strings.Join(extra, "\n  "))
}

// providerConfigWithoutSecret leaves client_secret to ZOHO_CLIENT_SECRET.
func (e *testEnv) providerConfigWithoutSecret() string {
	return requiredProviders + fmt.Sprintf(`
provider "zoho" {
  accounts_url = %q
  client_id    = %q
}
`, e.usURL, e.client.ID)
}

// expectNoSecrets fails when any of the secrets appears anywhere in the
// plan or state JSON (sensitive values are in there, only marked).
type expectNoSecrets []string

var (
	_ plancheck.PlanCheck   = expectNoSecrets{}
	_ statecheck.StateCheck = expectNoSecrets{}
)

func (s expectNoSecrets) find(v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	for _, secret := range s {
		if secret != "" && strings.Contains(string(raw), secret) {
			return fmt.Errorf("a secret (fingerprint %s) appears in the JSON", secretName(secret))
		}
	}
	return nil
}

func (s expectNoSecrets) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = s.find(req.Plan)
}

func (s expectNoSecrets) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = s.find(req.State)
}

func secretName(s string) string {
	if len(s) < 12 {
		return "?"
	}
	return s[:9] + "…"
}

// zohoClient talks to the us emulator as the test's client, outside Terraform,
// to set the scene (consume a code, revoke a token behind Terraform's back).
func (e *testEnv) zohoClient() *zoho.Client {
	return zoho.New(zoho.Config{AccountsURL: e.usURL, ClientID: e.client.ID, ClientSecret: e.client.Secret, MaxRetries: -1, Now: e.clock.Now})
}

func (e *testEnv) mustExchange(code string) *zoho.Token {
	e.t.Helper()
	tok, err := e.zohoClient().ExchangeCode(context.Background(), code, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func (e *testEnv) mustRevoke(token string) {
	e.t.Helper()
	if err := e.zohoClient().Revoke(context.Background(), token); err != nil {
		e.t.Fatal(err)
	}
}

// errorText matches a diagnostic containing every phrase, in order. The CLI
// wraps diagnostics at 80 columns, so spaces match any run of white space.
func errorText(phrases ...string) *regexp.Regexp {
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// The client secret may come from an ephemeral value (a secret manager's
// ephemeral resource, or an ephemeral variable as here).
func TestAccProvider_ephemeralClientSecret(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   writeOnlyCLIs,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
variable "client_secret" {
  type      = string
  ephemeral = true
}

provider "zoho" {
  accounts_url  = %q
  client_id     = %q
  client_secret = var.client_secret
}
`, e.usURL, e.client.ID) + writeOnlyConfig(e.code(), 1),
			ConfigVariables: config.Variables{"client_secret": config.StringVariable(e.client.Secret)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("refresh_token"), knownvalue.StringRegexp(zohoTokenShape)),
				expectNoSecrets{e.client.Secret},
			},
		}},
	})
}

// revokedOnDestroy is a CheckDestroy: the refresh token *token (captured
// during the steps) must exist and be revoked at Zoho once destroy ran.
func (e *testEnv) revokedOnDestroy(token *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if *token == "" || e.emu.RefreshTokenLive(*token) {
			return fmt.Errorf("no refresh token was created, or destroy did not revoke it")
		}
		return nil
	}
}
