# Rotate the refresh token of examples/use-cases/bootstrap, from that
# directory, after increasing grant_code_wo_version in main.tf (1 -> 2).
# ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET (and ZOHO_DATA_CENTER) exported.
read -rs TF_VAR_zoho_grant_code && export TF_VAR_zoho_grant_code # paste the NEW code (not echoed)
tofu apply                                                       # creates the new token, then revokes the old one
tofu output -raw refresh_token_id                                # the new token's fingerprint
