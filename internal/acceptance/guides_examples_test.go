package acceptance

// The guides' examples (examples/guides/, shown in docs/guides/), applied by
// TestAccExamples like every other example (exampleCases holds them), so
// TestExamples_docsShowTestedFiles also ties the guides to these files.

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

var guideExamples = []exampleCase{
	{
		name: "guide: testing modules offline",
		files: []string{
			"examples/guides/testing-modules-offline/main.tf",
			"examples/guides/testing-modules-offline/tests/credentials.tftest.hcl",
			"examples/guides/testing-modules-offline/run-tests.sh",
		},
		run: runGuideModuleTests,
	},
	{
		name: "guide: testing modules with a mocked provider",
		files: []string{
			"examples/guides/testing-modules-offline/mock-provider/main.tf",
			"examples/guides/testing-modules-offline/mock-provider/tests/mocked.tftest.hcl",
		},
		run: runGuideMockProvider,
	},
	{
		name: "guide: rotation",
		files: []string{
			"examples/use-cases/bootstrap/main.tf",
			"examples/guides/rotating-refresh-tokens/rotate.sh",
		},
		run: runGuideRotation,
	},
	{
		name:  "guide: state encryption",
		files: []string{"examples/guides/keeping-the-refresh-token-safe/state-encryption/main.tf"},
		run:   runGuideStateEncryption,
	},
	{
		name: "guide: secret store illustration",
		files: []string{
			"examples/guides/using-the-access-token/secret-store-illustration/main.tf",
			"examples/use-cases/bootstrap/main.tf",
		},
		run: runGuideSecretStoreIllustration,
	},
	{
		name:   "guide: setting up Zoho, a server-based client",
		files:  []string{"examples/guides/setting-up-zoho/server-based/main.tf"},
		client: zohotest.Client{RedirectURIs: []string{"https://app.example.com/zoho/callback"}},
		run:    runGuideServerBasedClient,
	},
	{
		name: "guide: debug log",
		files: []string{
			"examples/guides/troubleshooting/debug-log.sh",
			"examples/use-cases/provisioner/main.tf",
		},
		run: runGuideDebugLog,
	},
}

// runGuideModuleTests runs the testing guide's script as a module author
// would, with zoho-emulator (built from cmd/zoho-emulator, as released) and
// the CLI under test on PATH: `tofu test` must pass. Then, with one
// expectation made wrong, it must fail and say which, so the module's tests
// can fail at all.
func runGuideModuleTests(x *exampleRun) {
	dir := "examples/guides/testing-modules-offline"
	x.copy(dir)
	bin := x.t.TempDir()
	if err := clitest.Build(x.ctx, filepath.Join(bin, "zoho-emulator"), "./cmd/zoho-emulator"); err != nil {
		x.t.Fatal(err)
	}
	x.env["PATH"] = bin + string(os.PathListSeparator) + x.env["PATH"]
	x.env["TF_CLI_ARGS_test"] = "-no-color"
	// The script starts its own emulator and exports its client.
	for _, k := range []string{"ZOHO_ACCOUNTS_URL", "ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET"} {
		delete(x.env, k)
	}

	out := x.script(dir, dir+"/run-tests.sh", "")
	for _, want := range []string{
		`run "rejects_a_malformed_scope"... pass`,
		`run "rotates_with_a_new_code_and_version"... pass`,
		"Success! 4 passed, 0 failed.",
	} {
		if !strings.Contains(out, want) {
			x.fatalf(out, "run-tests.sh did not print %q", want)
		}
	}

	test := dir + "/tests/credentials.tftest.hcl"
	body := x.readFile(test)
	wrong := strings.Replace(body, `contains(output.scopes, "ZohoCRM.users.READ")`, `contains(output.scopes, "ZohoCRM.users.ALL")`, 1)
	if wrong == body {
		x.t.Fatalf("%s no longer asserts the ZohoCRM.users.READ scope: update this test's wrong expectation", test)
	}
	x.write(test, wrong)
	res := x.exec(dir, "", "bash", "-euo", "pipefail", "run-tests.sh")
	if res.Code == 0 {
		x.fatalf(res.Out, "run-tests.sh passed with a wrong expectation")
	}
	for _, want := range []string{`run "creates_the_refresh_token"... fail`, "The refresh token lacks ZohoCRM.users.READ.", "Failure!"} {
		if !strings.Contains(res.Out, want) {
			x.fatalf(res.Out, "run-tests.sh with a wrong expectation did not print %q", want)
		}
	}
}

