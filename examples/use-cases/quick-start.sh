# From a clone of this repository, with the client's ZOHO_CLIENT_ID and
# ZOHO_CLIENT_SECRET (and ZOHO_DATA_CENTER, unless it is us) exported.
# With Terraform, type terraform for tofu.

# 1. Once: exchange a grant code for a refresh token.
cd examples/use-cases/bootstrap
tofu init
read -rs TF_VAR_zoho_grant_code && export TF_VAR_zoho_grant_code # paste the code (not echoed)
tofu apply

# 2. Every run: mint an access token and configure another provider with it.
TF_VAR_zoho_refresh_token=$(tofu output -raw refresh_token)
export TF_VAR_zoho_refresh_token
cd ../provider-configuration
tofu init
tofu apply
