# Use case: a CI pipeline.
#
# Everything comes from ZOHO_* environment variables set by the CI job from
# its secret store (see ci.sh):
#   ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET  a Self Client of the account
#   ZOHO_DATA_CENTER                    where that client was registered
#   ZOHO_TOKEN_CACHE_DIR                a directory private to the job
#
# The token comes from the Self Client's client credentials grant: no refresh
# token, no grant code, nothing to rotate by hand.
#
# `plan -out` and `apply` are two provider processes, and each opens the
# ephemeral token. With ZOHO_TOKEN_CACHE_DIR set, the apply reuses the token
# the plan minted (sealed in the cache directory; it is valid for an hour),
# so a pipeline asks Zoho for one token per job instead of two. That matters:
# Zoho allows only about 10 new tokens per 10 minutes for the same
# credentials.

terraform {
  required_version = ">= 1.11"

  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}

provider "zoho" {}

ephemeral "zoho_oauth_access_token" "ci" {
  scopes = ["ZohoCRM.users.READ", "ZohoCRM.settings.READ"]
}

# A smoke test of the credentials on every run (triggers_replace changes each
# time); the token reaches curl through the environment and stdin only.
resource "terraform_data" "crm_smoke_test" {
  triggers_replace = plantimestamp()

  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    command     = <<-EOT
      printf 'Authorization: %s\n' "$ZOHO_AUTHORIZATION" |
        curl --silent --show-error --fail --output /dev/null -H @- \
          "$ZOHO_API_DOMAIN/crm/v8/users?type=CurrentUser"
    EOT
    environment = {
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.ci.authorization_header
      ZOHO_API_DOMAIN    = ephemeral.zoho_oauth_access_token.ci.api_domain
    }
  }
}