// mockedEphemeralResources: `mock_provider "zoho"` in a test file, with
// this provider's ephemeral resources in its schema, as the testing guide
// says (each CLI tried here with examples/guides/testing-modules-offline/mock-provider):
//
//   - Terraform 1.11.4 refuses any configuration that opens an ephemeral
//     resource of a mocked provider ("No ephemeral resource types in mock
//     providers"), even in a plan. hashicorp/terraform#38928 (merged in
//     July 2026) mocks them; the first release with it is taken to be 1.16,
//     untested here.
//   - OpenTofu 1.11.6 crashes ("implement me") at the first run that
//     applies with a mocked provider that has ephemeral resources, whether
//     or not the configuration uses them; 1.11.5 and 1.12.1 did too
//     (opentofu/opentofu#4251, fixed by #4253 for 1.12). OpenTofu 1.12.6
//     passes; the releases in between were not tried.
var mockedEphemeralResources = clitest.Feature{
	Name: "ephemeral resources of a mocked provider in tests", Terraform: "1.16.0", OpenTofu: "1.12.6",
	Why: "Terraform before hashicorp/terraform#38928 refuses them (No ephemeral resource types in mock providers); " +
		"OpenTofu 1.11 and 1.12 before the fix of opentofu/opentofu#4251 crash",
}

// mockFailure is what `test` prints where a CLI cannot mock this provider
// (mockedEphemeralResources).
var mockFailure = map[string]string{
	"Terraform": "No ephemeral resource types in mock providers",
	"OpenTofu":  "implement me",
}

// runGuideMockProvider runs the module's tests with the provider mocked:
// no emulator, no grant code. Where the CLI cannot mock this provider, the
// tests must fail the way the guide says, and the case skips, saying why;
// if they pass there, the guide and mockedEphemeralResources are out of
// date.
func runGuideMockProvider(x *exampleRun) {
	dir := "examples/guides/testing-modules-offline/mock-provider"
	x.copy(dir)
	x.env["TF_CLI_ARGS_test"] = "-no-color"
	// ZOHO_* still name the emulator, so a call that the mock let through
	// would show in its counters (checked at the end).
	x.init(dir)
	cli := x.rig.cli
	if reason := cli.Lacks(mockedEphemeralResources); reason != "" {
		res := x.execCrashing(dir, "", cli.Path, "test") // OpenTofu 1.11 crashes, leaving the provider running
		if res.Code == 0 {
			x.fatalf(res.Out, "%s test passed: %s can mock this provider; update mockedEphemeralResources and the testing guide", cli.Name(), cli.Version)
		}
		if want := mockFailure[cli.Product]; !strings.Contains(res.Out, want) {
			x.fatalf(res.Out, "%s test failed, but without %q: update mockedEphemeralResources and the testing guide", cli.Name(), want)
		}
		x.t.Skipf("%s; `%s test` fails as the testing guide says (CLI: %s)", reason, cli.Name(), cli.Path)
	}
	out := x.tf(dir, "test")
	for _, want := range []string{
		`run "plans_without_a_grant_code"... pass`,
		`run "applies_with_the_mocked_token"... pass`,
		`run "fails_when_a_scope_is_missing"... pass`,
		"Success! 3 passed, 0 failed.",
	} {
		if !strings.Contains(out, want) {
			x.fatalf(out, "%s test did not print %q", cli.Name(), want)
		}
	}
	if c := x.emu.Counters(); c.TokenRequests+c.RevokeRequests+c.APICalls != 0 {
		x.t.Errorf("the mocked tests reached the emulator: %+v", c)
	}
}

