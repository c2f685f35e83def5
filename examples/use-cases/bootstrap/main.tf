# Root module 1 of 2, applied once: exchanges a Self Client grant code for a
# refresh token and hands it on through a sensitive output. The refresh token
# lives in this configuration's state: protect it (it is a long-lived secret).
#
# Inputs, as environment variables:
#   ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET  the Self Client (API Console)
#   ZOHO_DATA_CENTER                    where it was registered: eu, in... (default us)
#   TF_VAR_zoho_grant_code              Self Client -> Generate Code (single use,
#                                       valid 3 minutes); needed for the first
#                                       apply only
#
# The access tokens are minted elsewhere (../provider-configuration): a
# provider configured from a refresh token that the same run creates would
# see unknown values at plan time, and most providers refuse them.

terraform {
  required_version = ">= 1.11"

  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}

provider "zoho" {}

variable "zoho_grant_code" {
  type        = string
  description = "Self Client grant code; needed only when the token is created or replaced."
  sensitive   = true
  ephemeral   = true # never written to the plan or the state
  default     = null
}

resource "zoho_oauth_refresh_token" "crm" {
  grant_code_wo         = var.zoho_grant_code
  grant_code_wo_version = 1 # to replace the token: a new code, this number + 1, apply

  lifecycle {
    create_before_destroy = true # the old token is revoked once the new one exists
  }
}

output "refresh_token" {
  description = "The refresh token, for the configurations that mint access tokens from it."
  value       = zoho_oauth_refresh_token.crm.refresh_token
  sensitive   = true
}

output "refresh_token_id" {
  description = "Fingerprint of the refresh token (the first 16 hex digits of its SHA-256), safe to show."
  value       = zoho_oauth_refresh_token.crm.id
}
