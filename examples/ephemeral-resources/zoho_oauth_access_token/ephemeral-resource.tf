# Terraform >= 1.10 or OpenTofu >= 1.11. The token exists only while the
# plan or apply runs: it is never written to the plan or the state.
#
# A snippet, not a complete configuration: it leaves out the terraform block
# that requires cd40c554/zoho (the provider takes its client from ZOHO_*).

# From a refresh token in an ephemeral variable: TF_VAR_zoho_refresh_token,
# from the output of the configuration that holds the
# zoho_oauth_refresh_token, or from a secret store.
variable "zoho_refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "zoho_oauth_access_token" "crm" {
  refresh_token = var.zoho_refresh_token
}

# Self Client only: the client credentials grant needs no refresh token.
ephemeral "zoho_oauth_access_token" "reports" {
  scopes = ["ZohoCRM.modules.READ", "ZohoCRM.users.READ"]

  # Only for a client that belongs to several organisations: which one.
  soid = "ZohoCRM.12345678"
}

# Ephemeral values go where Terraform accepts them: provider blocks,
# provisioner and connection blocks, write-only arguments, ephemeral
# variables, locals and outputs. `authorization_header` is the
# "Zoho-oauthtoken <token>" header Zoho's APIs expect, and `api_domain` is
# where to send them (it names the right data center).
resource "terraform_data" "crm_current_user" {
  provisioner "local-exec" {
    # printf is a shell builtin and curl reads the header from stdin, so the
    # token is on no command line.
    command = "printf 'Authorization: %s\\n' \"$ZOHO_AUTH\" | curl -fsS -H @- \"$ZOHO_API/crm/v8/users?type=CurrentUser\""
    environment = {
      ZOHO_AUTH = ephemeral.zoho_oauth_access_token.crm.authorization_header
      ZOHO_API  = ephemeral.zoho_oauth_access_token.crm.api_domain
    }
  }
}

resource "terraform_data" "crm_reports" {
  provisioner "local-exec" {
    command = "printf 'Authorization: %s\\n' \"$ZOHO_AUTH\" | curl -fsS -H @- \"$ZOHO_API/crm/v8/users?type=CurrentUser\""
    environment = {
      ZOHO_AUTH = ephemeral.zoho_oauth_access_token.reports.authorization_header
      ZOHO_API  = ephemeral.zoho_oauth_access_token.reports.api_domain
    }
  }
}
