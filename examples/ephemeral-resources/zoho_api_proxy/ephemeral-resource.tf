# Terraform >= 1.10 or OpenTofu >= 1.11. The proxy runs in the provider's
# process while the plan or apply runs; nothing of it, and no token, is
# written to the plan or the state.
#
# A snippet, not a complete configuration: it leaves out the terraform block
# that requires cd40c554/zoho (the provider takes its client from ZOHO_*).

variable "zoho_refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Requests to url go to the token's api_domain (or to upstream, when set),
# each with a fresh access token: minted again before min_token_lifetime,
# and once more if Zoho answers that a token is invalid. A run longer than
# a token's hour keeps working.
ephemeral "zoho_api_proxy" "crm" {
  refresh_token = var.zoho_refresh_token
}

# A provisioner calls the API with no token in its environment or on any
# command line: the proxy adds it.
resource "terraform_data" "crm_users" {
  provisioner "local-exec" {
    command     = "curl -fsS \"$${ZOHO_API}crm/v8/users?type=CurrentUser\""
    environment = { ZOHO_API = ephemeral.zoho_api_proxy.crm.url }
  }
}

# For another product's API of the same data center, set upstream:
#   upstream = "https://desk.zoho.com"
