# The configuration `make demo` applies (internal/cmd/demo), against the Zoho
# accounts emulator on loopback. It reads ZOHO_ACCOUNTS_URL, ZOHO_CLIENT_ID
# and ZOHO_CLIENT_SECRET from the environment, and the Self Client grant code
# from TF_VAR_grant_code.

terraform {
  required_version = ">= 1.11"

  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}

provider "zoho" {}

variable "grant_code" {
  type        = string
  description = "Self Client grant code (single use, valid a few minutes)."
  sensitive   = true
  ephemeral   = true
  default     = null
}

# 1. Exchange the grant code for a refresh token. The code is write-only: it
#    never reaches the plan or the state.
resource "zoho_oauth_refresh_token" "demo" {
  grant_code_wo         = var.grant_code
  grant_code_wo_version = 1
}

# 2. Mint an access token from it, for this run only (never stored).
ephemeral "zoho_oauth_access_token" "demo" {
  refresh_token = zoho_oauth_refresh_token.demo.refresh_token
}

# 3. Call the CRM API with it. The token travels through the environment and
#    stdin, never the command line. Terraform hides the output of a
#    provisioner whose configuration holds an ephemeral value, so the result
#    goes to api-call.log (internal/cmd/demo prints it).
resource "terraform_data" "crm_current_user" {
  triggers_replace = zoho_oauth_refresh_token.demo.id

  provisioner "local-exec" {
    interpreter = ["/bin/bash", "-c"]
    command     = <<-EOT
      set -euo pipefail
      exec >api-call.log 2>&1
      if ! body=$(printf 'Authorization: %s\n' "$ZOHO_AUTHORIZATION" |
        curl --silent --show-error --fail-with-body -H @- \
          "$ZOHO_API_DOMAIN/crm/v8/users?type=CurrentUser"); then
        echo "Zoho API call failed: $body"
        exit 1
      fi
      name=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["users"][0]["full_name"])' <<<"$body")
      echo "Zoho API call succeeded as $name"
    EOT
    environment = {
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.demo.authorization_header
      ZOHO_API_DOMAIN    = ephemeral.zoho_oauth_access_token.demo.api_domain
    }
  }
}

output "refresh_token_id" {
  description = "Fingerprint of the refresh token (first 16 hex digits of its SHA-256)."
  value       = zoho_oauth_refresh_token.demo.id
}

output "api_domain" {
  value = zoho_oauth_refresh_token.demo.api_domain
}

output "scopes" {
  value = zoho_oauth_refresh_token.demo.scopes
}

output "created_at" {
  value = zoho_oauth_refresh_token.demo.created_at
}
