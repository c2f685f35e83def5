# Terraform >= 1.11 and OpenTofu >= 1.11: the grant code is write-only, so it
# never reaches the plan or the state.
#
# A snippet, not a complete configuration: it leaves out the terraform block
# that requires cd40c554/zoho (the provider takes its client from ZOHO_*).
#
# Generate the code in the API Console (Self Client → Generate Code) and apply
# within its lifetime (3 minutes by default), for example with
#   read -rs TF_VAR_zoho_grant_code && export TF_VAR_zoho_grant_code
#   terraform apply
variable "zoho_grant_code" {
  type      = string
  sensitive = true
  ephemeral = true
  # Only needed when the token is created or replaced.
  default = null
}

resource "zoho_oauth_refresh_token" "crm" {
  grant_code_wo = var.zoho_grant_code

  # To replace the token: generate a new code, bump this number, apply.
  grant_code_wo_version = 1

  lifecycle {
    # Exchange the new code before revoking the old token, so an expired
    # code never leaves you without a working token.
    create_before_destroy = true
  }
}

output "zoho_refresh_token_id" {
  # A fingerprint of the token, safe to show; the token itself is sensitive.
  value = zoho_oauth_refresh_token.crm.id
}

# CLIs without write-only arguments: `grant_code` is stored in state (harmless
# once used: a code works once), so prefer `grant_code_wo` where you can.
variable "zoho_legacy_grant_code" {
  type      = string
  sensitive = true
  default   = null
}

resource "zoho_oauth_refresh_token" "legacy" {
  grant_code = var.zoho_legacy_grant_code

  # Keep the token when this resource is destroyed (it is revoked by default).
  revoke_on_destroy = false

  # The code is needed once: later runs may leave the variable unset (null).
  # The next apply then only drops the spent code from state (an in-place
  # update) and keeps the token. Setting a new code replaces the token.
}
