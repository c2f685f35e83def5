package acceptance

// Every configuration shown to users (README.md, docs/, examples/) is
// applied here end to end, as a user would: the real CLI
// (TF_ACC_TERRAFORM_PATH) runs `init`, plan, apply, a second plan that must
// show no changes, and destroy, against the Zoho emulator, with inputs in
// ZOHO_* and TF_VAR_* variables. Where an example gives shell commands
// (README's quick start, a CI job, an import), the test runs that very file
// with bash, `tofu` and `terraform` on PATH both being the CLI under test.
//
// Providers are installed by `init` from a filesystem mirror (the provider
// built from this tree, and Mastercard/restapi built by scripts/tool.sh), so
// no command is skipped or altered and nothing is downloaded.
// TF_CLI_ARGS_<command> makes the commands non-interactive the way CI does
// (-auto-approve, -input=false, -no-color).
//
// The cases are here and, for the guides' examples, in
// guides_examples_test.go; examples_harness_test.go runs them, as a user's
// shell would. TestExamples_docsShowTestedFiles (examples_docs_test.go, no
// TF_ACC needed) ties the docs to these files: every configuration block in
// README.md and docs/ is byte-for-byte an example file applied here, and
// every file under examples/ is applied.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/s3server"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// exampleCase is one configuration shown to users, and how a user runs it.
type exampleCase struct {
	name string
	// files are the example files the case applies (paths from the
	// repository root); TestExamples_docsShowTestedFiles requires every file
	// under examples/ to be in some case.
	files  []string
	client zohotest.Client
	run    func(x *exampleRun)
}

// exampleCases are every example users are shown: the use cases and the
// snippets of the resource, data source, ephemeral and function pages
// (useCaseAndSnippetExamples), and the guides' (guideExamples).
var exampleCases = slices.Concat(useCaseAndSnippetExamples, guideExamples)

var useCaseAndSnippetExamples = []exampleCase{
	{
		name: "quick-start two configurations",
		files: []string{
			"examples/use-cases/quick-start.sh",
			"examples/use-cases/bootstrap/main.tf",
			"examples/use-cases/provider-configuration/main.tf",
		},
		run: runQuickStart,
	},
	{
		name:  "install from a clone",
		files: []string{"examples/use-cases/install-from-clone.sh", "examples/use-cases/bootstrap/main.tf"},
		run:   runInstallFromClone,
	},
	{
		name:  "one configuration with -target first",
		files: []string{"examples/use-cases/one-configuration/main.tf", "examples/use-cases/one-configuration/first-apply.sh"},
		run:   runOneConfiguration,
	},
	{
		name:  "provisioner",
		files: []string{"examples/use-cases/provisioner/main.tf"},
		run:   runProvisioner,
	},
	{
		name:  "module",
		files: []string{"examples/use-cases/module/main.tf", "examples/use-cases/module/modules/zoho-access/main.tf"},
		run:   runModule,
	},
	{
		name:  "ci",
		files: []string{"examples/use-cases/ci/main.tf", "examples/use-cases/ci/ci.sh"},
		run:   runCI,
	},
	{
		name: "ci fleet pipelines sharing token_cache_url",
		files: []string{
			"examples/use-cases/ci-fleet/main.tf",
			"examples/use-cases/ci-fleet/plan.sh",
			"examples/use-cases/ci-fleet/apply.sh",
			"examples/use-cases/ci-fleet/github-actions.yml",
			"examples/use-cases/ci-fleet/gitlab-ci.yml",
		},
		run: runCIFleet,
	},
	{
		name:  "api proxy for another provider and a provisioner",
		files: []string{"examples/use-cases/api-proxy/main.tf"},
		run:   runAPIProxy,
	},
	{
		name:  "demo",
		files: []string{"examples/demo/main.tf"},
		run:   runDemo,
	},
	{
		name:  "provider snippet",
		files: []string{"examples/provider/provider.tf"},
		run:   runProviderSnippet,
	},
	{
		name:  "resource snippet",
		files: []string{"examples/resources/zoho_oauth_refresh_token/resource.tf"},
		run:   runResourceSnippet,
	},
	{
		name: "import block snippet",
		files: []string{
			"examples/resources/zoho_oauth_refresh_token/import-by-string-id.tf",
			"examples/resources/zoho_oauth_refresh_token/import-configuration.tf",
		},
		run: runImportBlock,
	},
	{
		name: "import command snippet",
		files: []string{
			"examples/resources/zoho_oauth_refresh_token/import.sh",
			"examples/resources/zoho_oauth_refresh_token/import-configuration.tf",
		},
		run: runImportCommand,
	},
	{
		name:   "ephemeral resource snippet",
		files:  []string{"examples/ephemeral-resources/zoho_oauth_access_token/ephemeral-resource.tf"},
		client: zohotest.Client{Orgs: []string{"ZohoCRM.12345678"}}, // the snippet's soid
		run:    runEphemeralSnippet,
	},
	{
		name:  "api proxy snippet",
		files: []string{"examples/ephemeral-resources/zoho_api_proxy/ephemeral-resource.tf"},
		run:   runAPIProxySnippet,
	},
	{
		name:  "data source snippet",
		files: []string{"examples/data-sources/zoho_oauth_access_token/data-source.tf"},
		run:   runDataSourceSnippet,
	},
	{
		name: "function snippets",
		files: []string{
			"examples/functions/fingerprint/function.tf",
			"examples/functions/accounts_url/function.tf",
			"examples/functions/api_domain/function.tf",
		},
		run: runFunctionSnippets,
	},
}

