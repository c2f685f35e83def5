# A snippet, not a complete configuration: the resource block an import adopts
# a token into. It leaves out the terraform block that requires cd40c554/zoho
# and the zoho_grant_code variable (declared as in the example above).
resource "zoho_oauth_refresh_token" "crm" {
  grant_code_wo         = var.zoho_grant_code # may be null until the token is replaced
  grant_code_wo_version = 1
}
