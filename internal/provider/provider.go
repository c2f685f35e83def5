// Package provider is the Terraform glue for Zoho OAuth credentials: schema,
// plan-time validation and diagnostics. The OAuth protocol lives in
// internal/zoho.
package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// Environment variables, one per provider setting, for CI.
const (
	envClientID       = "ZOHO_CLIENT_ID"
	envClientSecret   = "ZOHO_CLIENT_SECRET"
	envDataCenter     = "ZOHO_DATA_CENTER"
	envAccountsURL    = "ZOHO_ACCOUNTS_URL"
	envRequestTimeout = "ZOHO_REQUEST_TIMEOUT"
	envMaxRetries     = "ZOHO_MAX_RETRIES"
	envTokenCacheDir  = "ZOHO_TOKEN_CACHE_DIR"
)

const maxRetriesLimit = 10

var (
	_ provider.Provider                       = (*zohoProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*zohoProvider)(nil)
)

type zohoProvider struct {
	version string
	opts    options
}

type providerModel struct {
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	DataCenter     types.String `tfsdk:"data_center"`
	AccountsURL    types.String `tfsdk:"accounts_url"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	TokenCacheDir  types.String `tfsdk:"token_cache_dir"`
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
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Client ID of the Zoho OAuth client (API Console → your client, for example " +
					"a Self Client). Also `" + envClientID + "`. Optional here when every resource sets its own.",
				Validators: []validator.String{credentialValidator{}},
			},
			"client_secret": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "Client secret of that client. Also `" + envClientSecret + "`. May come from an " +
					"ephemeral value (for example a secret manager's ephemeral resource).",
				Validators: []validator.String{credentialValidator{}},
			},
			"data_center": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Zoho data center where the client was registered: " + dataCenterList() +
					". Defaults to `us`. Also `" + envDataCenter + "`. A client exists in one data center only: " +
					"a wrong one answers `invalid_client`.",
				Validators: []validator.String{
					dataCenterValidator(),
					stringvalidator.ConflictsWith(path.MatchRoot("accounts_url")),
				},
			},
			"accounts_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Accounts server URL, overriding `data_center` (for a data center this provider " +
					"does not list yet, or a local emulator). Must be `https://`, except loopback hosts " +
					"(`127.0.0.0/8`, `::1`, `localhost`), which may use `http://`. Also `" + envAccountsURL + "`.",
				Validators: []validator.String{accountsURLValidator{}},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Time limit of every HTTP attempt, as a Go duration such as `30s` or `1m`. " +
					"Defaults to `30s`. Also `" + envRequestTimeout + "`.",
				Validators: []validator.String{durationValidator{}},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many times a failed request that is safe to repeat (refresh, "+
					"client credentials, revoke: network errors and 5xx answers) is retried, with exponential backoff "+
					"and jitter. Defaults to `%d`; at most `%d`. A grant code exchange is never repeated once it may "+
					"have reached Zoho, since a code works only once. Also `%s`.", zoho.DefaultMaxRetries, maxRetriesLimit, envMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, maxRetriesLimit)},
			},
			"token_cache_dir": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Directory for an opt-in, encrypted cache of access tokens shared by provider " +
					"processes (`plan` and `apply` are separate processes), so a plan followed by an apply mints one " +
					"access token instead of two. Entries are files of mode `0600`, sealed with AES-GCM under a key " +
					"derived from the refresh token and client secret. Created (mode `0700`) if missing. Also `" +
					envTokenCacheDir + "`.",
			},
		},
	}
}

func (p *zohoProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = withMasking(ctx, cfg.ClientSecret.ValueString(), p.opts.getenv(envClientSecret))
	data, diags := p.resolveSettings(cfg, req.TerraformVersion)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "configured Zoho provider", map[string]any{
		"accounts_url": data.accountsURL.value, "accounts_url_source": data.accountsURL.source,
		"client_id_set": data.clientID.value != "", "client_secret_set": data.clientSecret.value != "",
		"request_timeout": data.requestTimeout.String(), "max_retries": data.maxRetries,
		"token_cache_dir": data.tokenCacheDir, "unknown_settings": strings.Join(data.unknown, ","),
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
