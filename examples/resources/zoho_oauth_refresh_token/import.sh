# Adopt an existing refresh token. The import ID names an environment variable
# holding the token, so the token is never on a command line or in the shell
# history. The provider verifies it with one refresh before importing it.
# A snippet, not a complete configuration: the configuration it runs in must
# hold the resource block the token is imported into, as for an import block.
read -rsp 'Zoho refresh token: ' ZOHO_REFRESH_TOKEN && export ZOHO_REFRESH_TOKEN
terraform import zoho_oauth_refresh_token.crm env:ZOHO_REFRESH_TOKEN
