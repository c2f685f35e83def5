# Terraform >= 1.5 and OpenTofu >= 1.6: import with a block, then
# `terraform plan` shows the import and `terraform apply` performs it.
# ZOHO_REFRESH_TOKEN must be set in the environment of that run.
#
# A snippet, not a complete configuration: it needs the resource block the
# token is imported into, resource "zoho_oauth_refresh_token" "crm" (see
# "Limitations of Import" for what that block may say).
import {
  to = zoho_oauth_refresh_token.crm
  id = "env:ZOHO_REFRESH_TOKEN"
}
