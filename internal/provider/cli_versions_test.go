package provider

// CLI version checks that know which CLI runs the tests. Terraform and
// OpenTofu number their releases alike but gained features in different
// releases, and tfversion.SkipBelow only sees a version number (OpenTofu's
// `version -json` reports it as "terraform_version"): SkipBelow(1.10) lets
// OpenTofu 1.10, which has no ephemeral resources, run the ephemeral tests.
// skipBelowFeature asks the CLI (TF_ACC_TERRAFORM_PATH) once which it is.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// skipBelowFeature skips a test on a CLI older than the first release, of
// that CLI, with the feature. Versions are "major.minor.patch"; prereleases
// count as their release, as with tfversion.SkipBelow.
type skipBelowFeature struct {
	feature   string
	terraform string // first Terraform release with the feature
	opentofu  string // first OpenTofu release with the feature
	// why, when set, says why a CLI that has the feature still cannot run
	// the test (a limit of the test framework, not of the CLI).
	why string
}

// The features the tests use that not every supported CLI (Terraform >= 1.0,
// OpenTofu >= 1.6) has. Anything that Terraform 1.0 and OpenTofu 1.6 both
// parse (terraform_data needs Terraform 1.4, and OpenTofu began at 1.6) needs
// no check.
var (
	needImportBlocks       = skipBelowFeature{feature: "import blocks", terraform: "1.5.0", opentofu: "1.6.0"}
	needProviderFunctions  = skipBelowFeature{feature: "provider-defined functions", terraform: "1.8.0", opentofu: "1.7.0"}
	needEphemeralResources = skipBelowFeature{feature: "ephemeral resources", terraform: "1.10.0", opentofu: "1.11.0"}
	needEphemeralVariables = skipBelowFeature{feature: "ephemeral input variables", terraform: "1.10.0", opentofu: "1.11.0"}
	needWriteOnly          = skipBelowFeature{feature: "write-only arguments", terraform: "1.11.0", opentofu: "1.11.0"}

	// OpenTofu 1.11 has ephemeral resources, and the CLI-process tests
	// (cliUnderTest) check them on it, but terraform-plugin-testing cannot:
	// OpenTofu 1.11 lists every ephemeral resource in the JSON plan under
	// resource_changes with the action "open" (1.12 no longer does), which
	// terraform-plugin-testing v1.16 counts as a change, so every step that
	// applies fails with "After applying this test step, the non-refresh
	// plan was not empty" although the CLI says "No changes".
	needEphemeralResourcesInTestSteps = skipBelowFeature{
		feature: "ephemeral resources in terraform-plugin-testing steps", terraform: "1.10.0", opentofu: "1.12.0",
		why: `it lists each ephemeral resource in the JSON plan with the action "open", which terraform-plugin-testing counts as a change, failing every applying step's empty-plan check (the CLI-process tests cover ephemeral resources on it)`,
	}
)

// OpenTofu 1.11 leaves ephemeral resources ("open" changes) out of its
// destroy ordering, so `tofu destroy` of a configuration where a provider is
// configured from an ephemeral resource that reads a managed resource (as in
// examples/use-cases/one-configuration) may destroy that resource first and
// then fail to open the ephemeral resource from it ("Zoho Refresh Token
// Rejected"): 3 runs of 6 failed on OpenTofu 1.11.6, none of 6 on 1.12.6.
var needDestroyOrdersEphemeralResources = skipBelowFeature{
	feature: "destroy ordered after the ephemeral resources that read what it destroys", terraform: "1.10.0", opentofu: "1.12.0",
	why: "OpenTofu 1.11 may destroy the refresh token before opening the ephemeral resource that reads it, so destroy fails at random",
}

// writeOnlyAndEphemeralCLIs is for test cases whose steps hold both
// write-only arguments and ephemeral resources.
var writeOnlyAndEphemeralCLIs = []tfversion.TerraformVersionCheck{needWriteOnly, needEphemeralResourcesInTestSteps}

var _ tfversion.TerraformVersionCheck = skipBelowFeature{}

var knownFeatures = []skipBelowFeature{needImportBlocks, needProviderFunctions, needEphemeralResources, needEphemeralVariables, needWriteOnly}

// cliFeatureNamed is what cliUnderTest(t, minMinor, feature) asks for: the
// feature needs Terraform and OpenTofu 1.minMinor, or later for a CLI that
// gained a known feature of that name (knownFeatures) later.
func cliFeatureNamed(feature string, minMinor int) skipBelowFeature {
	floor := fmt.Sprintf("1.%d.0", minMinor)
	f := skipBelowFeature{feature: feature, terraform: floor, opentofu: floor}
	for _, known := range knownFeatures {
		if known.feature == feature {
			f.terraform, f.opentofu = laterVersion(known.terraform, floor), laterVersion(known.opentofu, floor)
		}
	}
	return f
}

