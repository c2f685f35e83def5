# A refresh token from a server-based client's code (the redirect flow),
# instead of a Self Client's. The code arrives at your redirect URI as
# ?code=...&location=eu&accounts-server=https%3A%2F%2Faccounts.zoho.eu: the
# accounts server it names is where it must be exchanged, within 2 minutes.
#
# Inputs, as environment variables:
#   ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET  the server-based client (API Console)
#   ZOHO_DATA_CENTER                    the code's location (default us)
#   TF_VAR_zoho_grant_code              the code from the redirect
#   TF_VAR_zoho_redirect_uri            the Authorized Redirect URI the code
#                                       was generated with

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
  type      = string
  sensitive = true
  ephemeral = true
  default   = null
}

variable "zoho_redirect_uri" {
  type        = string
  description = "The redirect URI registered for the client and used in the authorization URL."
}

resource "zoho_oauth_refresh_token" "web" {
  grant_code_wo         = var.zoho_grant_code
  grant_code_wo_version = 1
  redirect_uri          = var.zoho_redirect_uri
}

output "refresh_token_id" {
  value = zoho_oauth_refresh_token.web.id
}