// runGuideRotation rotates the bootstrap's token as the rotation guide says,
// then shows why create_before_destroy matters: with it, a bad code leaves
// the current token working; without it, the token is revoked first and a
// bad code leaves none.
func runGuideRotation(x *exampleRun) {
	dir := "examples/use-cases/bootstrap"
	x.copy(dir)
	x.copyTo("examples/guides/rotating-refresh-tokens/rotate.sh", dir+"/rotate.sh")
	x.grantCode("zoho_grant_code")
	x.init(dir)
	x.apply(dir)
	first := x.refreshTokens(dir)["crm"]

	x.setVersion(dir, 1, 2)
	code := x.grantCode("")
	delete(x.env, "TF_VAR_zoho_grant_code") // rotate.sh reads it from stdin
	plan := x.exec(dir, code+"\n", "bash", "-c", `read -rs TF_VAR_zoho_grant_code && export TF_VAR_zoho_grant_code && "$0" plan`, x.rig.cli.Path)
	if !strings.Contains(plan.Out, "+/- create replacement and then destroy") || !strings.Contains(plan.Out, "grant_code_wo_version = 1 -> 2 # forces replacement") {
		x.fatalf(plan.Out, "the plan of a new version does not show a replacement, new token first")
	}
	out := x.script(dir, dir+"/rotate.sh", code+"\n")
	second := x.refreshTokens(dir)["crm"]
	if second == first {
		x.t.Fatal("rotate.sh kept the old refresh token")
	}
	x.expectLive(first, false)
	x.expectLive(second, true)
	if !strings.Contains(out, x.tf(dir, "output", "-raw", "refresh_token_id")) {
		x.fatalf(out, "rotate.sh did not print the new token's fingerprint")
	}

	// A spent code with the next version: create_before_destroy keeps the
	// working token.
	x.env["TF_VAR_zoho_grant_code"] = code
	x.setVersion(dir, 2, 3)
	res := x.exec(dir, "", x.rig.cli.Path, "apply")
	if res.Code == 0 || !strings.Contains(res.Out, "Invalid Or Expired Zoho Grant Code") {
		x.fatalf(res.Out, "apply with a spent code did not fail with the code's error")
	}
	x.expectLive(second, true)
	if got := x.refreshTokens(dir)["crm"]; got != second {
		x.t.Error("after a failed rotation with create_before_destroy, the state no longer holds the working token")
	}

	// The same without create_before_destroy: the old token goes first.
	x.edit(dir+"/main.tf", "create_before_destroy = true", "create_before_destroy = false")
	res = x.exec(dir, "", x.rig.cli.Path, "apply")
	if res.Code == 0 || !strings.Contains(res.Out, "Invalid Or Expired Zoho Grant Code") {
		x.fatalf(res.Out, "apply with a spent code did not fail with the code's error")
	}
	x.expectLive(second, false)
	if n := len(x.refreshTokens(dir)); n != 0 {
		x.t.Errorf("after a failed rotation without create_before_destroy, the state holds %d refresh tokens, want none", n)
	}
}

func (x *exampleRun) setVersion(dir string, from, to int) {
	x.t.Helper()
	x.edit(dir+"/main.tf", "grant_code_wo_version = "+strconv.Itoa(from), "grant_code_wo_version = "+strconv.Itoa(to))
}

// edit replaces from by to in a file of the working directory, once.
func (x *exampleRun) edit(file, from, to string) {
	x.t.Helper()
	body := x.readFile(file)
	if !strings.Contains(body, from) {
		x.t.Fatalf("%s does not contain %q", file, from)
	}
	x.write(file, strings.Replace(body, from, to, 1))
}

// runGuideStateEncryption applies the encrypted bootstrap: the state on disk
// holds no readable attribute, a wrong passphrase cannot read it, and the
// right one plans no change.
func runGuideStateEncryption(x *exampleRun) {
	if x.rig.cli.Product != "OpenTofu" {
		x.t.Skipf("state encryption is OpenTofu's; %s has none", x.rig.cli.Product)
	}
	dir := "examples/guides/keeping-the-refresh-token-safe/state-encryption"
	x.copy(dir)
	passphrase := "a passphrase of the " + x.client.ID[:12]
	x.addSecret("state passphrase", passphrase)
	x.env["TF_VAR_state_passphrase"] = passphrase
	x.grantCode("zoho_grant_code")
	x.init(dir)
	x.plan(dir)
	x.apply(dir)
	delete(x.env, "TF_VAR_zoho_grant_code")

	raw := x.readFile(dir + "/terraform.tfstate")
	var state map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &state); err != nil {
		x.t.Fatalf("terraform.tfstate: %v", err)
	}
	if _, ok := state["encrypted_data"]; !ok {
		x.t.Errorf("terraform.tfstate has no encrypted_data: keys %v", slices.Sorted(maps.Keys(state)))
	}
	for _, plain := range []string{"zoho_oauth_refresh_token", "refresh_token", "accounts_url"} {
		if strings.Contains(raw, plain) {
			x.t.Errorf("the encrypted terraform.tfstate shows %q in clear", plain)
		}
	}

	x.env["TF_VAR_state_passphrase"] = "not the passphrase at all"
	out := x.planFails(dir)
	if !strings.Contains(out, "decrypt") {
		x.fatalf(out, "a plan with the wrong passphrase did not fail to decrypt the state")
	}
	x.env["TF_VAR_state_passphrase"] = passphrase
	x.planNoChanges(dir)
	x.destroy(dir)
}