// emulatedUserName is what the emulator's CRM API answers as the user's name.
const emulatedUserName = "Emulated User"

func TestAccExamples(t *testing.T) {
	_, cli, plugin := cliUnderTest(t, clitest.WriteOnly)
	rig := newExampleRig(t, cli, plugin)
	for _, c := range exampleCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			c.run(newExampleRun(t, rig, c))
			t.Logf("%s: %s", c.name, time.Since(start).Round(100*time.Millisecond))
		})
	}
}

func runQuickStart(x *exampleRun) {
	x.copy("examples/use-cases/quick-start.sh", "examples/use-cases/bootstrap", "examples/use-cases/provider-configuration")
	code := x.grantCode("")
	// Exactly the README's commands, from the root of the copy; the code
	// is pasted on stdin, as a user pastes it into `read -rs`.
	x.script(".", "examples/use-cases/quick-start.sh", code+"\n")

	bootstrap, consumer := "examples/use-cases/bootstrap", "examples/use-cases/provider-configuration"
	refresh := x.refreshTokens(bootstrap)["crm"]
	x.expectLive(refresh, true)
	x.expectOutput(consumer, "crm_user_name", emulatedUserName)
	x.expectAPICalls(1)
	x.expectMintedFrom(refresh)

	// The user's shell still exports the refresh token (not the spent code).
	x.env["TF_VAR_zoho_refresh_token"] = refresh
	x.planNoChanges(bootstrap)
	x.planNoChanges(consumer)
	x.destroy(consumer)
	x.destroy(bootstrap)
	x.expectLive(refresh, false)
}

// runInstallFromClone runs the README's install commands (with a git that
// clones this repository, offline), then `init` with no CLI configuration at
// all must install the provider, and the bootstrap applies with it.
func runInstallFromClone(x *exampleRun) {
	realGit, err := exec.LookPath("git")
	if err != nil {
		x.t.Skip("no git on PATH")
	}
	stub := x.t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nif [ \"$1\" = clone ]; then exec %q clone -q %q \"${3:-terraform-provider-zoho}\"; fi\nexec %q \"$@\"\n",
		realGit, x.rig.root, realGit)
	if err := os.WriteFile(filepath.Join(stub, "git"), []byte(script), 0o755); err != nil {
		x.t.Fatal(err)
	}
	x.env["PATH"] = stub + string(os.PathListSeparator) + x.env["PATH"]
	// The runner's HOME is new, but a user's Go has its caches: without
	// this one the script would download and compile every module again
	// (8 minutes on 2 cores, for nothing the example is about).
	for _, name := range []string{"GOCACHE", "GOMODCACHE", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN"} {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			x.t.Fatalf("go env %s: %v", name, err)
		}
		x.env[name] = strings.TrimSpace(string(out))
	}
	x.copy("examples/use-cases/install-from-clone.sh")
	x.script(".", "examples/use-cases/install-from-clone.sh", "")

	x.env["TF_CLI_CONFIG_FILE"] = os.DevNull // no configuration: the implied local mirror
	dir := "examples/use-cases/bootstrap"
	x.copy(dir)
	if out := x.init(dir); !strings.Contains(out, "Installed cd40c554/zoho v0.0.1") {
		x.fatalf(out, "init did not install the provider from the implied local mirror")
	}
	x.grantCode("zoho_grant_code")
	x.apply(dir)
	refresh := x.refreshTokens(dir)["crm"]
	x.expectLive(refresh, true)
	delete(x.env, "TF_VAR_zoho_grant_code")
	x.destroy(dir)
	x.expectLive(refresh, false)
}

