package provider

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
// TestExamples_docsShowTestedFiles (no TF_ACC needed) ties the docs to these
// files: every configuration block in README.md and docs/ is byte-for-byte
// an example file applied here, and every file under examples/ is applied.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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

var exampleCases = []exampleCase{
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
			"examples/resources/zoho_oauth_refresh_token/import-by-block.tf",
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
		name:  "data source snippet",
		files: []string{"examples/data-sources/zoho_oauth_access_token/data-source.tf"},
		run:   runDataSourceSnippet,
	},
}

// emulatedUserName is what the emulator's CRM API answers as the user's name.
const emulatedUserName = "Emulated User"

// requiredZohoForSnippets is the piece every tfplugindocs snippet leaves out.
const requiredZohoForSnippets = `terraform {
  required_providers {
    zoho = { source = "cd40c554/zoho" }
  }
}
`

func TestAccExamples(t *testing.T) {
	_, cli, pluginDir := cliUnderTest(t, 11, "write-only arguments")
	rig := newExampleRig(t, cli, pluginDir)
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
	skipWithout(x.t, needDestroyOrdersEphemeralResources) // racy on OpenTofu 1.11; everything above ran
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
	id, secret := x.env[envClientID], x.env[envClientSecret]
	delete(x.env, envClientID)
	delete(x.env, envClientSecret)
	x.env["CI_ZOHO_CLIENT_ID"], x.env["CI_ZOHO_CLIENT_SECRET"] = id, secret
	x.env["RUNNER_TEMP"] = x.t.TempDir()
	x.script(dir, dir+"/ci.sh", "")

	x.expectOutput(dir, "crm_user_name", emulatedUserName)
	if n := x.emu.ClientCredentialsMints(x.client.ID); n != 1 {
		x.t.Errorf("plan -out then apply minted %d access tokens, want 1 (shared through ZOHO_TOKEN_CACHE_DIR)", n)
	}
	// The next job step, in the same environment.
	x.env[envClientID], x.env[envClientSecret] = id, secret
	x.env[envTokenCacheDir] = filepath.Join(x.env["RUNNER_TEMP"], "zoho-token-cache")
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
	x.write(dir+"/zz_required_providers.tf", requiredZohoForSnippets)
	// The snippet names a real data center; the emulator stands in for it.
	x.write(dir+"/zz_emulator_override.tf", fmt.Sprintf(`provider "zoho" {
  data_center  = null
  accounts_url = %q
}
`, x.env[envAccountsURL]))
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
	x.env["TF_VAR_zoho_client_id"], x.env["TF_VAR_zoho_client_secret"] = x.env[envClientID], x.env[envClientSecret]
	for _, k := range []string{envClientID, envClientSecret, envAccountsURL} {
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
	x.write(dir+"/zz_required_providers.tf", requiredZohoForSnippets)
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
const importSnippetPieces = requiredZohoForSnippets + `
variable "zoho_grant_code" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = null
}
`

func runImportBlock(x *exampleRun) {
	dir := "snippet"
	x.copyTo("examples/resources/zoho_oauth_refresh_token/import-by-block.tf", dir+"/import-by-block.tf")
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
	x.write(dir+"/zz_required_providers.tf", requiredZohoForSnippets)
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
	x.write(dir+"/zz_required_providers.tf", requiredZohoForSnippets)
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

// exampleRig is what every case shares: the CLI under test, the provider
// mirror and the CLI configuration that installs from it.
type exampleRig struct {
	cli       string
	root      string // repository root
	cliConfig string
	binDir    string // `tofu` and `terraform`, both the CLI under test
}

func newExampleRig(t *testing.T, cli, pluginDir string) *exampleRig {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rig := &exampleRig{cli: cli, root: repoRoot(t), binDir: t.TempDir()}

	// Mastercard/restapi, built once from tools/restapi and cached.
	tool := exec.CommandContext(ctx, filepath.Join(rig.root, "scripts", "tool.sh"), "terraform-provider-restapi")
	var stderr bytes.Buffer
	tool.Stderr = &stderr
	restapiBin, err := tool.Output()
	if err != nil {
		t.Fatalf("scripts/tool.sh terraform-provider-restapi: %v\n%s", err, stderr.String())
	}
	restapiVersion := moduleVersion(t, filepath.Join(rig.root, "tools", "restapi", "go.mod"), "github.com/Mastercard/terraform-provider-restapi")

	// A filesystem mirror (unpacked layout) under both registries' names,
	// so `init` installs as it would from the registry, offline.
	mirror := t.TempDir()
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		for _, p := range []struct{ addr, version, name, bin string }{
			{"cd40c554/zoho", "0.0.1", "terraform-provider-zoho", filepath.Join(pluginDir, "terraform-provider-zoho")},
			{"mastercard/restapi", restapiVersion, "terraform-provider-restapi", strings.TrimSpace(string(restapiBin))},
		} {
			dir := filepath.Join(mirror, host, p.addr, p.version, platform)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(p.bin, filepath.Join(dir, p.name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	rig.cliConfig = filepath.Join(t.TempDir(), "mirror.tfrc")
	logsWriteFile(t, rig.cliConfig, fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror))
	for _, name := range []string{"tofu", "terraform"} {
		if err := os.Symlink(cli, filepath.Join(rig.binDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return rig
}

// moduleVersion reads the version a go.mod requires of module.
func moduleVersion(t *testing.T, gomod, module string) string {
	raw, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("%s requires no %s", gomod, module)
	}
	return string(m[1])
}

// exampleRun is one case: its own emulator, client and working directory.
type exampleRun struct {
	t       *testing.T
	rig     *exampleRig
	ctx     context.Context
	emu     *zohotest.Emulator
	client  zohotest.Client
	apiURL  string
	work    string
	env     map[string]string // the user's environment (ZOHO_*, TF_VAR_*...)
	secrets map[string]string // name -> value: never in any output
}

func newExampleRun(t *testing.T, rig *exampleRig, c exampleCase) *exampleRun {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	emu := zohotest.New(zohotest.Options{})
	accounts := emu.StartServer(t, "us")
	apiURL := emu.StartServer(t, "us") // the API host, as Zoho's is apart from accounts
	emu.SetAPIDomain("us", apiURL)
	client := emu.RegisterClient(c.client)
	x := &exampleRun{
		t: t, rig: rig, ctx: ctx, emu: emu, client: client, apiURL: apiURL, work: t.TempDir(),
		secrets: map[string]string{"client secret": client.Secret},
	}
	x.env = map[string]string{
		"TF_CLI_CONFIG_FILE": rig.cliConfig,
		"CHECKPOINT_DISABLE": "1",
		"TF_IN_AUTOMATION":   "1",
		// Non-interactive, as in CI; the commands themselves are the user's.
		"TF_CLI_ARGS_init":    "-input=false -no-color",
		"TF_CLI_ARGS_plan":    "-input=false -no-color",
		"TF_CLI_ARGS_apply":   "-input=false -no-color -auto-approve",
		"TF_CLI_ARGS_destroy": "-input=false -no-color -auto-approve",
		"TF_CLI_ARGS_import":  "-input=false -no-color",
		"TF_CLI_ARGS_output":  "-no-color",
		"HOME":                t.TempDir(),
		"PATH":                rig.binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"NO_PROXY":            "127.0.0.1,localhost",
		"no_proxy":            "127.0.0.1,localhost",
		envAccountsURL:        accounts,
		envClientID:           client.ID,
		envClientSecret:       client.Secret,
	}
	return x
}

// copy copies example files or directories (paths from the repository
// root) to the same paths in the working directory.
func (x *exampleRun) copy(paths ...string) {
	for _, p := range paths {
		x.copyTo(p, p)
	}
}

func (x *exampleRun) copyTo(src, dst string) {
	x.t.Helper()
	from, to := filepath.Join(x.rig.root, src), filepath.Join(x.work, dst)
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if name == ".terraform" || name == ".terraform.lock.hcl" || strings.Contains(name, ".tfstate") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(from, path)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, raw, 0o644)
	})
	if err != nil {
		x.t.Fatal(err)
	}
}

func (x *exampleRun) write(dst, content string) {
	x.t.Helper()
	path := filepath.Join(x.work, dst)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		x.t.Fatal(err)
	}
	logsWriteFile(x.t, path, content)
}

func (x *exampleRun) readFile(rel string) string {
	x.t.Helper()
	raw, err := os.ReadFile(filepath.Join(x.work, rel))
	if err != nil {
		x.t.Fatal(err)
	}
	return x.scan(rel, string(raw))
}

// grantCode issues a Self Client grant code ("Generate Code" in the API
// Console) and, when variable is set, gives it as TF_VAR_<variable>.
func (x *exampleRun) grantCode(variable string) string {
	x.t.Helper()
	code, err := x.emu.IssueGrantCode(x.client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ", "ZohoCRM.modules.ALL"}})
	if err != nil {
		x.t.Fatal(err)
	}
	x.addSecret("grant code "+variable, code)
	if variable != "" {
		x.env["TF_VAR_"+variable] = code
	}
	return code
}

// issueRefreshToken stands for a refresh token the user already has, given
// in the environment variable envName when set.
func (x *exampleRun) issueRefreshToken(envName string) string {
	x.t.Helper()
	refresh, err := x.emu.IssueRefreshToken(x.client.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		x.t.Fatal(err)
	}
	x.addSecret("refresh token", refresh)
	if envName != "" {
		x.env[envName] = refresh
	}
	return refresh
}

func (x *exampleRun) addSecret(name, value string) {
	if _, taken := x.secrets[name]; taken {
		name = fmt.Sprintf("%s #%d", name, len(x.secrets))
	}
	x.secrets[name] = value
}

// cmdResult is what a command printed (stdout and stderr, redacted of
// nothing: callers go through scan or fatalf) and its exit code.
type cmdResult struct {
	out  string
	code int
}

// exec runs name args in dir (relative to the working directory) with the
// user's environment and stdin.
func (x *exampleRun) exec(dir, stdin, name string, args ...string) cmdResult {
	x.t.Helper()
	cmd := exec.CommandContext(x.ctx, name, args...)
	cmd.Dir = filepath.Join(x.work, dir)
	env := map[string]string{}
	for k, v := range x.env {
		env[k] = v
	}
	cmd.Env = logsCLIEnv(env)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	x.t.Logf("%s: %s %s: %s", dir, filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(10*time.Millisecond))
	res := cmdResult{out: out.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		x.t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	x.scan(filepath.Base(name)+" "+strings.Join(args, " "), res.out)
	return res
}

// tf runs the CLI under test and fails unless it exits 0.
func (x *exampleRun) tf(dir string, args ...string) string {
	x.t.Helper()
	res := x.exec(dir, "", x.rig.cli, args...)
	if res.code != 0 {
		x.fatalf(res.out, "%s %s in %s: exit %d", x.cliName(), strings.Join(args, " "), dir, res.code)
	}
	return res.out
}

func (x *exampleRun) cliName() string { return filepath.Base(x.rig.cli) }

func (x *exampleRun) init(dir string) string  { return x.tf(dir, "init") }
func (x *exampleRun) plan(dir string) string  { return x.tf(dir, "plan") }
func (x *exampleRun) apply(dir string) string { return x.tf(dir, "apply") }

func (x *exampleRun) destroy(dir string) string {
	x.t.Helper()
	out := x.tf(dir, "destroy")
	if !strings.Contains(out, "Destroy complete!") {
		x.fatalf(out, "destroy in %s did not complete", dir)
	}
	return out
}

// planChanges runs plan -detailed-exitcode: exit 0 is no change, 2 changes.
func (x *exampleRun) planChanges(dir string) (string, bool) {
	x.t.Helper()
	res := x.exec(dir, "", x.rig.cli, "plan", "-detailed-exitcode")
	if res.code != 0 && res.code != 2 {
		x.fatalf(res.out, "plan -detailed-exitcode in %s: exit %d", dir, res.code)
	}
	return res.out, res.code == 2
}

// planNoChanges is the second plan, after the first apply: nothing to do.
func (x *exampleRun) planNoChanges(dir string) string {
	x.t.Helper()
	out, changed := x.planChanges(dir)
	if changed {
		x.fatalf(out, "the plan after apply shows changes in %s (plan -detailed-exitcode exit 2)", dir)
	}
	return out
}

func (x *exampleRun) planFails(dir string) string {
	x.t.Helper()
	res := x.exec(dir, "", x.rig.cli, "plan")
	if res.code == 0 {
		x.fatalf(res.out, "plan in %s succeeded; it was expected to fail", dir)
	}
	return res.out
}

// script runs a shell file of the examples with bash, from dir, as a user
// pasting its commands into a shell that stops at the first error.
func (x *exampleRun) script(dir, file, stdin string) string {
	x.t.Helper()
	rel, err := filepath.Rel(filepath.Join(x.work, dir), filepath.Join(x.work, file))
	if err != nil {
		x.t.Fatal(err)
	}
	res := x.exec(dir, stdin, "bash", "-euo", "pipefail", rel)
	if res.code != 0 {
		x.fatalf(res.out, "bash %s: exit %d", file, res.code)
	}
	return res.out
}

func (x *exampleRun) expectOutput(dir, name, want string) {
	x.t.Helper()
	if got := strings.TrimSpace(x.tf(dir, "output", "-raw", name)); got != want {
		x.t.Errorf("output %s in %s = %q, want %q", name, dir, got, want)
	}
}

func (x *exampleRun) expectLive(refresh string, live bool) {
	x.t.Helper()
	if refresh == "" {
		x.t.Fatal("no refresh token to check")
	}
	if got := x.emu.RefreshTokenLive(refresh); got != live {
		x.t.Errorf("refresh token %s live at Zoho: %v, want %v", zoho.Fingerprint(refresh), got, live)
	}
}

func (x *exampleRun) expectMintedFrom(refresh string) {
	x.t.Helper()
	if x.emu.MintsFor(refresh) == 0 {
		x.t.Errorf("no access token was minted from refresh token %s", zoho.Fingerprint(refresh))
	}
}

func (x *exampleRun) expectAPICalls(atLeast int) {
	x.t.Helper()
	if n := x.emu.Counters().APICalls; n < atLeast {
		x.t.Errorf("%d calls of the CRM API, want at least %d", n, atLeast)
	}
}

// deferralLines are how each CLI announces, itself, an ephemeral resource
// it defers because its configuration is unknown. Neither calls the
// provider then: the provider's own warning (deferralWarningSummary) is for
// clients that do.
var deferralLines = []string{": Deferred due to unknown configuration", ": Configuration unknown, deferring..."}

// deferralWarningSummary is the summary of the warning Open gives when it
// defers (TestEphemeralAccessToken_deferralWarnsOnce checks they agree).
const deferralWarningSummary = "Zoho Access Token Deferred To Apply"

// expectDeferralAnnounced checks that a plan says (or does not say) that
// addr waits for apply: by the CLI's own line, or by the provider's warning,
// which must then appear once.
func (x *exampleRun) expectDeferralAnnounced(out, addr string, deferred bool) {
	x.t.Helper()
	cliSays := false
	for _, line := range deferralLines {
		cliSays = cliSays || strings.Contains(out, addr+line)
	}
	warnings := strings.Count(out, deferralWarningSummary)
	switch {
	case deferred && !cliSays && warnings == 0:
		x.fatalf(out, "the plan does not say that %s is deferred", addr)
	case warnings > 1:
		x.fatalf(out, "the deferral warning appears %d times, want once", warnings)
	case !deferred && (cliSays || warnings != 0):
		x.fatalf(out, "the plan says %s is deferred, but its refresh token is known", addr)
	}
}

// refreshTokens reads the refresh tokens in dir's state, by resource name.
func (x *exampleRun) refreshTokens(dir string) map[string]string {
	x.t.Helper()
	tokens := map[string]string{}
	for name, list := range refreshTokensInState(x.t, filepath.Join(x.work, dir, "terraform.tfstate")) {
		if len(list) == 1 {
			tokens[name] = list[0]
			x.addSecret("refresh token "+name, tokens[name])
		}
	}
	return tokens
}

// scan fails the test when output holds a secret: the examples promise
// that none is ever printed. It names the secret, never shows it.
func (x *exampleRun) scan(what, out string) string {
	x.t.Helper()
	for name, secret := range x.secrets {
		if strings.Contains(out, secret) {
			x.t.Errorf("%s printed the %s:\n%s", what, name, logsLeakLines(out, secret, x.secrets))
		}
	}
	if m := zohoSecretShape.FindString(out); m != "" {
		x.t.Errorf("%s printed a value shaped like a Zoho token (fingerprint %s):\n%s", what, zoho.Fingerprint(m), logsLeakLines(out, m, x.secrets))
	}
	return out
}

// fatalf fails with the tail of out, every secret replaced by its name.
func (x *exampleRun) fatalf(out, format string, args ...any) {
	x.t.Helper()
	x.t.Fatalf(format+"\n%s", append(args, logsTail(logsRedactNamed(out, x.secrets), 40))...)
}

// TestExamples_docsShowTestedFiles ties what users read to what
// TestAccExamples applies: every file under examples/ belongs to a case;
// every Terraform block in README.md and docs/ is byte-for-byte one of those
// files (docs/ through tfplugindocs' tffile, README.md by hand, checked
// here); every block README.md marks with <!-- example: PATH --> is that
// file; the README's first configuration is the quick start's; and the
// tfplugindocs snippets say that they are partial.
func TestExamples_docsShowTestedFiles(t *testing.T) {
	root := repoRoot(t)
	tested := map[string]string{} // path -> content
	for _, c := range exampleCases {
		for _, f := range c.files {
			raw, err := os.ReadFile(filepath.Join(root, f))
			if err != nil {
				t.Fatalf("case %q: %v", c.name, err)
			}
			tested[f] = string(raw)
		}
	}

	err := filepath.WalkDir(filepath.Join(root, "examples"), func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == ".terraform":
			return filepath.SkipDir
		case d.IsDir() || strings.HasPrefix(d.Name(), ".terraform") || strings.Contains(d.Name(), ".tfstate"):
			return nil // a user's leftovers from trying an example
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if _, ok := tested[rel]; !ok {
			t.Errorf("%s is applied by no case of TestAccExamples: add it to exampleCases", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for path, content := range tested {
		if slices.Contains([]string{"provider", "resources", "ephemeral-resources", "data-sources"}, strings.Split(path, "/")[1]) &&
			!strings.Contains(content, "not a complete configuration") {
			t.Errorf("%s is a tfplugindocs snippet: it must say, in a comment, that it is not a complete configuration and what it leaves out", path)
		}
	}

	docs := []string{"README.md"}
	_ = filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, _ := filepath.Rel(root, path)
			docs = append(docs, filepath.ToSlash(rel))
		}
		return nil
	})
	same := func(block, file string) bool {
		return strings.TrimRight(block, "\n") == strings.TrimRight(file, "\n")
	}
	for _, doc := range docs {
		blocks := fencedBlocks(t, filepath.Join(root, doc))
		for _, b := range blocks {
			if b.marker != "" {
				if content, ok := tested[b.marker]; !ok {
					t.Errorf("%s:%d shows %s, which no case of TestAccExamples applies", doc, b.line, b.marker)
				} else if !same(b.body, content) {
					t.Errorf("%s:%d is not byte-for-byte %s: copy the file into it", doc, b.line, b.marker)
				}
				continue
			}
			// Configurations everywhere; shell blocks in docs/ too (codefile):
			// README.md also shows commands for developers, unmarked.
			shownExample := b.lang == "terraform" || b.lang == "hcl" || (strings.HasPrefix(doc, "docs/") && b.lang == "shell")
			if !shownExample {
				continue
			}
			found := false
			for _, content := range tested {
				found = found || same(b.body, content)
			}
			if !found {
				t.Errorf("%s:%d shows a %s block that is no tested example file: move it to examples/ and include it (tffile in templates/, <!-- example: PATH --> in README.md)", doc, b.line, b.lang)
			}
		}
		if doc == "README.md" {
			var configs []fencedBlock
			for _, b := range blocks {
				if b.lang == "terraform" || b.lang == "hcl" {
					configs = append(configs, b)
				}
			}
			if len(configs) == 0 || configs[0].marker != "examples/use-cases/bootstrap/main.tf" {
				t.Errorf("README.md's first configuration must be the quick start's first step, examples/use-cases/bootstrap/main.tf")
			}
			if !slices.ContainsFunc(blocks, func(b fencedBlock) bool { return b.marker == "examples/use-cases/quick-start.sh" }) {
				t.Errorf("README.md must show the quick start's commands, examples/use-cases/quick-start.sh")
			}
		}
	}
}

type fencedBlock struct {
	lang, body, marker string
	line               int
}

var exampleMarker = regexp.MustCompile(`^<!-- example: (\S+) -->$`)

// fencedBlocks lists a Markdown file's ``` blocks, each with the example
// path named by a <!-- example: PATH --> line right before it, if any.
func fencedBlocks(t *testing.T, path string) []fencedBlock {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []fencedBlock
	var cur *fencedBlock
	var body strings.Builder
	prev := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fencedBlock{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n}
			if m := exampleMarker.FindStringSubmatch(prev); m != nil {
				cur.marker = m[1]
			}
			body.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.body = body.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line + "\n")
		}
		prev = line
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

func repoRoot(t *testing.T) string {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(gomod)))
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
	refresh, err := e.emu.IssueRefreshToken(e.client.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		t.Fatal(err)
	}
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
					t.Fatalf("error: %s: %s", d.Summary, logsRedact(d.Detail, refresh, e.client.Secret))
				case d.Summary == deferralWarningSummary:
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
