package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/ephemeralvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// grantEphemeral is what the ephemeral resources that mint from a grant
// (the access token, the API proxy) share: the provider's data, and the
// per-block data_center and accounts_url, one or the other.
type grantEphemeral struct {
	data *providerData
}

func (r *grantEphemeral) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		ephemeralvalidator.Conflicting(path.MatchRoot("data_center"), path.MatchRoot("accounts_url")),
	}
}

func (r *grantEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	var diags diag.Diagnostics
	r.data, diags = providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}
