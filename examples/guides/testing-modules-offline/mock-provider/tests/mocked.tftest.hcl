# `tofu test` (or `terraform test`) with the provider mocked: the CLI
# answers for zoho_oauth_refresh_token with the values below and for the
# ephemeral zoho_oauth_access_token with generated ones, so nothing reaches
# Zoho and no grant code is needed. Provider functions are not mocked: the
# real provider computes them. Which CLI versions can mock this provider:
# the testing guide.

mock_provider "zoho" {
  mock_resource "zoho_oauth_refresh_token" {
    defaults = {
      id            = "35a7dedafdc8c2e5"
      refresh_token = "1000.mocked.refresh-token"
      scopes        = ["ZohoCRM.users.READ"]
    }
  }
}

run "plans_without_a_grant_code" {
  command = plan

  assert {
    condition     = zoho_oauth_refresh_token.this.grant_code_wo_version == 1
    error_message = "The refresh token is not planned at version 1."
  }
}

run "applies_with_the_mocked_token" {
  assert {
    condition     = output.refresh_token_id == "35a7dedafdc8c2e5"
    error_message = "The module does not output the refresh token's id."
  }

  assert {
    condition     = output.refresh_token_fingerprint == output.refresh_token_id
    error_message = "provider::zoho::fingerprint of the mocked refresh token is not its id."
  }
}

# The token in state (from the run above) lacks a scope now required: the
# plan fails on the resource's postcondition, as the test expects.
run "fails_when_a_scope_is_missing" {
  command = plan

  variables {
    required_scopes = ["ZohoCRM.users.READ", "ZohoCRM.modules.ALL"]
  }

  expect_failures = [zoho_oauth_refresh_token.this]
}
