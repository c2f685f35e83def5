# A snippet, not a complete configuration: it leaves out the terraform block
# that requires cd40c554/zoho. Provider functions need Terraform >= 1.8 or
# OpenTofu >= 1.7.
variable "zoho_refresh_token" {
  type      = string
  sensitive = true
}

# The token's fingerprint is the id that zoho_oauth_refresh_token gives it:
# it names the token without revealing it. The result of a sensitive
# argument is sensitive too; nonsensitive() says that showing it is fine.
output "zoho_refresh_token_fingerprint" {
  value = nonsensitive(provider::zoho::fingerprint(var.zoho_refresh_token))
}
