package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// newAccountsURLFunction is provider::zoho::accounts_url.
func newAccountsURLFunction() function.Function {
	return dataCenterFunction{
		name:    "accounts_url",
		summary: "Accounts server URL of a Zoho data center",
		description: "Returns the accounts server URL of a Zoho data center (for example `https://accounts.zoho.eu` " +
			"for `eu`): the URL the provider uses for that `data_center`, where OAuth clients, grant codes and " +
			"tokens live, without a trailing slash.",
		url: func(dc zoho.DataCenter) string { return dc.AccountsURL },
	}
}
