# Calls a Zoho API through zoho_api_proxy: neither the other provider nor the
# provisioner ever holds a token, and a run longer than a token's hour keeps
# working, since the proxy adds a fresh token to every request.
#
# Inputs, as environment variables:
#   ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_DATA_CENTER  as for ../bootstrap
#   TF_VAR_zoho_refresh_token  the refresh token (../bootstrap's output, or
#                              your secret store)

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
  type      = string
  sensitive = true
  ephemeral = true
}

# Serves http://127.0.0.1:<port>/<random prefix>/ while the plan or apply
# runs, and forwards to the token's api_domain (www.zohoapis.<tld>).
ephemeral "zoho_api_proxy" "crm" {
  refresh_token = var.zoho_refresh_token
}

# The other provider's base URL is the proxy; it sends no Authorization
# header of its own (one would be dropped anyway).
provider "restapi" {
  uri = trimsuffix(ephemeral.zoho_api_proxy.crm.url, "/")
}

data "restapi_object" "crm_user" {
  path              = "/crm/v8/users"
  query_string      = "type=CurrentUser"
  read_query_string = ""
  results_key       = "users"
  search_key        = "status"
  search_value      = "active"
}

# A provisioner's script gets the proxy's URL, not a token: it may run for
# hours. Its output is hidden (the URL is sensitive), so it writes a file.
resource "terraform_data" "crm_report" {
  provisioner "local-exec" {
    command     = "curl -fsS \"$${ZOHO_API}crm/v8/users?type=CurrentUser\" > crm-report.json"
    environment = { ZOHO_API = ephemeral.zoho_api_proxy.crm.url }
  }
}

output "crm_user_name" {
  value = jsondecode(data.restapi_object.crm_user.api_response).users[0].full_name
}
