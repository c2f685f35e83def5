# A module to test offline (tests/credentials.tftest.hcl, run-tests.sh):
# it exchanges a grant code for a refresh token, checks that Zoho granted the
# scopes the caller needs, and proves at apply that an access token minted
# from it works, with one call of the CRM API.
#
# The provider takes its client and accounts server from ZOHO_CLIENT_ID,
# ZOHO_CLIENT_SECRET and ZOHO_ACCOUNTS_URL (or ZOHO_DATA_CENTER): in the
# tests, those of the Zoho emulator.

terraform {
  required_version = ">= 1.11"

  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}

variable "grant_code" {
  type        = string
  description = "Self Client grant code; needed only when the token is created or replaced."
  sensitive   = true
  ephemeral   = true
  default     = null
}

variable "grant_code_version" {
  type        = number
  description = "Increase it, with a new grant_code, to replace the refresh token."
  default     = 1
}

variable "required_scopes" {
  type        = list(string)
  description = "Scopes the refresh token must have, such as ZohoCRM.users.READ."
  default     = ["ZohoCRM.users.READ"]

  validation {
    condition     = alltrue([for s in var.required_scopes : can(regex("^Zoho[A-Za-z]+\\.[A-Za-z.]+$", s))])
    error_message = "Each scope is a Zoho scope name, such as ZohoCRM.users.READ."
  }
}

resource "zoho_oauth_refresh_token" "this" {
  grant_code_wo         = var.grant_code
  grant_code_wo_version = var.grant_code_version

  lifecycle {
    create_before_destroy = true

    postcondition {
      condition     = length(setsubtract(var.required_scopes, self.scopes)) == 0
      error_message = "Zoho did not grant every scope in required_scopes: generate the code with all of them."
    }
  }
}

ephemeral "zoho_oauth_access_token" "this" {
  refresh_token = zoho_oauth_refresh_token.this.refresh_token
}

# A smoke test at apply, again whenever the token is replaced: the token
# reaches curl through the environment and stdin only.
resource "terraform_data" "smoke_test" {
  triggers_replace = zoho_oauth_refresh_token.this.id

  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    command     = <<-EOT
      printf 'Authorization: %s\n' "$ZOHO_AUTHORIZATION" |
        curl --silent --show-error --fail -H @- -o /dev/null \
          "$ZOHO_API_DOMAIN/crm/v8/users?type=CurrentUser"
    EOT
    environment = {
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.this.authorization_header
      ZOHO_API_DOMAIN    = ephemeral.zoho_oauth_access_token.this.api_domain
    }
  }
}

output "refresh_token_id" {
  description = "Fingerprint of the refresh token, safe to show."
  value       = zoho_oauth_refresh_token.this.id
}

output "refresh_token" {
  description = "The refresh token, for the configurations that mint access tokens from it."
  value       = zoho_oauth_refresh_token.this.refresh_token
  sensitive   = true
}

output "scopes" {
  description = "The scopes Zoho granted."
  value       = zoho_oauth_refresh_token.this.scopes
}
