package acceptance

// What the tests share, on top of clitest: the preamble that checks the CLI
// under test and builds the provider, the environment of a CLI that takes
// it through development overrides, configuration pieces, and readers of
// what the CLI left behind.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// cliUnderTest is the preamble of every test that runs the CLI: it skips
// unless TF_ACC is set, runs the test in parallel, skips it on a CLI
// (TF_ACC_TERRAFORM_PATH) without the feature, and builds the provider into
// a plugin directory, with extra go build flags if given.
func cliUnderTest(t *testing.T, feature clitest.Feature, buildFlags ...string) (context.Context, clitest.CLI, clitest.Plugin) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 and TF_ACC_TERRAFORM_PATH=<terraform or tofu binary> to run the CLI end to end")
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatal("TF_ACC is set but TF_ACC_TERRAFORM_PATH is not: name the terraform or tofu binary to run")
	}
	ctx := parallel(t)
	cli := skipWithout(t, feature)
	plugin, err := clitest.BuildProvider(ctx, t.TempDir(), buildFlags...)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, cli, plugin
}

// parallel runs t in parallel and returns the context that bounds its CLI
// runs, 5 minutes from when t resumes: a parallel subtest must take its
// own, since it may wait for its turn longer than its parent's lasts.
func parallel(t *testing.T) context.Context {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// skipWithout skips t unless the CLI under test has f, and returns that CLI.
func skipWithout(t testing.TB, f clitest.Feature) clitest.CLI {
	t.Helper()
	cli, err := clitest.UnderTest()
	if err != nil {
		t.Fatal(err)
	}
	if reason := cli.Lacks(f); reason != "" {
		t.Skipf("%s; skipping (CLI: %s)", reason, cli.Path)
	}
	return cli
}

// OpenTofu 1.11 leaves ephemeral resources ("open" changes) out of its
// destroy ordering, so `tofu destroy` of a configuration where a provider is
// configured from an ephemeral resource that reads a managed resource (as in
// examples/use-cases/one-configuration) may destroy that resource first and
// then fail to open the ephemeral resource from it ("Zoho Refresh Token
// Rejected"): 3 runs of 6 failed on OpenTofu 1.11.6, none of 6 on 1.12.6.
var destroyOrdersEphemeralResources = clitest.Feature{
	Name: "destroy ordered after the ephemeral resources that read what it destroys", Terraform: "1.10.0", OpenTofu: "1.12.0",
	Why: "OpenTofu 1.11 may destroy the refresh token before opening the ephemeral resource that reads it, so destroy fails at random",
}

// startZoho starts an emulated Zoho for the test (accounts and API hosts)
// with client registered, a Self Client in us unless it says otherwise.
func startZoho(t *testing.T, opts zohotest.Options, client zohotest.Client) *clitest.Zoho {
	t.Helper()
	z, err := clitest.StartZoho(opts, client)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = z.Close() })
	return z
}

// devEnv is the environment of a CLI run in work that takes the provider
// from plugin (development overrides: no init), with vars.
func devEnv(t *testing.T, work string, plugin clitest.Plugin, vars map[string]string) []string {
	t.Helper()
	config := filepath.Join(work, "dev.tfrc")
	if err := clitest.DevOverrides(config, plugin); err != nil {
		t.Fatal(err)
	}
	return clitest.Env(config, vars)
}

// run runs the CLI in work; only a command that cannot run at all fails
// the test.
func run(ctx context.Context, t *testing.T, cli clitest.CLI, work string, env []string, args ...string) clitest.Result {
	t.Helper()
	res, err := clitest.Run(ctx, work, env, "", cli.Path, args...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// mustRun is run, failing the test unless the command exits 0, with the
// tail of its output, every secret replaced by its name.
func mustRun(ctx context.Context, t *testing.T, cli clitest.CLI, work string, env []string, secrets clitest.Secrets, args ...string) clitest.Result {
	t.Helper()
	res := run(ctx, t, cli, work, env, args...)
	if res.Code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", cli.Name(), args[0], res.Code, clitest.Tail(secrets.Redact(res.Out), 40))
	}
	return res
}

// waitFor polls cond until it holds or ctx ends (the test fails).
func waitFor(ctx context.Context, t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("timed out waiting")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// refreshTokensInState reads the zoho_oauth_refresh_token instances of the
// state in dir: their refresh tokens by resource name, in instance order.
func refreshTokensInState(t *testing.T, dir string) map[string][]string {
	t.Helper()
	state, err := clitest.ReadState(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	return state.RefreshTokens()
}

// refreshTokenInState is the refresh token of a state holding exactly one.
func refreshTokenInState(t *testing.T, dir string) string {
	t.Helper()
	tokens := refreshTokensInState(t, dir)
	for _, list := range tokens {
		if len(tokens) == 1 && len(list) == 1 {
			return list[0]
		}
	}
	t.Fatalf("state holds %d zoho_oauth_refresh_token resources, want one with one instance", len(tokens))
	return ""
}

// The configuration pieces the tests put together, as a user writes them.
const (
	// requiredZoho requires the provider as "cd40c554/zoho": that is
	// registry.terraform.io/cd40c554/zoho for Terraform and
	// registry.opentofu.org/cd40c554/zoho for OpenTofu, and the development
	// overrides and the examples' mirror name both.
	requiredZoho = `
terraform {
  required_providers {
    zoho = { source = "cd40c554/zoho" }
  }
}
`
	// grantCodeFromVariable creates a refresh token as users create one:
	// the grant code comes through the ephemeral variable grant_code
	// (TF_VAR_grant_code), so it reaches neither plan nor state; the
	// provider is configured from ZOHO_* variables.
	grantCodeFromVariable = `
provider "zoho" {}

variable "grant_code" {
  type      = string
  ephemeral = true
}

resource "zoho_oauth_refresh_token" "t" {
  grant_code_wo         = var.grant_code
  grant_code_wo_version = 1
}
`
)

// providerBlock is a provider block holding exactly these lines.
func providerBlock(lines ...string) string {
	return "\nprovider \"zoho\" {\n  " + strings.Join(lines, "\n  ") + "\n}\n"
}