func runOneConfiguration(x *exampleRun) {
	dir := "examples/use-cases/one-configuration"
	x.copy(dir)
	x.init(dir)
	code := x.grantCode("zoho_grant_code")

	// Without the documented first step the plan fails, and says why: the
	// access token is deferred, so restapi gets unknown values.
	out := x.planFails(dir)
	x.expectDeferralAnnounced(out, "ephemeral.zoho_oauth_access_token.crm", true)
	if !strings.Contains(out, "uri must be set") {
		x.fatalf(out, "the plan before the refresh token exists failed, but not with restapi's \"uri must be set\"")
	}

	delete(x.env, "TF_VAR_zoho_grant_code") // the script reads it from stdin
	x.script(dir, dir+"/first-apply.sh", code+"\n")
	refresh := x.refreshTokens(dir)["crm"]
	x.expectOutput(dir, "crm_user_name", emulatedUserName)
	x.expectMintedFrom(refresh)

	out = x.planNoChanges(dir)
	x.expectDeferralAnnounced(out, "ephemeral.zoho_oauth_access_token.crm", false)
	skipWithout(x.t, destroyOrdersEphemeralResources) // racy on OpenTofu 1.11; everything above ran
	x.destroy(dir)
	x.expectLive(refresh, false)
}

func runProvisioner(x *exampleRun) {
	dir := "examples/use-cases/provisioner"
	x.copy(dir)
	refresh := x.issueRefreshToken("TF_VAR_zoho_refresh_token")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	body := x.readFile(dir + "/current-user.json")
	if !strings.Contains(body, emulatedUserName) {
		x.fatalf(body, "current-user.json does not hold the CRM user")
	}
	x.expectMintedFrom(refresh)
	x.planNoChanges(dir)
	x.destroy(dir)
}

func runModule(x *exampleRun) {
	dir := "examples/use-cases/module"
	x.copy(dir)
	x.grantCode("zoho_grant_code")
	x.init(dir) // installs the local module
	x.plan(dir)
	x.apply(dir)
	refresh := x.refreshTokens(dir)["crm"]
	x.expectOutput(dir, "checked_refresh_token_id", zoho.Fingerprint(refresh))
	x.expectAPICalls(1)
	delete(x.env, "TF_VAR_zoho_grant_code")
	x.planNoChanges(dir)
	x.destroy(dir)
	x.expectLive(refresh, false)
}

func runCI(x *exampleRun) {
	dir := "examples/use-cases/ci"
	x.copy(dir)
	// What the CI system injects from its secret store; ci.sh exports the
	// ZOHO_* variables itself.
	id, secret := x.env["ZOHO_CLIENT_ID"], x.env["ZOHO_CLIENT_SECRET"]
	delete(x.env, "ZOHO_CLIENT_ID")
	delete(x.env, "ZOHO_CLIENT_SECRET")
	x.env["CI_ZOHO_CLIENT_ID"], x.env["CI_ZOHO_CLIENT_SECRET"] = id, secret
	x.env["RUNNER_TEMP"] = x.t.TempDir()
	x.script(dir, dir+"/ci.sh", "")

	x.expectOutput(dir, "crm_user_name", emulatedUserName)
	if n := x.emu.ClientCredentialsMints(x.client.ID); n != 1 {
		x.t.Errorf("plan -out then apply minted %d access tokens, want 1 (shared through ZOHO_TOKEN_CACHE_DIR)", n)
	}
	// The next job step, in the same environment.
	x.env["ZOHO_CLIENT_ID"], x.env["ZOHO_CLIENT_SECRET"] = id, secret
	x.env["ZOHO_TOKEN_CACHE_DIR"] = filepath.Join(x.env["RUNNER_TEMP"], "zoho-token-cache")
	x.planNoChanges(dir)
	x.destroy(dir)
}

