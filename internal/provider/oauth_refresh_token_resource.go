package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

var (
	_ resource.ResourceWithConfigure        = (*refreshTokenResource)(nil)
	_ resource.ResourceWithImportState      = (*refreshTokenResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*refreshTokenResource)(nil)
	_ resource.ResourceWithConfigValidators = (*refreshTokenResource)(nil)
)

// importFromEnvPrefix marks an import ID that names an environment variable,
// so the refresh token is never typed on a command line.
const importFromEnvPrefix = "env:"

type refreshTokenResource struct {
	data *providerData
}

type refreshTokenModel struct {
	ID                 types.String `tfsdk:"id"`
	GrantCode          types.String `tfsdk:"grant_code"`
	GrantCodeWO        types.String `tfsdk:"grant_code_wo"`
	GrantCodeWOVersion types.Int64  `tfsdk:"grant_code_wo_version"`
	RedirectURI        types.String `tfsdk:"redirect_uri"`
	ClientID           types.String `tfsdk:"client_id"`
	ClientSecret       types.String `tfsdk:"client_secret"`
	DataCenter         types.String `tfsdk:"data_center"`
	AccountsURL        types.String `tfsdk:"accounts_url"`
	RevokeOnDestroy    types.Bool   `tfsdk:"revoke_on_destroy"`
	RefreshToken       types.String `tfsdk:"refresh_token"`
	APIDomain          types.String `tfsdk:"api_domain"`
	Scopes             types.List   `tfsdk:"scopes"`
	CreatedAt          types.String `tfsdk:"created_at"`
}

func newRefreshTokenResource() resource.Resource { return &refreshTokenResource{} }

func (r *refreshTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_refresh_token"
}

func (r *refreshTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keepAndReplace := []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Exchanges a one-time Zoho **grant code** (from the API Console's Self Client, or a redirect flow) " +
			"for a **refresh token**, kept as a sensitive value in state. Destroying the resource revokes the token.\n\n" +
			"Prefer `grant_code_wo` (write-only: the code never reaches plan or state; Terraform >= 1.11, OpenTofu >= 1.11). " +
			"A grant code works once and for a few minutes: to get a new refresh token, generate a new code and increase `grant_code_wo_version`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "A fingerprint of the refresh token (first 16 hex digits of its SHA-256): names the token in plans and logs without revealing it.",
				PlanModifiers:       keep,
			},
			"grant_code_wo": schema.StringAttribute{
				Optional: true, Sensitive: true, WriteOnly: true,
				MarkdownDescription: "The grant code, write-only: it is sent to Zoho once, at creation, and never stored in plan or state. " +
					"Set `grant_code_wo_version` with it; a new code is taken only when that version changes. Needs Terraform >= 1.11 or OpenTofu >= 1.11.",
				Validators: []validator.String{credentialValidator{}},
			},
			"grant_code_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any number, set together with `grant_code_wo`. Changing it from one number to another replaces the refresh token by " +
					"exchanging the code then in `grant_code_wo`, which must be a new one (a code works once). Adding it to an imported token, or removing it, " +
					"keeps the token.",
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplaceIf(versionChanged,
					"Replaces the token when the version changes from one number to another.", "Replaces the token when the version changes from one number to another.")},
			},
			"grant_code": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "The grant code, for CLIs without write-only arguments. It is **stored in state** (harmless once used: a code works once). " +
					"Setting a new code replaces the refresh token; removing it after creation keeps the token. Conflicts with `grant_code_wo`.",
				Validators: []validator.String{credentialValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(newCodeSet,
					"Replaces the token when a new code is set.", "Replaces the token when a new code is set.")},
			},
			"redirect_uri": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The redirect URI the grant code was issued for, for server-based clients. Self Client codes need none.",
			},
			"client_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Client ID to use instead of the provider's. Recorded in state: the token belongs to this client. Changing it replaces the token.",
				Validators:          []validator.String{credentialValidator{}},
				PlanModifiers:       keepAndReplace,
			},
			"client_secret": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "Client secret to use instead of the provider's. Stored in state (sensitive); prefer the provider's setting or " +
					"`ZOHO_CLIENT_SECRET`. Changing it replaces the token.",
				Validators:    []validator.String{credentialValidator{}},
				PlanModifiers: replace,
			},
			"data_center": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Data center to use instead of the provider's: " + dataCenterList() + ". Changing it replaces the token.",
				Validators:          []validator.String{dataCenterValidator()},
				PlanModifiers:       replace,
			},
			"accounts_url": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Accounts server to use instead of the provider's (`https://`, or `http://` on loopback). When not set, it records the URL " +
					"resolved from `data_center` or the provider. Recorded in state: destroy revokes the token there, whatever the provider says later.",
				Validators:    []validator.String{accountsURLValidator{canonical: true}},
				PlanModifiers: keepAndReplace,
			},
			"revoke_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Revoke the refresh token (and every access token minted from it) when the resource is destroyed. Defaults to `true`.",
			},
			"refresh_token": schema.StringAttribute{
				Computed: true, Sensitive: true,
				MarkdownDescription: "The refresh token. It does not expire; Zoho deletes it when revoked, when the user removes the app, or when a 21st token is created for the same user and client.",
				PlanModifiers:       keep,
			},
			"api_domain": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The API domain Zoho answered, such as `https://www.zohoapis.eu`: where this token's API calls go.",
				PlanModifiers:       keep,
			},
			"scopes": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The scopes Zoho granted, when it says (it answers them space-separated).",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the code was exchanged (RFC 3339). Null for an imported token.",
				PlanModifiers:       keep,
			},
		},
	}
}

