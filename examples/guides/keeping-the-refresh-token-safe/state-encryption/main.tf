# ../../../use-cases/bootstrap with OpenTofu's state encryption (OpenTofu >=
# 1.7; an ephemeral variable in it needs >= 1.11): the state, and any plan
# file, are encrypted with a key derived from a passphrase that is itself
# never stored. Without the passphrase, neither can be read, and OpenTofu
# refuses to write them unencrypted (enforced).
#
# Inputs, as environment variables:
#   TF_VAR_state_passphrase  16 characters or more, from your secret store
#   TF_VAR_zoho_grant_code   as for ../../../use-cases/bootstrap
#   ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_DATA_CENTER
#
# Keep the passphrase: a lost passphrase is a lost state (the refresh token
# then survives at Zoho until you revoke it under Connected Apps).

terraform {
  required_version = ">= 1.11"

  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }

  encryption {
    key_provider "pbkdf2" "passphrase" {
      passphrase = var.state_passphrase
    }

    method "aes_gcm" "passphrase" {
      keys = key_provider.pbkdf2.passphrase
    }

    state {
      method   = method.aes_gcm.passphrase
      enforced = true
    }

    plan {
      method   = method.aes_gcm.passphrase
      enforced = true
    }
  }
}

variable "state_passphrase" {
  type        = string
  description = "Passphrase the state's key is derived from (at least 16 characters)."
  sensitive   = true
  ephemeral   = true
}

provider "zoho" {}

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

  lifecycle {
    create_before_destroy = true
  }
}

output "refresh_token" {
  value     = zoho_oauth_refresh_token.crm.refresh_token
  sensitive = true
}

output "refresh_token_id" {
  value = zoho_oauth_refresh_token.crm.id
}
