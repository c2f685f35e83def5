# Use case: a CI pipeline (ci.sh runs it).
#
# Everything comes from ZOHO_* environment variables set by the CI job from
# its secret store (see ci.sh):
#   ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET  a Self Client of the account
#   ZOHO_DATA_CENTER                    where that client was registered
#   ZOHO_TOKEN_CACHE_DIR                a directory private to the job
#
# The token comes from the Self Client's client credentials grant: no refresh
# token, no grant code, nothing to rotate by hand. Nothing in it is unknown at
# plan time, so another provider can be configured from it in this one
# configuration, from the very first apply.
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
    restapi = {
      source  = "Mastercard/restapi"
      version = "~> 1.20"
    }
  }
}

provider "zoho" {}

ephemeral "zoho_oauth_access_token" "ci" {
  scopes = ["ZohoCRM.users.READ", "ZohoCRM.settings.READ"]
}

provider "restapi" {
  uri = ephemeral.zoho_oauth_access_token.ci.api_domain
  headers = {
    Authorization = ephemeral.zoho_oauth_access_token.ci.authorization_header
  }
}

# Read at every plan: a smoke test of the credentials on every run, which
# changes nothing when they work (a plan with no changes stays empty).
data "restapi_object" "crm_user" {
  path              = "/crm/v8/users"
  query_string      = "type=CurrentUser"
  read_query_string = ""
  results_key       = "users"
  search_key        = "status"
  search_value      = "active"
}

output "crm_user_name" {
  value = jsondecode(data.restapi_object.crm_user.api_response).users[0].full_name
}