// runCIFleet runs ci.sh as two jobs on two fresh runners (own HOME,
// RUNNER_TEMP and working copy) that share nothing but the S3 bucket of
// token_cache_url: a
// real S3-compatible server (SeaweedFS), reached with the runner's AWS
// credentials from the environment.
// runCIFleet runs two pipelines as github-actions.yml and gitlab-ci.yml run
// them: plan.sh on one runner, the saved plan (with the lock file, as the
// workflows' artifacts carry it) applied by apply.sh on another, the
// secrets and settings in the ZOHO_* variables the CI system maps them to.
// Four runners, one access token.
func runCIFleet(x *exampleRun) {
	srv := s3server.New(x.t)
	refresh := x.issueRefreshToken("TF_VAR_zoho_refresh_token")
	x.addSecret("store secret key", srv.SecretKey)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		x.env[k] = v
	}
	x.env["ZOHO_TOKEN_CACHE_URL"] = srv.URL("zoho-tokens")
	for pipeline := range 2 {
		planner := fmt.Sprintf("pipeline-%d/plan-runner", pipeline+1)
		applier := fmt.Sprintf("pipeline-%d/apply-runner", pipeline+1)
		for _, runner := range []string{planner, applier} {
			x.copyTo("examples/use-cases/ci-fleet", runner)
		}
		x.env["HOME"], x.env["RUNNER_TEMP"] = x.t.TempDir(), x.t.TempDir()
		x.run(planner, "./plan.sh")
		x.carry(planner, applier, "tfplan", ".terraform.lock.hcl")
		x.env["HOME"], x.env["RUNNER_TEMP"] = x.t.TempDir(), x.t.TempDir()
		x.run(applier, "./apply.sh")
		x.expectOutput(applier, "crm_user_name", emulatedUserName)
	}
	if n := x.emu.MintsFor(refresh); n != 1 {
		x.t.Errorf("two pipelines on four runners (plan on one, apply on another) minted %d access tokens, want 1 (shared through ZOHO_TOKEN_CACHE_URL)", n)
	}
}

// runAPIProxy applies the proxy example: restapi configured with the
// proxy's URL reads the user at plan and apply, a provisioner's curl calls
// the API at apply, and neither holds a token.
func runAPIProxy(x *exampleRun) {
	dir := "examples/use-cases/api-proxy"
	x.copy(dir)
	refresh := x.issueRefreshToken("TF_VAR_zoho_refresh_token")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	x.expectOutput(dir, "crm_user_name", emulatedUserName)
	if report := x.readFile(dir + "/crm-report.json"); !strings.Contains(report, emulatedUserName) {
		x.fatalf(report, "the provisioner's call through the proxy did not answer the user")
	}
	x.expectMintedFrom(refresh)
	x.planNoChanges(dir)
	x.destroy(dir)
}

func runAPIProxySnippet(x *exampleRun) {
	dir := "snippet"
	x.copyTo("examples/ephemeral-resources/zoho_api_proxy/ephemeral-resource.tf", dir+"/ephemeral-resource.tf")
	x.write(dir+"/zz_required_providers.tf", requiredZoho)
	refresh := x.issueRefreshToken("TF_VAR_zoho_refresh_token")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	x.expectMintedFrom(refresh)
	x.expectAPICalls(1) // the provisioner's, through the proxy
	x.planNoChanges(dir)
	x.destroy(dir)
}

func runDemo(x *exampleRun) {
	dir := "examples/demo"
	x.copy(dir)
	x.grantCode("grant_code")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	refresh := x.refreshTokens(dir)["demo"]
	log := x.readFile(dir + "/api-call.log")
	if !strings.Contains(log, "Zoho API call succeeded as "+emulatedUserName) {
		x.fatalf(log, "api-call.log does not report a successful API call")
	}
	delete(x.env, "TF_VAR_grant_code")
	x.planNoChanges(dir)
	x.destroy(dir)
	x.expectLive(refresh, false)
}

