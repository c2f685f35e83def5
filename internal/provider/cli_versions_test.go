package provider

// CLI version checks that know which CLI runs the tests. Terraform and
// OpenTofu number their releases alike but gained features in different
// releases, and tfversion.SkipBelow only sees a version number (OpenTofu's
// `version -json` reports it as "terraform_version"): SkipBelow(1.10) lets
// OpenTofu 1.10, which has no ephemeral resources, run the ephemeral tests.
// skipBelowFeature asks clitest which CLI TF_ACC_TERRAFORM_PATH is (once),
// and which release of it gained the feature.

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

// skipBelowFeature skips a test on a CLI older than the first release, of
// that CLI, with the feature.
type skipBelowFeature struct{ clitest.Feature }

// The features the tests use that not every supported CLI (Terraform >= 1.0,
// OpenTofu >= 1.6) has. Anything that Terraform 1.0 and OpenTofu 1.6 both
// parse (terraform_data needs Terraform 1.4, and OpenTofu began at 1.6) needs
// no check.
var (
	needImportBlocks       = skipBelowFeature{clitest.ImportBlocks}
	needProviderFunctions  = skipBelowFeature{clitest.ProviderFunctions}
	needEphemeralResources = skipBelowFeature{clitest.EphemeralResources}
	needEphemeralVariables = skipBelowFeature{clitest.EphemeralVariables}
	needWriteOnly          = skipBelowFeature{clitest.WriteOnly}

	// OpenTofu 1.11 has ephemeral resources, and the black-box tests
	// (internal/acceptance) check them on it, but terraform-plugin-testing
	// cannot: OpenTofu 1.11 lists every ephemeral resource in the JSON plan
	// under resource_changes with the action "open" (1.12 no longer does),
	// which terraform-plugin-testing v1.16 counts as a change, so every step
	// that applies fails with "After applying this test step, the
	// non-refresh plan was not empty" although the CLI says "No changes".
	needEphemeralResourcesInTestSteps = skipBelowFeature{clitest.Feature{
		Name: "ephemeral resources in terraform-plugin-testing steps", Terraform: "1.10.0", OpenTofu: "1.12.0",
		Why: `it lists each ephemeral resource in the JSON plan with the action "open", which terraform-plugin-testing counts as a change, failing every applying step's empty-plan check (the black-box tests cover ephemeral resources on it)`,
	}}
)

// writeOnlyAndEphemeralCLIs is for test cases whose steps hold both
// write-only arguments and ephemeral resources.
var writeOnlyAndEphemeralCLIs = []tfversion.TerraformVersionCheck{needWriteOnly, needEphemeralResourcesInTestSteps}

var _ tfversion.TerraformVersionCheck = skipBelowFeature{}

// CheckTerraformVersion satisfies tfversion.TerraformVersionCheck. The
// version compared is the one terraform-plugin-testing read; which CLI it
// belongs to comes from clitest.UnderTest.
func (f skipBelowFeature) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	cli, err := clitest.UnderTest()
	if err != nil {
		resp.Error = err
		return
	}
	if req.TerraformVersion != nil {
		cli.Version = req.TerraformVersion.Core().String()
	}
	resp.Skip = f.skipReason(cli)
}

// skipReason is why a test needing f does not run on cli, or "" when it
// runs.
func (f skipBelowFeature) skipReason(cli clitest.CLI) string {
	if reason := cli.Lacks(f.Feature); reason != "" {
		return reason + "; skipping (CLI: " + cli.Path + ")"
	}
	return ""
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
	}
	for _, tc := range cases {
		got := tc.need.skipReason(clitest.CLI{Path: "cli", Product: tc.product, Version: tc.v})
		if (got != "") != tc.skip || !strings.Contains(got, tc.wantInMessage) {
			t.Errorf("%s on %s %s: skip reason %q, want skip=%v mentioning %q", tc.need.Name, tc.product, tc.v, got, tc.skip, tc.wantInMessage)
		}
	}
}
