# A snippet, not a complete configuration: it leaves out the terraform block
# that requires cd40c554/zoho. Provider functions need Terraform >= 1.8 or
# OpenTofu >= 1.7.
#
# https://www.zohoapis.eu: the API domain Zoho usually answers in the eu data
# center. When you have an access token, prefer the api_domain it comes with.
output "zoho_eu_api_domain" {
  value = provider::zoho::api_domain("eu")
}
