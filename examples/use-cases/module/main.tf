# Use case: a reusable module that takes a refresh token and returns nothing
# secret. The root creates the refresh token and hands it to the module.

terraform {
  required_version = ">= 1.11"

  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}

# Client and data center from ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and
# ZOHO_DATA_CENTER; the module inherits this configuration.
provider "zoho" {}

variable "zoho_grant_code" {
  type        = string
  description = "Self Client grant code, needed when the refresh token is created or replaced."
  sensitive   = true
  ephemeral   = true
  default     = null
}

resource "zoho_oauth_refresh_token" "crm" {
  grant_code_wo         = var.zoho_grant_code
  grant_code_wo_version = 1
}

module "crm_access" {
  source = "./modules/zoho-access"

  refresh_token = zoho_oauth_refresh_token.crm.refresh_token
}

output "checked_refresh_token_id" {
  # Equal to zoho_oauth_refresh_token.crm.id.
  value = module.crm_access.refresh_token_id
}
