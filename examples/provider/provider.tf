# A snippet, not a complete configuration: it leaves out the terraform block
# that requires cd40c554/zoho, and the resources that use the provider.
#
# Every setting can also come from the environment, which is the usual way in
# CI: ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_DATA_CENTER, ZOHO_ACCOUNTS_URL,
# ZOHO_REQUEST_TIMEOUT, ZOHO_MAX_RETRIES, ZOHO_TOKEN_CACHE_DIR,
# ZOHO_TOKEN_CACHE_URL and ZOHO_MIN_TOKEN_LIFETIME. A value set in this block
# wins over its environment variable.
provider "zoho" {
  # The data center where the client was registered in the API Console
  # (us, eu, in, au, jp, cn, ca, sa or uk). Defaults to "us".
  data_center = "eu"

  client_id     = var.zoho_client_id
  client_secret = var.zoho_client_secret

  # Optional: share access tokens between provider processes (plan and apply
  # are two), so a plan followed by an apply asks Zoho for one token, not two.
  # Entries are encrypted; the directory is created with mode 0700.
  token_cache_dir = pathexpand("~/.cache/zoho-tokens")
}

variable "zoho_client_id" {
  type        = string
  description = "Client ID from the Zoho API Console (Self Client or server-based client)."
}

variable "zoho_client_secret" {
  type        = string
  description = "Client secret of that client."
  sensitive   = true
  # Ephemeral (Terraform >= 1.10, OpenTofu >= 1.11): the secret is never
  # written to the plan file or state.
  ephemeral = true
}
