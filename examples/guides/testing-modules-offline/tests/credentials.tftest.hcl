# `tofu test` (or `terraform test`) against the Zoho emulator: run-tests.sh
# starts it, exports its client as ZOHO_*, and gives two grant codes,
# grant_code and second_grant_code, in a variables file. The runs share one state,
# in order; at the end the test destroys it, which revokes the tokens.

run "rejects_a_malformed_scope" {
  command = plan

  variables {
    required_scopes = ["crm read"]
  }

  expect_failures = [var.required_scopes]
}

run "creates_the_refresh_token" {
  assert {
    condition     = can(regex("^[0-9a-f]{16}$", output.refresh_token_id))
    error_message = "The refresh token's id is not a 16-hex fingerprint."
  }

  assert {
    condition     = contains(output.scopes, "ZohoCRM.users.READ")
    error_message = "The refresh token lacks ZohoCRM.users.READ."
  }
}

run "keeps_the_token_without_a_new_version" {
  # The code is spent, and stays in grant_code: write-only, it is only
  # read when the version changes.
  variables {
    previous_refresh_token_id = run.creates_the_refresh_token.refresh_token_id
  }

  assert {
    condition     = output.refresh_token_id == var.previous_refresh_token_id
    error_message = "An apply without a new code and version replaced the refresh token."
  }
}

# The usual reason to rotate: a code with more scopes.
run "rotates_with_a_new_code_and_version" {
  variables {
    grant_code         = var.second_grant_code
    grant_code_version = 2
    required_scopes    = ["ZohoCRM.users.READ", "ZohoCRM.modules.ALL"]
  }

  assert {
    condition     = contains(output.scopes, "ZohoCRM.modules.ALL")
    error_message = "The refresh token was not replaced by one with the new code's scopes."
  }
}