func runProviderSnippet(x *exampleRun) {
	dir := "snippet"
	x.copyTo("examples/provider/provider.tf", dir+"/provider.tf")
	x.write(dir+"/zz_required_providers.tf", requiredZoho)
	// The snippet names a real data center; the emulator stands in for it.
	x.write(dir+"/zz_emulator_override.tf", fmt.Sprintf(`provider "zoho" {
  data_center  = null
  accounts_url = %q
}
`, x.env["ZOHO_ACCOUNTS_URL"]))
	// Something that needs the provider: a client credentials token.
	x.write(dir+"/zz_use_the_provider.tf", `ephemeral "zoho_oauth_access_token" "check" {
  scopes = ["ZohoCRM.users.READ"]
}

resource "terraform_data" "check" {
  provisioner "local-exec" {
    command     = "test -n \"$ZOHO_AUTHORIZATION\""
    environment = { ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.check.authorization_header }
  }
}
`)
	// The client comes from the snippet's variables, not ZOHO_*.
	x.env["TF_VAR_zoho_client_id"], x.env["TF_VAR_zoho_client_secret"] = x.env["ZOHO_CLIENT_ID"], x.env["ZOHO_CLIENT_SECRET"]
	for _, k := range []string{"ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_ACCOUNTS_URL"} {
		delete(x.env, k)
	}
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	x.planNoChanges(dir)
	x.destroy(dir)
	// token_cache_dir: every command after the first reused its token.
	if n := x.emu.ClientCredentialsMints(x.client.ID); n != 1 {
		x.t.Errorf("%d access tokens minted over plan, apply, plan and destroy; want 1, shared through token_cache_dir", n)
	}
	files, _ := filepath.Glob(filepath.Join(x.env["HOME"], ".cache", "zoho-tokens", "*"))
	if len(files) == 0 {
		x.t.Error("nothing in token_cache_dir (~/.cache/zoho-tokens)")
	}
}

func runResourceSnippet(x *exampleRun) {
	dir := "snippet"
	x.copyTo("examples/resources/zoho_oauth_refresh_token/resource.tf", dir+"/resource.tf")
	x.write(dir+"/zz_required_providers.tf", requiredZoho)
	x.grantCode("zoho_grant_code")
	x.grantCode("zoho_legacy_grant_code")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	tokens := x.refreshTokens(dir)
	x.expectLive(tokens["crm"], true)
	x.expectLive(tokens["legacy"], true)
	x.expectOutput(dir, "zoho_refresh_token_id", zoho.Fingerprint(tokens["crm"]))
	x.planNoChanges(dir)
	// "Later runs may leave the variable unset (null). The next apply then
	// only drops the spent code from state (an in-place update) and keeps
	// the token." grant_code_wo, write-only, is never compared.
	delete(x.env, "TF_VAR_zoho_grant_code")
	delete(x.env, "TF_VAR_zoho_legacy_grant_code")
	if out, changed := x.planChanges(dir); !changed || !strings.Contains(out, "0 to add, 1 to change, 0 to destroy") ||
		!strings.Contains(out, "zoho_oauth_refresh_token.legacy will be updated in-place") {
		x.fatalf(out, "without the codes, the plan should only update the legacy token in place")
	}
	x.apply(dir)
	x.expectLive(tokens["legacy"], true)
	x.planNoChanges(dir)
	x.destroy(dir)
	x.expectLive(tokens["crm"], false)
	x.expectLive(tokens["legacy"], true) // revoke_on_destroy = false
}

// importSnippetPieces completes import-configuration.tf: the variable it
// reads is declared in resource.tf, which an import does not need.
var importSnippetPieces = requiredZoho + `
variable "zoho_grant_code" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = null
}
`

