# Use case: many CI pipelines on one refresh token. Each pipeline plans on
# one runner (plan.sh) and applies the saved plan on another (apply.sh):
# github-actions.yml and gitlab-ci.yml run them.
#
# Every job of the fleet runs on a fresh runner, so token_cache_dir cannot
# help between jobs: each would mint its own access token, and Zoho allows
# about 10 per refresh token per 10 minutes and keeps about 15 alive. With
# ZOHO_TOKEN_CACHE_URL set to one bucket prefix for the whole fleet, the jobs
# share one access token: the first job that misses mints it and publishes it
# (sealed: the bucket never holds a usable token), the others read it.
#
# Everything comes from the environment (see plan.sh): ZOHO_CLIENT_ID,
# ZOHO_CLIENT_SECRET, ZOHO_DATA_CENTER, ZOHO_TOKEN_CACHE_URL, and the refresh
# token as TF_VAR_zoho_refresh_token.

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

variable "zoho_refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "zoho" {}

ephemeral "zoho_oauth_access_token" "ci" {
  refresh_token = var.zoho_refresh_token
}

provider "restapi" {
  uri = ephemeral.zoho_oauth_access_token.ci.api_domain
  headers = {
    Authorization = ephemeral.zoho_oauth_access_token.ci.authorization_header
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
