package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

var (
	_ datasource.DataSourceWithConfigure        = (*accessTokenDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig   = (*accessTokenDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*accessTokenDataSource)(nil)
)

// accessTokenDataSource is the ephemeral resource's twin for CLIs without
// ephemeral resources. Its token lands in state, in the clear.
type accessTokenDataSource struct {
	data *providerData
}

func newAccessTokenDataSource() datasource.DataSource { return &accessTokenDataSource{} }

func (d *accessTokenDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_access_token"
}

func (d *accessTokenDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "~> **This data source stores the access token, and its `refresh_token` and `client_secret` inputs, in state and in saved plan files** (marked sensitive, but readable by anyone who can read them). " +
			"Prefer the `zoho_oauth_access_token` **ephemeral resource**, which stores nothing (Terraform >= 1.10, OpenTofu >= 1.11); use this " +
			"data source only on older CLIs.\n\n" +
			"Mints a Zoho access token from a refresh token, or with the Self Client client credentials grant, whenever Terraform reads it " +
			"(every plan and refresh; an apply of a saved plan reuses the plan's token). " +
			"Instances with the same credentials share one token per provider process; the provider's `token_cache_dir` shares it between processes, " +
			"and `token_cache_url` between machines.",
		Attributes: dataSourceAttributes(),
	}
}

func (d *accessTokenDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(path.MatchRoot("data_center"), path.MatchRoot("accounts_url")),
	}
}

func (d *accessTokenDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateGrantChoice(ctx, req.Config)...)
}

func (d *accessTokenDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *accessTokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m accessTokenModel
	resp.Diagnostics.Append(getModel(ctx, req.Config, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = d.data.withMasking(ctx, m.RefreshToken.ValueString(), m.ClientSecret.ValueString())
	minted, diags := mintAccessToken(ctx, d.data, &m.grantInputs, false)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	ctx = alsoMasking(ctx, minted.token.AccessToken)
	m.fill(ctx, minted.token, d.data.now())
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &m)...)
}
