# One CI job of the fleet simulation (bench/fleet): the access token is
# used at plan time (restapi reads the current CRM user, as
# examples/use-cases/ci does) and again at apply time (a provisioner calls
# the same API, as examples/use-cases/provisioner does). A token that Zoho
# refused to mint, or killed since, fails the job in the phase that used it.

terraform {
  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
    restapi = {
      source = "mastercard/restapi"
    }
  }
}

# Everything else comes from ZOHO_* variables the driver sets: the client,
# the accounts URL, token_cache_dir and (in the shared runs) token_cache_url.
provider "zoho" {}

variable "zoho_refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "zoho_oauth_access_token" "ci" {
  refresh_token = var.zoho_refresh_token
}

provider "restapi" {
  uri = ephemeral.zoho_oauth_access_token.ci.api_domain
  headers = {
    Authorization = ephemeral.zoho_oauth_access_token.ci.authorization_header
  }
}

# Plan: a data source read with the token.
data "restapi_object" "crm_user" {
  path              = "/crm/v8/users"
  query_string      = "type=CurrentUser"
  read_query_string = ""
  results_key       = "users"
  search_key        = "status"
  search_value      = "active"
}

# Apply: the deployment step, with the token again. curl fails (exit 22) on
# Zoho's 401 for a dead token, and that fails the apply. The answer goes to
# a file: Terraform hides the output of a provisioner fed an ephemeral value.
resource "terraform_data" "deploy" {
  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    command     = <<-EOT
      printf 'Authorization: %s\n' "$ZOHO_AUTHORIZATION" |
        curl --silent --show-error --fail-with-body -H @- \
          "$ZOHO_API_DOMAIN/crm/v8/users?type=CurrentUser" >apply-api-call.json
    EOT
    environment = {
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.ci.authorization_header
      ZOHO_API_DOMAIN    = ephemeral.zoho_oauth_access_token.ci.api_domain
    }
  }
}