func (r *refreshTokenResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(path.MatchRoot("grant_code"), path.MatchRoot("grant_code_wo")),
		resourcevalidator.Conflicting(path.MatchRoot("data_center"), path.MatchRoot("accounts_url")),
	}
}

func (r *refreshTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	var diags diag.Diagnostics
	r.data, diags = providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

// ModifyPlan fails a creation without a grant code at plan time, and fills in
// the accounts URL and client ID that the token will belong to.
func (r *refreshTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var cfg, plan refreshTokenModel
	resp.Diagnostics.Append(getModel(ctx, req.Config, &cfg)...)
	resp.Diagnostics.Append(getModel(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.GrantCode.IsNull() && cfg.GrantCodeWO.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("grant_code_wo"), "Grant Code Required To Create A Zoho Refresh Token",
			"A new refresh token is made by exchanging a grant code, and none is set. "+newGrantCodeSteps+
				"\n\nTo adopt a refresh token that already exists instead, import it: terraform import <address> env:VARIABLE_HOLDING_THE_TOKEN.")
		return
	}
	if r.data == nil || cfg.GrantCode.IsUnknown() || cfg.GrantCodeWO.IsUnknown() {
		return
	}
	ep, pending, diags := r.data.resolveEndpoint(overridesOf(cfg))
	switch {
	case len(pending) > 0:
		// Where the token will live or whose it will be is decided at
		// apply (a block or provider setting not known yet): accounts_url
		// and client_id stay unknown in the plan, which is what the CLI
		// then checks the final plan against.
		return
	case diags.HasError():
		// Missing credentials fail the plan, before anyone approves it.
		resp.Diagnostics.Append(diags...)
		return
	}
	plan.AccountsURL = types.StringValue(ep.accountsURL)
	plan.ClientID = types.StringValue(ep.clientID)
	resp.Diagnostics.Append(setModel(ctx, &resp.Plan, &plan)...)
}

func (r *refreshTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, cfg refreshTokenModel
	resp.Diagnostics.Append(getModel(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(getModel(ctx, req.Config, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	code, codeAttr := cfg.GrantCodeWO.ValueString(), "grant_code_wo"
	if code == "" {
		code, codeAttr = plan.GrantCode.ValueString(), "grant_code"
	}
	ctx = r.data.withMasking(ctx, code, plan.ClientSecret.ValueString())
	ep, _, diags := r.data.resolveEndpoint(overridesOf(cfg))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if code == "" {
		resp.Diagnostics.AddAttributeError(path.Root("grant_code_wo"), "Grant Code Required To Create A Zoho Refresh Token", newGrantCodeSteps)
		return
	}
	tok, err := r.data.clientFor(ep).ExchangeCode(ctx, code, plan.RedirectURI.ValueString())
	if err != nil {
		addZohoError(ctx, &resp.Diagnostics, err, callContext{accountsURL: ep.accountsURL, codeAttribute: codeAttr})
		return
	}
	ctx = alsoMasking(ctx, tok.RefreshToken, tok.AccessToken)
	plan.ID = types.StringValue(zoho.Fingerprint(tok.RefreshToken))
	plan.RefreshToken = types.StringValue(tok.RefreshToken)
	plan.AccountsURL = types.StringValue(ep.accountsURL)
	plan.ClientID = types.StringValue(ep.clientID)
	plan.APIDomain = types.StringValue(tok.APIDomain)
	plan.CreatedAt = types.StringValue(r.data.now().UTC().Format(time.RFC3339))
	plan.Scopes = scopesValue(tok.Scopes)
	// State is set at once: a refresh token Zoho issued must never be lost.
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &plan)...)
	tflog.Info(ctx, "created Zoho refresh token", map[string]any{"id": plan.ID.ValueString(), "accounts_url": ep.accountsURL, "api_domain": tok.APIDomain})
}

// Read makes no network call: Zoho offers no token introspection, and plans
// stay offline and fast. The state is kept as it is.
func (r *refreshTokenResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update only records settings that do not touch the token itself
// (revoke_on_destroy, redirect_uri); everything else replaces it.
func (r *refreshTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan refreshTokenModel
	resp.Diagnostics.Append(getModel(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &plan)...)
}

func (r *refreshTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state refreshTokenModel
	resp.Diagnostics.Append(getModel(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasking(ctx, state.RefreshToken.ValueString())
	name := state.ID.ValueString()
	if !state.RevokeOnDestroy.ValueBool() {
		tflog.Info(ctx, "removing Zoho refresh token from state without revoking it (revoke_on_destroy = false)", map[string]any{"id": name})
		return
	}
	ep := tokenEndpoint{accountsURL: state.AccountsURL.ValueString(), clientID: state.ClientID.ValueString()}
	err := r.data.clientFor(ep).Revoke(ctx, state.RefreshToken.ValueString())
	switch {
	case errors.Is(err, zoho.ErrTokenNotFound):
		resp.Diagnostics.AddWarning("Zoho Refresh Token Was Already Gone",
			fmt.Sprintf("Zoho answered that the refresh token %s is unknown at %s (HTTP 400): it was revoked already, removed from Connected Apps or evicted. "+
				"It is removed from state; nothing is left to revoke.", name, ep.accountsURL))
	case err != nil:
		summary, detail, _ := explain(ctx, err, callContext{accountsURL: ep.accountsURL, tokenName: name})
		resp.Diagnostics.AddError("Cannot Revoke Zoho Refresh Token "+name,
			summary+": "+detail+"\n\nThe token may still be valid, so it is kept in state: run destroy again later. "+
				"To drop it from state without revoking, set revoke_on_destroy = false and apply first, then revoke it in Zoho (Connected Apps).\n\nError: "+err.Error())
	default:
		tflog.Info(ctx, "revoked Zoho refresh token", map[string]any{"id": name, "accounts_url": ep.accountsURL})
	}
}

// ImportState adopts an existing refresh token. The ID is "env:VARIABLE"
// (preferred: the secret stays off the command line) or the token itself.
// One refresh verifies the token and tells its API domain and scopes.
func (r *refreshTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	token := strings.TrimSpace(req.ID)
	if name, ok := strings.CutPrefix(token, importFromEnvPrefix); ok {
		token = strings.TrimSpace(r.data.getenv(name))
		if token == "" {
			resp.Diagnostics.AddError("Refresh Token Environment Variable Is Empty",
				fmt.Sprintf("The import ID %q names the environment variable %s, which is empty or not set. Export the refresh token in it and import again.", req.ID, name))
			return
		}
	}
	ctx = r.data.withMasking(ctx, token)
	ep, _, diags := r.data.resolveEndpoint(clientOverrides{})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tok, err := r.data.clientFor(ep).Refresh(ctx, token)
	if err != nil {
		addZohoError(ctx, &resp.Diagnostics, err, callContext{accountsURL: ep.accountsURL, tokenName: zoho.Fingerprint(token)})
		return
	}
	state := refreshTokenModel{
		ID:              types.StringValue(zoho.Fingerprint(token)),
		RefreshToken:    types.StringValue(token),
		AccountsURL:     types.StringValue(ep.accountsURL),
		ClientID:        types.StringValue(ep.clientID),
		APIDomain:       types.StringValue(tok.APIDomain),
		Scopes:          scopesValue(tok.Scopes),
		RevokeOnDestroy: types.BoolValue(true),
		CreatedAt:       types.StringNull(),
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &state)...)
}

// versionChanged replaces the token only when grant_code_wo_version goes from
// one number to another: adding a version to an imported token, or removing
// it once the code is spent, must not ask for a new exchange.
func versionChanged(_ context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() && !req.ConfigValue.IsNull()
}

// newCodeSet replaces the token when grant_code is set to a new code, but
// not when a spent code is removed from the configuration.
func newCodeSet(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.ConfigValue.IsNull()
}

// overridesOf reads the resource's own client and location from its
// configuration: there, null means "the provider's" and unknown "decided at
// apply" (in the plan, client_id and accounts_url are computed, so unknown
// means either).
func overridesOf(cfg refreshTokenModel) clientOverrides {
	return clientOverrides{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, DataCenter: cfg.DataCenter, AccountsURL: cfg.AccountsURL}
}
