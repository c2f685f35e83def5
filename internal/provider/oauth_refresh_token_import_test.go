package provider

// Import of an existing refresh token: env:VARNAME IDs, import blocks and the
// import command, and the errors a user can meet.

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

func TestAccRefreshToken_importFromEnvironment(t *testing.T) {
	e := newTestEnv(t)
	token := e.refreshToken("ZohoCRM.modules.ALL")
	e.setenv("ZOHO_EXISTING_REFRESH_TOKEN", token)
	importConfig := e.providerConfig() + `
import {
  to = zoho_oauth_refresh_token.t
  id = "env:ZOHO_EXISTING_REFRESH_TOKEN"
}

resource "zoho_oauth_refresh_token" "t" {}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{needImportBlocks},
		Steps: []resource.TestStep{
			{
				Config: importConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionNoop),
					plancheck.ExpectSensitiveValue(tokenAddr, tfjsonpath.New("refresh_token")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("id"), knownvalue.StringExact(zoho.Fingerprint(token))),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("refresh_token"), knownvalue.StringExact(token)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("api_domain"), knownvalue.StringExact("https://www.zohoapis.com")),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("scopes"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("ZohoCRM.modules.ALL")})),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("accounts_url"), knownvalue.StringExact(e.usURL)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("client_id"), knownvalue.StringExact(e.client.ID)),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("created_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(tokenAddr, tfjsonpath.New("revoke_on_destroy"), knownvalue.Bool(true)),
				},
			},
			{
				// A configuration written for an import plans no change.
				Config:           importConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Adding a version to the imported token does not replace it.
				Config: strings.Replace(importConfig, `resource "zoho_oauth_refresh_token" "t" {}`, `resource "zoho_oauth_refresh_token" "t" {
  grant_code_wo_version = 1
}`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenAddr, plancheck.ResourceActionUpdate),
				}},
			},
			{
				// The import command takes the same ID form.
				Config:                               e.providerConfig() + `resource "zoho_oauth_refresh_token" "t" {}`,
				ResourceName:                         tokenAddr,
				ImportState:                          true,
				ImportStateId:                        "env:ZOHO_EXISTING_REFRESH_TOKEN",
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				// Configuration only: an import cannot know it.
				ImportStateVerifyIgnore: []string{"grant_code_wo_version"},
			},
		},
		CheckDestroy: e.revokedOnDestroy(&token),
	})
}

func TestAccRefreshToken_importErrors(t *testing.T) {
	e := newTestEnv(t)
	revoked := e.refreshToken("ZohoCRM.modules.ALL")
	e.mustRevoke(revoked)
	e.setenv("ZOHO_REVOKED_TOKEN", revoked)
	importStep := func(id string, want *regexp.Regexp) resource.TestStep {
		return resource.TestStep{
			Config:        e.providerConfig() + `resource "zoho_oauth_refresh_token" "t" {}`,
			ResourceName:  tokenAddr,
			ImportState:   true,
			ImportStateId: id,
			ExpectError:   want,
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			importStep("env:ZOHO_NOT_SET_ANYWHERE", errorText("Refresh Token Environment Variable Is Empty", "ZOHO_NOT_SET_ANYWHERE")),
			importStep("env:ZOHO_REVOKED_TOKEN", errorText("Zoho Refresh Token Rejected", "revoked")),
		},
	})
}
