# Root module 2 of 2, applied as often as needed: configures another provider
# with a fresh Zoho access token. The token is minted during plan and apply
# and never lands in the plan or the state.
#
# Inputs, as environment variables:
#   ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_DATA_CENTER  as for ../bootstrap
#   TF_VAR_zoho_refresh_token  the refresh token: `tofu output -raw
#                              refresh_token` in ../bootstrap, or your secret
#                              store (CI)
#   ZOHO_TOKEN_CACHE_DIR       optional: lets the apply reuse the token its
#                              plan minted (Zoho allows about 10 per 10 minutes)
#
# The example uses Mastercard/restapi, a generic REST provider that takes
# fixed headers in its provider block; any provider with a token or headers
# argument works the same way.

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

variable "zoho_refresh_token" {
  type        = string
  description = "Zoho refresh token, for example the output of ../bootstrap."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
}

ephemeral "zoho_oauth_access_token" "crm" {
  refresh_token = var.zoho_refresh_token
}

provider "restapi" {
  # api_domain is the data center's API host (https://www.zohoapis.eu, ...).
  uri = ephemeral.zoho_oauth_access_token.crm.api_domain
  headers = {
    Authorization = ephemeral.zoho_oauth_access_token.crm.authorization_header
  }
}

# Whatever the other provider reads or manages; here, the CRM user the token
# belongs to. restapi_object finds the record in the answer of
# GET /crm/v8/users?type=CurrentUser, then reads GET /crm/v8/users/<id>, whose
# raw answer, {"users": [{...}]}, is api_response.
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
