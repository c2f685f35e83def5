# Use case: call a Zoho API from a local-exec provisioner with a fresh access
# token that is never written to the plan, the state or the command line.
#
# The refresh token comes in through an ephemeral variable (for example
# TF_VAR_zoho_refresh_token from a secret store); the client and the data
# center come from ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_DATA_CENTER.

terraform {
  required_version = ">= 1.11"

  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}

provider "zoho" {}

variable "zoho_refresh_token" {
  type        = string
  description = "Refresh token of a Zoho CRM user (scope ZohoCRM.users.READ)."
  sensitive   = true
  ephemeral   = true
}

ephemeral "zoho_oauth_access_token" "crm" {
  refresh_token = var.zoho_refresh_token
}

resource "terraform_data" "crm_current_user" {
  # Runs once, at creation; replace it (terraform apply -replace=...) to
  # run it again.
  provisioner "local-exec" {
    # The token reaches the command through its environment only. printf is
    # a shell builtin and curl reads the header from stdin (-H @-), so the
    # token is not in any process's argument list either.
    #
    # Terraform hides the output of a provisioner whose configuration holds
    # an ephemeral or sensitive value: write what you need to keep to a file.
    interpreter = ["/bin/sh", "-c"]
    command     = <<-EOT
      printf 'Authorization: %s\n' "$ZOHO_AUTHORIZATION" |
        curl --silent --show-error --fail-with-body -H @- \
          "$ZOHO_API_DOMAIN/crm/v8/users?type=CurrentUser" >current-user.json
    EOT
    environment = {
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.crm.authorization_header
      ZOHO_API_DOMAIN    = ephemeral.zoho_oauth_access_token.crm.api_domain
    }
  }
}
