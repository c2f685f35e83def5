# A module whose own logic is tested with a mocked provider
# (tests/mocked.tftest.hcl): no emulator, no grant code, no network. It
# exchanges a grant code for a refresh token, checks the scopes Zoho granted,
# and hands an access token minted from it to a command at apply.

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
}

resource "zoho_oauth_refresh_token" "this" {
  grant_code_wo         = var.grant_code
  grant_code_wo_version = var.grant_code_version

  lifecycle {
    postcondition {
      condition     = length(setsubtract(var.required_scopes, self.scopes)) == 0
      error_message = "Zoho did not grant every scope in required_scopes: generate the code with all of them."
    }
  }
}

ephemeral "zoho_oauth_access_token" "this" {
  refresh_token = zoho_oauth_refresh_token.this.refresh_token
}

# The access token reaches the command through its environment only.
resource "terraform_data" "use_the_token" {
  triggers_replace = zoho_oauth_refresh_token.this.id

  provisioner "local-exec" {
    command     = "test -n \"$ZOHO_AUTHORIZATION\""
    environment = { ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.this.authorization_header }
  }
}

output "refresh_token_id" {
  description = "Fingerprint of the refresh token, safe to show."
  value       = zoho_oauth_refresh_token.this.id
}

output "refresh_token_fingerprint" {
  description = "The same fingerprint, computed by the provider's function (a hash prefix: safe to show)."
  value       = nonsensitive(provider::zoho::fingerprint(zoho_oauth_refresh_token.this.refresh_token))
}