func laterVersion(a, b string) string {
	va, _ := coreVersion(a)
	vb, _ := coreVersion(b)
	if compareVersions(va, vb) >= 0 {
		return a
	}
	return b
}

// CheckTerraformVersion satisfies tfversion.TerraformVersionCheck. The
// version compared is the one terraform-plugin-testing read; which CLI it
// belongs to comes from detectCLI.
func (f skipBelowFeature) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	cli := detectCLI()
	if cli.err != nil {
		resp.Error = cli.err
		return
	}
	v := cli.version
	if req.TerraformVersion != nil {
		v = req.TerraformVersion.Core().String()
	}
	resp.Skip = f.skipReason(cli.product, v, cli.path)
}

// skipReason is why a test needing f does not run on product (OpenTofu or
// Terraform) at version v, or "" when it runs.
func (f skipBelowFeature) skipReason(product, v, path string) string {
	need := f.terraform
	if product == "OpenTofu" {
		need = f.opentofu
	}
	have, ok := coreVersion(v)
	want, wantOK := coreVersion(need)
	if !ok || !wantOK {
		return fmt.Sprintf("cannot compare %s version %q with %q (%s): skipping", product, v, need, f.feature)
	}
	if compareVersions(have, want) >= 0 {
		return ""
	}
	other, otherNeed := "OpenTofu", f.opentofu
	if product == "OpenTofu" {
		other, otherNeed = "Terraform", f.terraform
	}
	if f.why != "" {
		return fmt.Sprintf("%s %s: %s need %s >= %s (%s >= %s): %s; skipping (CLI: %s)",
			product, v, f.feature, product, need, other, otherNeed, f.why, path)
	}
	return fmt.Sprintf("%s %s has no %s: they need %s >= %s (%s >= %s); skipping (CLI: %s)",
		product, v, f.feature, product, need, other, otherNeed, path)
}

// skipWithout skips t unless the CLI under test (TF_ACC_TERRAFORM_PATH) has
// f: the check of skipBelowFeature, for tests that run the CLI themselves.
func skipWithout(t testing.TB, f skipBelowFeature) {
	t.Helper()
	cli := detectCLI()
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	if reason := f.skipReason(cli.product, cli.version, cli.path); reason != "" {
		t.Skip(reason)
	}
}

// cliInfo is the CLI that TF_ACC_TERRAFORM_PATH names.
type cliInfo struct {
	path    string
	product string // "OpenTofu" or "Terraform"
	version string // e.g. "1.6.3", without the "v" or any prerelease
	err     error
}

var (
	detectedCLI     cliInfo
	detectedCLIOnce sync.Once
)

// detectCLI runs `$TF_ACC_TERRAFORM_PATH version` once and reads which CLI
// it is from the first line: "OpenTofu v1.6.3" or "Terraform v1.11.4".
func detectCLI() cliInfo {
	detectedCLIOnce.Do(func() { detectedCLI = runVersion(os.Getenv("TF_ACC_TERRAFORM_PATH")) })
	return detectedCLI
}

var cliVersionLine = regexp.MustCompile(`(?m)^(OpenTofu|Terraform) v(\d+\.\d+\.\d+)`)

func runVersion(path string) cliInfo {
	if path == "" {
		// What terraform-plugin-testing does without TF_ACC_TERRAFORM_PATH
		// (short of downloading, which TF_ACC_TERRAFORM_VERSION asks for).
		found, err := exec.LookPath("terraform")
		if err != nil {
			return cliInfo{err: fmt.Errorf("TF_ACC_TERRAFORM_PATH is not set and there is no terraform on PATH: name the terraform or tofu binary to test against")}
		}
		path = found
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "version")
	cmd.Env = versionEnv()
	out, err := cmd.Output()
	if err != nil {
		return cliInfo{path: path, err: fmt.Errorf("%s version: %v\n%s", path, err, out)}
	}
	m := cliVersionLine.FindStringSubmatch(string(out))
	if m == nil {
		return cliInfo{path: path, err: fmt.Errorf("%s version printed neither \"OpenTofu v…\" nor \"Terraform v…\":\n%s", path, out)}
	}
	return cliInfo{path: path, product: m[1], version: m[2]}
}

// versionEnv is this process's environment for `version`, with the
// environment trap defused (the Makefile points TF_CLI_CONFIG_FILE at /dev/null): a TF_CLI_CONFIG_FILE
// naming a missing file makes the CLI print a warning first (harmless here,
// as the version line is searched for, but noisy), so it is dropped.
func versionEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if name, file, _ := strings.Cut(kv, "="); name == "TF_CLI_CONFIG_FILE" {
			if _, err := os.Stat(file); err != nil {
				continue
			}
		} else if name == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "CHECKPOINT_DISABLE=1") // no call to checkpoint.hashicorp.com
}

