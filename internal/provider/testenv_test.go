package provider

// What the acceptance tests share: an emulated Zoho with a registered
// client, the provider wired to it in-process for terraform-plugin-testing
// (testEnv), configuration pieces, and checks on what reached Zoho, plan or
// state. The tests that run the CLI as separate processes, as a user does,
// live in internal/acceptance.

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
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
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

// refreshToken issues a refresh token of the test's client, as one the user
// already has.
func (e *testEnv) refreshToken(scopes ...string) string {
	e.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"ZohoCRM.users.READ", "ZohoCRM.modules.ALL"}
	}
	token, err := e.emu.IssueRefreshToken(e.client.ID, scopes)
	if err != nil {
		e.t.Fatal(err)
	}
	return token
}

// requiredProviders is the terraform block a test configuration starts
// with, requiring each named provider as "cd40c554/NAME": that is
// registry.terraform.io/cd40c554/NAME for Terraform and
// registry.opentofu.org/cd40c554/NAME for OpenTofu, where
// terraform-plugin-testing serves its providers (TF_ACC_PROVIDER_NAMESPACE,
// TF_ACC_PROVIDER_HOST). A module has one required_providers block, so
// configurations name both providers the test framework serves.
func requiredProviders(names ...string) string {
	var lines strings.Builder
	for _, name := range names {
		fmt.Fprintf(&lines, "    %s = { source = \"cd40c554/%s\" }\n", name, name)
	}
	return "\nterraform {\n  required_providers {\n" + lines.String() + "  }\n}\n"
}

// providerBlock is a provider block holding exactly these lines.
func providerBlock(lines ...string) string {
	return "\nprovider \"zoho\" {\n  " + strings.Join(lines, "\n  ") + "\n}\n"
}

// providerBlockWith starts an in-process configuration: the providers the
// test framework serves, and a provider block holding exactly these lines.
func providerBlockWith(lines ...string) string {
	return requiredProviders("zoho", "echo") + providerBlock(lines...)
}

// providerConfig starts an in-process configuration with a provider block
// pointing at the us emulator; extra lines go inside it.
func (e *testEnv) providerConfig(extra ...string) string {
	return providerBlockWith(append([]string{
		fmt.Sprintf("accounts_url  = %q", e.usURL),
		fmt.Sprintf("client_id     = %q", e.client.ID),
		fmt.Sprintf("client_secret = %q", e.client.Secret),
		"max_retries   = 1",
	}, extra...)...)
}

// providerConfigWithoutSecret leaves client_secret to ZOHO_CLIENT_SECRET.
func (e *testEnv) providerConfigWithoutSecret() string {
	return providerBlockWith(fmt.Sprintf("accounts_url = %q", e.usURL), fmt.Sprintf("client_id    = %q", e.client.ID))
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

// zohoTokenShape is a whole value shaped like a token the emulator issues
// (an access token, a refresh token or a grant code): lower-case hex, so
// stricter than zohoSecretShape (logging.go), which the provider masks in
// any case and anywhere in a line, and which tests use to find a token
// inside a text.
var zohoTokenShape = regexp.MustCompile(`^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$`)

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

// errorText matches a diagnostic containing every phrase, in order, as a
// CLI prints it (wrapped at 80 columns) or as the provider writes it.
var errorText = clitest.InOrder

// The settings' environment variables, as the tests name them.
var (
	envClientID       = clientIDSetting.env
	envClientSecret   = clientSecretSetting.env
	envDataCenter     = locationSetting.dc.env
	envAccountsURL    = locationSetting.url.env
	envRequestTimeout = requestTimeoutSetting.env
	envMaxRetries     = maxRetriesSetting.env
	envTokenCacheDir  = tokenCacheDirSetting.env
	envMinTokenLife   = minTokenLifeSetting.env
)
