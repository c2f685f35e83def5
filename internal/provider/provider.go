// Package provider is the Terraform glue for Zoho OAuth credentials: schema,
// plan-time validation and diagnostics. The OAuth protocol lives in
// internal/zoho.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
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

// options are the provider's seams for tests: the environment, the clock and
// the retry backoff. Production uses the zero value.
type options struct {
	getenv       func(string) string
	now          func() time.Time
	retryWaitMin time.Duration
	retryWaitMax time.Duration
	// configured is told of every Configure: tests count provider
	// "processes" (each CLI command configures the provider anew).
	configured func()
}

func (o options) withDefaults() options {
	if o.getenv == nil {
		o.getenv = os.Getenv
	}
	if o.now == nil {
		o.now = machineClock
	}
	return o
}

// machineClock is the clock of a provider process: time.Now, except in
// builds for the fleet tests (testclock.go), which skew it as a machine
// whose clock is off would be.
var machineClock = time.Now

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
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withMasking(ctx, cfg.ClientSecret.ValueString(), p.opts.getenv(envClientSecret))
	data, diags := p.newProviderData(cfg, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	s := data.settings
	tflog.Debug(ctx, "configured Zoho provider", map[string]any{
		"accounts_url": s.accountsURL.value, "accounts_url_source": s.accountsURL.source,
		"client_id_set": s.clientID.value != "", "client_secret_set": s.clientSecret.value != "",
		"request_timeout": s.requestTimeout.value.String(), "max_retries": s.maxRetries.value,
		"token_cache_dir": s.tokenCacheDir.value, "unknown_settings": strings.Join(s.pending(), ","),
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
	return []func() ephemeral.EphemeralResource{newAccessTokenEphemeral}
}

// Functions need Terraform >= 1.8 or OpenTofu >= 1.7; older CLIs ignore them.
func (p *zohoProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{newFingerprintFunction, newAccountsURLFunction, newAPIDomainFunction}
}

// providerDataFrom is every resource kind's Configure: before the provider
// is configured (validation) there is no data yet, and that is fine.
func providerDataFrom(v any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if v == nil {
		return nil, diags
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data", fmt.Sprintf("Expected *providerData, got %T. Please report this bug.", v))
	}
	return data, diags
}

func dataCenterList() string {
	codes := zoho.DataCenterCodes()
	for i, c := range codes {
		codes[i] = "`" + c + "`"
	}
	return strings.Join(codes, ", ")
}
