package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// newAPIDomainFunction is provider::zoho::api_domain.
func newAPIDomainFunction() function.Function {
	return dataCenterFunction{
		name:    "api_domain",
		summary: "Usual API domain of a Zoho data center",
		description: "Returns the API domain Zoho usually answers for a data center (for example " +
			"`https://www.zohoapis.eu` for `eu`), without a trailing slash. The `api_domain` a token comes with " +
			"is authoritative (it can differ per product): prefer it when you have a token.",
		url: func(dc zoho.DataCenter) string { return dc.APIDomain },
	}
}
