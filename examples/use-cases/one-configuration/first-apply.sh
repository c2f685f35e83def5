# The first apply of examples/use-cases/one-configuration, from that
# directory, with ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET (and ZOHO_DATA_CENTER)
# exported. Later applies are a plain `tofu apply`.
tofu init
read -rs TF_VAR_zoho_grant_code && export TF_VAR_zoho_grant_code # paste the code (not echoed)
tofu apply -target=zoho_oauth_refresh_token.crm # creates the refresh token only
tofu apply                                      # everything else
