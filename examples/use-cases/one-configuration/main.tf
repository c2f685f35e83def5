# The alternative to ../bootstrap + ../provider-configuration: one root
# module that creates the refresh token and configures another provider from
# it. Its FIRST apply needs two steps (first-apply.sh):
#
#   tofu apply -target=zoho_oauth_refresh_token.crm
#   tofu apply
#
# Until the refresh token exists, the access token cannot be minted at plan
# time: the CLI defers the ephemeral resource ("Deferred due to unknown
# configuration" in OpenTofu, "Configuration unknown, deferring..." in
# Terraform), so the restapi provider would be configured with unknown values,
# which it refuses ("uri must be set to construct an API client"). Once the
# token exists, plain `tofu apply` works, every time.
#
# Destroying has the same problem in reverse: the CLI may configure restapi,
# minting from the refresh token, while it revokes that token (OpenTofu 1.11
# often does, and the destroy then fails once the token is revoked). The
# token cache below avoids that: the destroy reuses the token its plan minted.
#
# Neither step can be avoided in one configuration: prefer two (../bootstrap
# and ../provider-configuration) unless the -target step is acceptable, and
# documented, where you apply.

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

# Client and data center from ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and
# ZOHO_DATA_CENTER.
provider "zoho" {
  # Plan and apply (and destroy) share one access token: fewer tokens minted
  # (Zoho allows about 10 per 10 minutes), and a safe destroy (see above).
  token_cache_dir = pathexpand("~/.cache/zoho-tokens")
}

variable "zoho_grant_code" {
  type        = string
  description = "Self Client grant code; needed only when the token is created or replaced."
  sensitive   = true
  ephemeral   = true
  default     = null
}

resource "zoho_oauth_refresh_token" "crm" {
  grant_code_wo         = var.zoho_grant_code
  grant_code_wo_version = 1
}

ephemeral "zoho_oauth_access_token" "crm" {
  refresh_token = zoho_oauth_refresh_token.crm.refresh_token
}

provider "restapi" {
  uri = ephemeral.zoho_oauth_access_token.crm.api_domain
  headers = {
    Authorization = ephemeral.zoho_oauth_access_token.crm.authorization_header
  }
}

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
