# Module zoho-access: checks that a Zoho refresh token works, by calling the
# CRM API with a fresh access token, and tells which token it checked.
#
# The refresh token goes in; nothing secret comes out. The access token is
# ephemeral: it lives in this module only while Terraform runs, and reaches
# the provisioner through its environment, never the plan or the state.
#
# The module uses the caller's zoho provider configuration (client, data
# center, token cache).

terraform {
  required_version = ">= 1.11"

  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}

variable "refresh_token" {
  type        = string
  description = "Zoho refresh token to check, for example zoho_oauth_refresh_token.x.refresh_token."
  sensitive   = true
  nullable    = false
}

variable "check_path" {
  type        = string
  description = "API path (on the token's api_domain) that must answer 2xx."
  default     = "/crm/v8/users?type=CurrentUser"
}

locals {
  # The same fingerprint zoho_oauth_refresh_token uses as its id: the first
  # 16 hex digits of the token's SHA-256. It names the token without
  # revealing it, so it may leave the module as a plain value.
  refresh_token_id = nonsensitive(substr(sha256(var.refresh_token), 0, 16))
}

ephemeral "zoho_oauth_access_token" "this" {
  refresh_token = var.refresh_token
}

resource "terraform_data" "check" {
  # Check again whenever the token (or what is checked) changes.
  triggers_replace = [local.refresh_token_id, var.check_path]

  provisioner "local-exec" {
    # Output is hidden by Terraform (the environment holds ephemeral values);
    # a failed call fails the apply.
    interpreter = ["/bin/sh", "-c"]
    command     = <<-EOT
      printf 'Authorization: %s\n' "$ZOHO_AUTHORIZATION" |
        curl --silent --show-error --fail --output /dev/null -H @- "$ZOHO_API_DOMAIN$CHECK_PATH"
    EOT
    environment = {
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.this.authorization_header
      ZOHO_API_DOMAIN    = ephemeral.zoho_oauth_access_token.this.api_domain
      CHECK_PATH         = var.check_path
    }
  }
}

output "refresh_token_id" {
  description = "Fingerprint of the checked refresh token (not secret)."
  value       = local.refresh_token_id
}

output "check_id" {
  description = "ID of the last successful check; changes whenever the check runs again."
  value       = terraform_data.check.id
}

# Values of the ephemeral access token (even api_domain or expires_at) could
# leave this module only as `ephemeral = true` outputs, usable by the caller
# in provider blocks and provisioners but not in root outputs; this module
# needs none.
