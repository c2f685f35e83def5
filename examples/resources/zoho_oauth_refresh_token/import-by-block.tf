# Terraform >= 1.5 and OpenTofu >= 1.5: import with a block, then
# `terraform plan` shows the import and `terraform apply` performs it.
# ZOHO_REFRESH_TOKEN must be set in the environment of that run.
import {
  to = zoho_oauth_refresh_token.crm
  id = "env:ZOHO_REFRESH_TOKEN"
}
