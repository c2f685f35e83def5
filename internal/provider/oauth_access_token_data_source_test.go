package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

const dataAddr = "data.zoho_oauth_access_token.t"

func TestAccAccessTokenDataSource_fromRefreshToken(t *testing.T) {
	e := newTestEnv(t)
	refresh := e.refreshToken("ZohoCRM.modules.ALL")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.providerConfig() + fmt.Sprintf(`
data "zoho_oauth_access_token" "t" {
  refresh_token = %q
}`, refresh),
			ConfigStateChecks: []statecheck.StateCheck{
				// The data source's token is in state (documented), sensitive.
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("access_token"), knownvalue.StringRegexp(zohoTokenShape)),
				statecheck.ExpectSensitiveValue(dataAddr, tfjsonpath.New("access_token")),
				statecheck.ExpectSensitiveValue(dataAddr, tfjsonpath.New("authorization_header")),
				statecheck.ExpectSensitiveValue(dataAddr, tfjsonpath.New("refresh_token")),
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("api_domain"), knownvalue.StringExact("https://www.zohoapis.com")),
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("token_type"), knownvalue.StringExact("Bearer")),
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("scopes"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("ZohoCRM.modules.ALL")})),
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("expires_in"), knownvalue.Int64Exact(3600)),
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("expires_at"), knownvalue.StringExact(e.clock.Now().Add(time.Hour).Format(time.RFC3339))),
			},
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources[dataAddr].Primary.Attributes
				if attrs["authorization_header"] != "Zoho-oauthtoken "+attrs["access_token"] || !e.emu.AccessTokenLive(attrs["access_token"]) {
					return fmt.Errorf("the data source's token is not the live one in its header")
				}
				// Terraform reads a data source at plan and again at apply only
				// when it has to (OpenTofu does each time): at most one mint
				// per provider process either way.
				if mints, processes := e.emu.MintsFor(refresh), int(e.configures.Load()); mints < 1 || mints > processes {
					return fmt.Errorf("%d mints over %d provider processes, want at least 1 and at most one each", mints, processes)
				}
				return nil
			},
		}},
	})
}

func TestAccAccessTokenDataSource_clientCredentialsAndErrors(t *testing.T) {
	e := newTestEnv(t)
	self := e.emu.RegisterClient(zohotest.Client{DC: "us"})
	revoked := e.refreshToken()
	e.mustRevoke(revoked)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: e.providerConfig() + fmt.Sprintf(`
data "zoho_oauth_access_token" "t" {
  refresh_token = %q
}`, revoked),
				ExpectError: errorText("Zoho Refresh Token Rejected", "revoked", "grant_code_wo_version"),
			},
			{
				Config: e.providerConfig() + fmt.Sprintf(`
data "zoho_oauth_access_token" "t" {
  client_id     = %q
  client_secret = %q
  scopes        = ["ZohoCRM.settings.READ"]
}`, self.ID, self.Secret),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("access_token"), knownvalue.StringRegexp(zohoTokenShape)),
					statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("refresh_token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("scopes"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("ZohoCRM.settings.READ")})),
				},
			},
		},
	})
}
