package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// testDataCenterFunction checks one data center function against the data
// center table: every code, in any case, gives its URL; anything
// parseDataCenter refuses is an error naming the argument and the values.
func testDataCenterFunction(t *testing.T, name string, want func(zoho.DataCenter) string) {
	var outputs strings.Builder
	var checks []statecheck.StateCheck
	for _, code := range zoho.DataCenterCodes() {
		dc, _ := zoho.LookupDataCenter(code)
		for _, written := range []string{code, strings.ToUpper(code)} {
			out := written + "_" + code
			fmt.Fprintf(&outputs, "output %q {\n  value = provider::zoho::%s(%q)\n}\n", out, name, written)
			checks = append(checks, statecheck.ExpectKnownOutputValue(out, knownvalue.StringExact(want(dc))))
		}
	}
	steps := []resource.TestStep{{Config: requiredProviders("zoho") + outputs.String(), ConfigStateChecks: checks}}
	for _, bad := range []string{"xx", " eu", "eu ", ""} {
		steps = append(steps, resource.TestStep{
			Config: requiredProviders("zoho") + fmt.Sprintf("output \"bad\" {\n  value = provider::zoho::%s(%q)\n}\n", name, bad),
			ExpectError: regexp.MustCompile(`(?s)data_center.*` + regexp.QuoteMeta(fmt.Sprintf("%q", bad)) +
				`.*no Zoho data center.*Valid values: ` + strings.Join(zoho.DataCenterCodes(), `,\s+`)),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   functionCLIs,
		ProtoV6ProviderFactories: newTestEnv(t).factories(),
		Steps:                    steps,
	})
}