// coreVersion parses "1.10.0" (a "v" prefix and a prerelease are ignored).
func coreVersion(s string) ([3]int, bool) {
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return [3]int{}, false
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return [3]int{}, false
		}
		v[i] = n
	}
	return v, true
}

func compareVersions(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func TestSkipBelowFeature(t *testing.T) {
	cases := []struct {
		need          skipBelowFeature
		product, v    string
		skip          bool
		wantInMessage string
	}{
		{needEphemeralResources, "Terraform", "1.10.0", false, ""},
		{needEphemeralResources, "Terraform", "1.9.8", true, "Terraform 1.9.8 has no ephemeral resources: they need Terraform >= 1.10.0 (OpenTofu >= 1.11.0); skipping (CLI: cli)"},
		{needEphemeralResources, "OpenTofu", "1.10.6", true, "OpenTofu 1.10.6 has no ephemeral resources: they need OpenTofu >= 1.11.0 (Terraform >= 1.10.0)"},
		{needEphemeralResources, "OpenTofu", "1.11.0", false, ""},
		{needEphemeralVariables, "OpenTofu", "1.10.10", true, "ephemeral input variables"},
		{needWriteOnly, "Terraform", "1.10.5", true, "Terraform >= 1.11.0 (OpenTofu >= 1.11.0)"},
		{needWriteOnly, "OpenTofu", "1.12.6", false, ""},
		{needImportBlocks, "Terraform", "1.4.7", true, "import blocks"},
		{needImportBlocks, "OpenTofu", "1.6.3", false, ""},
		{needProviderFunctions, "OpenTofu", "1.7.0", false, ""},
		{needProviderFunctions, "Terraform", "1.7.5", true, "provider-defined functions"},
		{needProviderFunctions, "OpenTofu", "1.6.3", true, "OpenTofu >= 1.7.0 (Terraform >= 1.8.0)"},
		{needWriteOnly, "OpenTofu", "1.11.0-rc1", false, ""}, // a prerelease counts as its release
		{needWriteOnly, "OpenTofu", "eleven", true, "cannot compare"},
		{needEphemeralResourcesInTestSteps, "OpenTofu", "1.11.6", true, `OpenTofu 1.11.6: ephemeral resources in terraform-plugin-testing steps need OpenTofu >= 1.12.0 (Terraform >= 1.10.0): it lists each ephemeral resource in the JSON plan with the action "open"`},
		{needEphemeralResourcesInTestSteps, "OpenTofu", "1.12.0", false, ""},
		{needEphemeralResourcesInTestSteps, "Terraform", "1.10.0", false, ""},
		{needDestroyOrdersEphemeralResources, "OpenTofu", "1.11.6", true, "OpenTofu 1.11 may destroy the refresh token before opening the ephemeral resource"},
		{needDestroyOrdersEphemeralResources, "OpenTofu", "1.12.6", false, ""},
	}
	for _, tc := range cases {
		got := tc.need.skipReason(tc.product, tc.v, "cli")
		if (got != "") != tc.skip || !strings.Contains(got, tc.wantInMessage) {
			t.Errorf("%s on %s %s: skip reason %q, want skip=%v mentioning %q", tc.need.feature, tc.product, tc.v, got, tc.skip, tc.wantInMessage)
		}
	}
	named := map[string]struct {
		minMinor int
		want     skipBelowFeature
	}{
		"ephemeral resources": {10, skipBelowFeature{feature: "ephemeral resources", terraform: "1.10.0", opentofu: "1.11.0"}},
		"something new":       {12, skipBelowFeature{feature: "something new", terraform: "1.12.0", opentofu: "1.12.0"}},
	}
	for feature, tc := range named {
		if diff := cmp.Diff(tc.want, cliFeatureNamed(feature, tc.minMinor), cmp.AllowUnexported(skipBelowFeature{})); diff != "" {
			t.Errorf("cliFeatureNamed(%s, %d) (-want +got):\n%s", feature, tc.minMinor, diff)
		}
	}
	for out, want := range map[string][2]string{
		"OpenTofu v1.6.3\non linux_amd64\n": {"OpenTofu", "1.6.3"},
		"Terraform v1.11.4\non linux_amd64\n+ provider registry.terraform.io/hashicorp/null v3.2.3\n":  {"Terraform", "1.11.4"},
		"╷\n│ Warning: Unable to open CLI configuration file\n╵\n\nOpenTofu v1.12.6\non linux_amd64\n": {"OpenTofu", "1.12.6"},
	} {
		m := cliVersionLine.FindStringSubmatch(out)
		if m == nil || m[1] != want[0] || m[2] != want[1] {
			t.Errorf("version output %q read as %v, want %v", out, m, want)
		}
	}
}
