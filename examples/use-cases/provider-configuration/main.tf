# Use case: configure another provider with a Zoho access token. The token
# never lands in the plan or the state. It is minted during the plan and again
# during the apply (two provider processes), unless ZOHO_TOKEN_CACHE_DIR lets
# the apply reuse the plan's token.
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

# Client, data center and (optionally) ZOHO_TOKEN_CACHE_DIR from the
# environment.
provider "zoho" {}

variable "zoho_refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "zoho_oauth_access_token" "crm" {
  refresh_token = var.zoho_refresh_token
}

provider "restapi" {
  # api_domain names the data center's API host (https://www.zohoapis.eu, ...).
  uri = ephemeral.zoho_oauth_access_token.crm.api_domain
  headers = {
    Authorization = ephemeral.zoho_oauth_access_token.crm.authorization_header
  }
}

# Whatever the other provider reads or manages; here, the CRM user the token
# belongs to (GET /crm/v8/users?type=CurrentUser, then /crm/v8/users/<id>).
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