var refreshTokenAttrRef = regexp.MustCompile(`zoho_oauth_refresh_token\.crm\.(\w+)`)

// runGuideSecretStoreIllustration checks what can be checked offline of an
// example whose other provider is not available: it is formatted (so it
// parses), it says it is an illustration, and every attribute it reads of
// the bootstrap's zoho_oauth_refresh_token exists in the provider's schema.
func runGuideSecretStoreIllustration(x *exampleRun) {
	file := "examples/guides/using-the-access-token/secret-store-illustration/main.tf"
	x.copyTo(file, "illustration/main.tf")
	body := x.readFile("illustration/main.tf")
	if !strings.HasPrefix(body, "# ILLUSTRATION, NOT APPLIED BY THE PROVIDER'S TESTS") {
		x.t.Errorf("%s must say first that it is an illustration that no test applies", file)
	}
	x.tf("illustration", "fmt", "-check", "-diff")

	dir := "examples/use-cases/bootstrap"
	x.copy(dir)
	x.init(dir)
	out := x.tf(dir, "providers", "schema", "-json")
	var schema struct {
		Schemas map[string]struct {
			Resources map[string]struct {
				Block struct {
					Attributes map[string]json.RawMessage `json:"attributes"`
				} `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal([]byte(out), &schema); err != nil {
		x.t.Fatalf("providers schema -json: %v", err)
	}
	var attrs map[string]json.RawMessage
	for addr, p := range schema.Schemas {
		if strings.HasSuffix(addr, "/cd40c554/zoho") {
			attrs = p.Resources["zoho_oauth_refresh_token"].Block.Attributes
		}
	}
	refs := refreshTokenAttrRef.FindAllStringSubmatch(body, -1)
	if len(refs) == 0 || attrs == nil {
		x.t.Fatalf("found %d references to zoho_oauth_refresh_token.crm and %d attributes in its schema", len(refs), len(attrs))
	}
	for _, m := range refs {
		if _, ok := attrs[m[1]]; !ok {
			x.t.Errorf("%s reads zoho_oauth_refresh_token.crm.%s, which is no attribute of the resource", file, m[1])
		}
	}
}

// runGuideDebugLog runs the troubleshooting guide's commands in the
// provisioner example: the log holds the provider's lines of both loggers,
// and (scanned by readFile) no secret.
func runGuideDebugLog(x *exampleRun) {
	dir := "examples/use-cases/provisioner"
	x.copy(dir)
	x.copyTo("examples/guides/troubleshooting/debug-log.sh", dir+"/debug-log.sh")
	x.issueRefreshToken("TF_VAR_zoho_refresh_token")
	x.init(dir)
	out := x.script(dir, dir+"/debug-log.sh", "")
	log := x.readFile(dir + "/zoho-debug.log")
	for _, want := range []string{"@module=zoho ", "@module=zoho.oauth ", "got Zoho access token", "sending request to Zoho Accounts"} {
		if !strings.Contains(log, want) {
			x.fatalf(log, "zoho-debug.log has no %q", want)
		}
	}
	if !strings.Contains(out, "@module=zoho.oauth") {
		x.fatalf(out, "debug-log.sh's grep printed no line of the oauth subsystem")
	}
}

// runGuideServerBasedClient exchanges a redirect-flow code (generated for
// the registered redirect URI, as the authorization URL asked) with the
// guide's configuration.
func runGuideServerBasedClient(x *exampleRun) {
	dir := "examples/guides/setting-up-zoho/server-based"
	x.copy(dir)
	const redirect = "https://app.example.com/zoho/callback"
	code, err := x.emu.IssueGrantCode(x.client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}, RedirectURI: redirect})
	if err != nil {
		x.t.Fatal(err)
	}
	x.addSecret("grant code", code)
	x.env["TF_VAR_zoho_grant_code"], x.env["TF_VAR_zoho_redirect_uri"] = code, redirect
	x.init(dir)
	x.apply(dir)
	refresh := x.refreshTokens(dir)["web"]
	x.expectLive(refresh, true)
	delete(x.env, "TF_VAR_zoho_grant_code")
	x.planNoChanges(dir)
	x.destroy(dir)
	x.expectLive(refresh, false)
}
