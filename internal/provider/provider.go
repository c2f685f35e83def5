// Package provider is the Terraform glue for Zoho OAuth credentials: schema,
// plan-time validation and diagnostics. The OAuth protocol lives in
// internal/zoho.
package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ provider.Provider                       = (*zohoProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*zohoProvider)(nil)
	_ provider.ProviderWithFunctions          = (*zohoProvider)(nil)
)

type zohoProvider struct {
	version string
	opts    options
}

// New returns the provider factory that main.go serves.
func New(version string) func() provider.Provider {
	return newWithOptions(version, options{})
}

func newWithOptions(version string, opts options) func() provider.Provider {
	return func() provider.Provider { return &zohoProvider{version: version, opts: opts.withDefaults()} }
}

func (p *zohoProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "zoho"
	resp.Version = p.version
}

func (p *zohoProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Turns Zoho OAuth grant codes into refresh tokens and mints short-lived access tokens, " +
			"so that nobody pastes Zoho tokens by hand. Every setting can also come from a `ZOHO_*` environment " +
			"variable; a value in this block wins over the environment. Resources can override the client and " +
			"the data center for themselves.",
		Attributes: providerAttributes(),
	}
}

func (p *zohoProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	cfg := providerConfig{}
	for name, a := range providerAttributes() {
		var v attr.Value = types.StringNull()
		if _, integer := a.(schema.Int64Attribute); integer {
			v = types.Int64Null()
		}
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &v)...)
		cfg[name] = v
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withMasking(ctx, cfg.text(clientSecretSetting.attr).ValueString(), p.opts.getenv(clientSecretSetting.env))
	data, diags := newProviderData(p.opts, p.version, cfg, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	s := data.settings
	location := locationSetting.of(s)
	tflog.Debug(ctx, "configured Zoho provider", map[string]any{
		"accounts_url": location.value, "accounts_url_source": location.source,
		"client_id_set": clientIDSetting.of(s).value != "", "client_secret_set": clientSecretSetting.of(s).value != "",
		"request_timeout": requestTimeoutSetting.of(s).value.String(), "max_retries": maxRetriesSetting.of(s).value,
		"token_cache_dir": tokenCacheDirSetting.of(s).value, "unknown_settings": strings.Join(s.pending(), ","),
	})
	resp.DataSourceData = data
	resp.ResourceData = data
	// The framework does not copy ResourceData to ephemeral resources.
	resp.EphemeralResourceData = data
	if p.opts.configured != nil {
		p.opts.configured()
	}
}

func (p *zohoProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newRefreshTokenResource}
}

func (p *zohoProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newAccessTokenDataSource}
}

func (p *zohoProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newAccessTokenEphemeral, newAPIProxyEphemeral}
}

// Functions need Terraform >= 1.8 or OpenTofu >= 1.7; older CLIs ignore them.
func (p *zohoProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{newFingerprintFunction, newAccountsURLFunction, newAPIDomainFunction}
}
