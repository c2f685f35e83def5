# ILLUSTRATION, NOT APPLIED BY THE PROVIDER'S TESTS: they run offline, where
# no secrets manager provider or server is available. Checked there: that it
# parses and is formatted. The vault_kv_secret_v2 arguments are those of
# hashicorp/vault >= 5.0 (data_json_wo, data_json_wo_version).
#
# A snippet, not a complete configuration: it extends
# ../../../use-cases/bootstrap (the zoho_oauth_refresh_token "crm" and its
# variable), and leaves out the vault provider's configuration.
#
# The bootstrap configuration hands the refresh token to the configurations
# that use it. Instead of a sensitive output, put it in your secrets manager
# through a write-only argument: it is sent to Vault, and never written to the
# plan or to this write-only argument's place in the state. Tie the argument's
# version to the token's: rotating the token (a new code, the next
# grant_code_wo_version) writes the new token to Vault in the same apply.
resource "vault_kv_secret_v2" "zoho_refresh_token" {
  mount = "secret"
  name  = "zoho/crm"

  data_json_wo = jsonencode({
    refresh_token = zoho_oauth_refresh_token.crm.refresh_token
    client_id     = zoho_oauth_refresh_token.crm.client_id
    accounts_url  = zoho_oauth_refresh_token.crm.accounts_url
  })
  data_json_wo_version = zoho_oauth_refresh_token.crm.grant_code_wo_version
}
