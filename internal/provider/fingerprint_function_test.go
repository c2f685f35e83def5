package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

var functionCLIs = []tfversion.TerraformVersionCheck{needProviderFunctions}

func TestAccFingerprintFunction_sensitiveToken(t *testing.T) {
	const token = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   functionCLIs,
		ProtoV6ProviderFactories: newTestEnv(t).factories(),
		Steps: []resource.TestStep{{
			Config: requiredProviders("zoho") + `
variable "token" {
  type      = string
  sensitive = true
}

# The CLI keeps the argument's sensitive mark on the result.
output "sensitive" {
  value     = provider::zoho::fingerprint(var.token)
  sensitive = true
}

output "shown" {
  value = nonsensitive(provider::zoho::fingerprint(var.token))
}
`,
			ConfigVariables: config.Variables{"token": config.StringVariable(token)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("sensitive", knownvalue.StringExact(zoho.Fingerprint(token))),
				statecheck.ExpectKnownOutputValue("shown", knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{16}$`))),
			},
		}},
	})
}

func TestAccFingerprintFunction_isTheRefreshTokenID(t *testing.T) {
	e := newTestEnv(t)
	// grant_code, not grant_code_wo: every CLI with functions runs this.
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   functionCLIs,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.providerConfig() + fmt.Sprintf(`
resource "zoho_oauth_refresh_token" "t" {
  grant_code = %q
}

output "matches" {
  value = nonsensitive(provider::zoho::fingerprint(zoho_oauth_refresh_token.t.refresh_token) == zoho_oauth_refresh_token.t.id)
}
`, e.code()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("matches", knownvalue.Bool(true)),
			},
		}},
	})
}

func TestAccFingerprintFunction_emptyToken(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   functionCLIs,
		ProtoV6ProviderFactories: newTestEnv(t).factories(),
		Steps: []resource.TestStep{{
			Config: requiredProviders("zoho") + `
output "empty" {
  value = provider::zoho::fingerprint("")
}
`,
			ExpectError: regexp.MustCompile(`(?s)token.*argument is empty`),
		}},
	})
}

func TestAccFingerprintFunction_ephemeralToken(t *testing.T) {
	const token = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needProviderFunctions, needEphemeralVariables},
		ProtoV6ProviderFactories: newTestEnv(t).factories(),
		Steps: []resource.TestStep{{
			Config: providerBlockWith() + `
variable "token" {
  type      = string
  ephemeral = true
}

# The result of an ephemeral argument is ephemeral: the echo provider's
# configuration may take it.
provider "echo" {
  data = provider::zoho::fingerprint(var.token)
}

resource "echo" "t" {}
`,
			ConfigVariables: config.Variables{"token": config.StringVariable(token)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", tfjsonpath.New("data"), knownvalue.StringExact(zoho.Fingerprint(token))),
			},
		}},
	})
}
