# A snippet, not a complete configuration: it leaves out the terraform block
# that requires cd40c554/zoho. Provider functions need Terraform >= 1.8 or
# OpenTofu >= 1.7.
variable "zoho_data_center" {
  type    = string
  default = "eu"
}

# https://accounts.zoho.eu: where the provider sends OAuth requests for
# data_center = "eu".
output "zoho_accounts_url" {
  value = provider::zoho::accounts_url(var.zoho_data_center)
}
