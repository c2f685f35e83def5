package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure        = (*accessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithRenew            = (*accessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithClose            = (*accessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig   = (*accessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*accessTokenEphemeral)(nil)
)

// renewMargin is how long before expiry Terraform is asked to call Renew,
// where the expiry guard warns that the token is about to run out.
const renewMargin = 5 * time.Minute

// privateDataKey names the private data Renew and Close read.
const privateDataKey = "handed_out"

type accessTokenEphemeral struct {
	grantEphemeral
}

type accessTokenEphemeralModel struct {
	accessTokenModel
	RevokeOnClose types.Bool `tfsdk:"revoke_on_close"`
}

// handedOut is what Renew and Close know of the token (private data: kept
// by Terraform in memory for the run, never in state).
type handedOut struct {
	AccessToken string    `json:"access_token,omitempty"`
	AccountsURL string    `json:"accounts_url"`
	ExpiresAt   time.Time `json:"expires_at"`
}

func newAccessTokenEphemeral() ephemeral.EphemeralResource { return &accessTokenEphemeral{} }

func (r *accessTokenEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_oauth_access_token"
}

func (r *accessTokenEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	attributes := accessTokenAttributes()
	attributes["revoke_on_close"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Revoke the access token when Terraform closes this resource (end of the run), freeing one of the ~15 " +
			"live tokens Zoho keeps per refresh token. The token is then minted for this instance alone. Defaults to `false`; " +
			"conflicts with the provider's `token_cache_dir` and `token_cache_url` (a revoked token cannot be reused).",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Mints a fresh Zoho **access token** during plan and apply, for other providers' configuration, " +
			"provisioners and write-only arguments. Nothing of it is stored in state or plan. Needs Terraform >= 1.10 or OpenTofu >= 1.11 " +
			"(use the `zoho_oauth_access_token` data source on older CLIs).\n\n" +
			"Zoho lets one refresh token mint about 10 access tokens per 10 minutes, so every instance with the same credentials shares one " +
			"token per provider process; `token_cache_dir` on the provider shares it between plan and apply, and `token_cache_url` " +
			"between every machine of a CI fleet.",
		Attributes: attributes,
	}
}

func (r *accessTokenEphemeral) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateGrantChoice(ctx, req.Config)...)
}