func runImportBlock(x *exampleRun) {
	dir := "snippet"
	x.copyTo("examples/resources/zoho_oauth_refresh_token/import-by-string-id.tf", dir+"/import-by-string-id.tf")
	x.copyTo("examples/resources/zoho_oauth_refresh_token/import-configuration.tf", dir+"/import-configuration.tf")
	x.write(dir+"/zz_pieces.tf", importSnippetPieces)
	refresh := x.issueRefreshToken("ZOHO_REFRESH_TOKEN")
	x.init(dir)
	if out := x.plan(dir); !strings.Contains(out, "1 to import") {
		x.fatalf(out, "the plan does not show the import")
	}
	x.apply(dir)
	if got := x.refreshTokens(dir)["crm"]; got != refresh {
		x.t.Fatalf("state holds token %s, want the imported %s", zoho.Fingerprint(got), zoho.Fingerprint(refresh))
	}
	x.planNoChanges(dir)
	x.destroy(dir)
	x.expectLive(refresh, false)
}

func runImportCommand(x *exampleRun) {
	dir := "snippet"
	x.copyTo("examples/resources/zoho_oauth_refresh_token/import.sh", dir+"/import.sh")
	x.copyTo("examples/resources/zoho_oauth_refresh_token/import-configuration.tf", dir+"/import-configuration.tf")
	x.write(dir+"/zz_pieces.tf", importSnippetPieces)
	refresh := x.issueRefreshToken("")
	x.init(dir)
	// The token is typed at the prompt: here, on stdin.
	x.script(dir, dir+"/import.sh", refresh+"\n")
	if got := x.refreshTokens(dir)["crm"]; got != refresh {
		x.t.Fatalf("state holds token %s, want the imported %s", zoho.Fingerprint(got), zoho.Fingerprint(refresh))
	}
	// As the resource docs say: the version in the configuration is
	// recorded in place, and the token kept.
	if out, changed := x.planChanges(dir); !changed || !strings.Contains(out, "1 to change, 0 to destroy") {
		x.fatalf(out, "after the import, the plan should update the token in place (recording grant_code_wo_version)")
	}
	x.apply(dir)
	x.expectLive(refresh, true)
	x.planNoChanges(dir)
	x.destroy(dir)
	x.expectLive(refresh, false)
}

func runEphemeralSnippet(x *exampleRun) {
	dir := "snippet"
	x.copyTo("examples/ephemeral-resources/zoho_oauth_access_token/ephemeral-resource.tf", dir+"/ephemeral-resource.tf")
	x.write(dir+"/zz_required_providers.tf", requiredZoho)
	refresh := x.issueRefreshToken("TF_VAR_zoho_refresh_token")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	x.expectMintedFrom(refresh)
	if x.emu.ClientCredentialsMints(x.client.ID) == 0 {
		x.t.Error("no client credentials token was minted for the snippet's \"reports\" token")
	}
	x.expectAPICalls(2) // one per provisioner
	x.planNoChanges(dir)
	x.destroy(dir)
}

func runDataSourceSnippet(x *exampleRun) {
	dir := "snippet"
	x.copyTo("examples/data-sources/zoho_oauth_access_token/data-source.tf", dir+"/data-source.tf")
	x.write(dir+"/zz_required_providers.tf", requiredZoho)
	refresh := x.issueRefreshToken("TF_VAR_zoho_refresh_token")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	x.expectOutput(dir, "zoho_api_domain", x.apiURL)
	x.expectMintedFrom(refresh)
	x.expectAPICalls(1)
	x.planNoChanges(dir)
	x.destroy(dir)
}

// runFunctionSnippets applies the three function snippets together, one
// configuration as a user might write it.
func runFunctionSnippets(x *exampleRun) {
	dir := "snippet"
	for _, name := range []string{"fingerprint", "accounts_url", "api_domain"} {
		x.copyTo("examples/functions/"+name+"/function.tf", dir+"/"+name+".tf")
	}
	x.write(dir+"/zz_required_providers.tf", requiredZoho)
	refresh := x.issueRefreshToken("TF_VAR_zoho_refresh_token")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	x.expectOutput(dir, "zoho_refresh_token_fingerprint", zoho.Fingerprint(refresh))
	x.expectOutput(dir, "zoho_accounts_url", "https://accounts.zoho.eu")
	x.expectOutput(dir, "zoho_eu_api_domain", "https://www.zohoapis.eu")
	x.planNoChanges(dir)
	x.destroy(dir)
}
