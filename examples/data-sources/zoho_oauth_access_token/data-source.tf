# WARNING: a data source's arguments and results are stored in state. The
# refresh token given to it (which never expires) and the access token it
# mints (valid an hour) are marked sensitive but readable, in the clear, by
# anyone who can read the state. On Terraform >= 1.10 or OpenTofu >= 1.11
# use the `zoho_oauth_access_token` ephemeral resource, which stores nothing.
#
# A snippet, not a complete configuration: it leaves out the terraform block
# that requires cd40c554/zoho (the provider takes its client from ZOHO_*).
data "zoho_oauth_access_token" "crm" {
  refresh_token = var.zoho_refresh_token
}

variable "zoho_refresh_token" {
  type      = string
  sensitive = true
}

# For example in a provisioner, through its environment (never in the command).
resource "terraform_data" "crm_current_user" {
  provisioner "local-exec" {
    # printf is a shell builtin and curl reads the header from stdin, so the
    # token is on no command line.
    command = "printf 'Authorization: %s\\n' \"$ZOHO_AUTH\" | curl -fsS -H @- \"$ZOHO_API/crm/v8/users?type=CurrentUser\""
    environment = {
      ZOHO_AUTH = data.zoho_oauth_access_token.crm.authorization_header
      ZOHO_API  = data.zoho_oauth_access_token.crm.api_domain
    }
  }
}

# Not secret. (Not expires_at: it changes at every read, so every plan would
# show a change to the output.)
output "zoho_api_domain" {
  value = data.zoho_oauth_access_token.crm.api_domain
}