func (r *accessTokenEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m accessTokenEphemeralModel
	resp.Diagnostics.Append(getModel(ctx, req.Config, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasking(ctx, m.RefreshToken.ValueString(), m.ClientSecret.ValueString())
	if unknown := strings.Join(m.unknownInputs(), ", "); unknown != "" {
		// The refresh token's resource is not created yet (first plan):
		// hand out unknown values, ask Zoho nothing, and say what that
		// means once. Terraform >= 1.10 and OpenTofu >= 1.11 defer such an
		// ephemeral resource themselves, without calling Open, and print
		// their own line ("Deferred due to unknown configuration"); this
		// is for clients that do call it.
		tflog.Debug(ctx, "deferring Zoho access token: an input is not known yet", map[string]any{"unknown": unknown})
		resp.Diagnostics.AddWarning("Zoho Access Token Deferred To Apply",
			fmt.Sprintf("An input of this zoho_oauth_access_token is not known yet (%s: typically a refresh token from a "+
				"zoho_oauth_refresh_token that this run creates), so no access token is minted during this plan: its attributes stay unknown until apply. "+
				"Provisioners and write-only arguments get the token at apply, but a provider configured from it sees unknown values "+
				"on this run, and most providers refuse them. Create the refresh token first: keep it in a configuration of its own "+
				"and pass it in through an ephemeral variable, or apply it alone once (-target=zoho_oauth_refresh_token.<name>).", unknown))
		m.unknownResults()
		resp.Diagnostics.Append(setModel(ctx, &resp.Result, &m)...)
		return
	}
	revoke := m.RevokeOnClose.ValueBool()
	if attr, env := r.data.persistentCache(); revoke && attr != "" {
		resp.Diagnostics.AddAttributeError(path.Root("revoke_on_close"), "revoke_on_close Conflicts With "+attr,
			fmt.Sprintf("The provider caches access tokens in %[1]s for later runs, and a token revoked on close could not be reused. "+
				"Remove revoke_on_close, or unset %[1]s (and %[2]s).", attr, env))
		return
	}
	minted, diags := mintAccessToken(ctx, r.data, &m.grantInputs, revoke)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	ctx = alsoMasking(ctx, minted.token.AccessToken)
	now := r.data.now()
	m.fill(ctx, minted.token, now)
	resp.Diagnostics.Append(setModel(ctx, &resp.Result, &m)...)

	private := handedOut{AccountsURL: minted.from.accountsURL, ExpiresAt: minted.token.ExpiresAt}
	if revoke {
		private.AccessToken = minted.token.AccessToken
	}
	raw, err := json.Marshal(private)
	if err != nil {
		resp.Diagnostics.AddError("Internal Error", "Cannot encode private data: "+err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateDataKey, raw)...)
	resp.RenewAt = renewAt(minted.token.ExpiresAt, now)
}

// renewAt asks for a Renew call shortly before the token expires, so a run
// that outlives it is warned (Renew cannot hand out a new value).
func renewAt(expiresAt, now time.Time) time.Time {
	at := expiresAt.Add(-renewMargin)
	if at.Before(now) {
		return now
	}
	return at
}

// Renew is Terraform telling us the run is still going when the token is
// about to expire. An ephemeral result cannot be replaced, so all we can do
// is say so, clearly.
func (r *accessTokenEphemeral) Renew(ctx context.Context, req ephemeral.RenewRequest, resp *ephemeral.RenewResponse) {
	h, diags := readHandedOut(ctx, req.Private)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	resp.Diagnostics.AddWarning(expiryWarning(h, r.data.now()))
}

func expiryWarning(h handedOut, now time.Time) (summary, detail string) {
	return "Zoho Access Token About To Expire",
		fmt.Sprintf("The access token handed out by zoho_oauth_access_token expires at %s (in %s), and this run is still going. "+
			"Terraform cannot replace an ephemeral value during a run, so whatever still uses it will get INVALID_TOKEN after that. "+
			"Split the run (for example -target the slow part first) or shorten it.",
			h.ExpiresAt.UTC().Format(time.RFC3339), max(h.ExpiresAt.Sub(now), 0).Round(time.Second))
}

// Close revokes the token when revoke_on_close asked for it. Failing to
// revoke is a warning: the token expires within the hour anyway.
func (r *accessTokenEphemeral) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	h, diags := readHandedOut(ctx, req.Private)
	if resp.Diagnostics.Append(diags...); diags.HasError() || h.AccessToken == "" {
		return
	}
	ctx = r.data.withMasking(ctx, h.AccessToken)
	err := r.data.clientFor(tokenEndpoint{accountsURL: h.AccountsURL}).Revoke(ctx, h.AccessToken)
	if err != nil {
		resp.Diagnostics.AddWarning("Cannot Revoke Zoho Access Token",
			fmt.Sprintf("revoke_on_close could not revoke access token %s; it stays valid until %s. Error: %s",
				zoho.Fingerprint(h.AccessToken), h.ExpiresAt.UTC().Format(time.RFC3339), err))
		return
	}
	tflog.Debug(ctx, "revoked Zoho access token on close", map[string]any{"access_token_id": zoho.Fingerprint(h.AccessToken)})
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func readHandedOut(ctx context.Context, private privateGetter) (handedOut, diag.Diagnostics) {
	var h handedOut
	raw, diags := private.GetKey(ctx, privateDataKey)
	if diags.HasError() || len(raw) == 0 {
		return h, diags
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		diags.AddError("Internal Error", "Cannot decode private data: "+err.Error())
	}
	return h, diags
}
