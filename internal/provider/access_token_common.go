package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// grantInputs are what every kind that mints access tokens is configured
// with: the grant (a refresh token, or a Self Client's scopes) and the
// block's own client and location. The access token kinds and the API
// proxy share them.
type grantInputs struct {
	RefreshToken types.String `tfsdk:"refresh_token"`
	Scopes       types.List   `tfsdk:"scopes"`
	SOID         types.String `tfsdk:"soid"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	DataCenter   types.String `tfsdk:"data_center"`
	AccountsURL  types.String `tfsdk:"accounts_url"`
}

// accessTokenModel is shared by the ephemeral resource and the data source.
type accessTokenModel struct {
	grantInputs
	AccessToken         types.String `tfsdk:"access_token"`
	AuthorizationHeader types.String `tfsdk:"authorization_header"`
	APIDomain           types.String `tfsdk:"api_domain"`
	TokenType           types.String `tfsdk:"token_type"`
	ExpiresIn           types.Int64  `tfsdk:"expires_in"`
	ExpiresAt           types.String `tfsdk:"expires_at"`
}

// authorizationScheme is the header prefix Zoho's APIs document.
const authorizationScheme = "Zoho-oauthtoken "

// mintedToken is a token handed out, with where it came from.
type mintedToken struct {
	token *zoho.Token
	from  tokenEndpoint
}

// usesClientCredentials reports the grant chosen from configuration alone:
// no refresh token means the Self Client client-credentials grant.
func (m *grantInputs) usesClientCredentials() bool { return m.RefreshToken.IsNull() }

func (m *grantInputs) requestedScopes(ctx context.Context) ([]string, diag.Diagnostics) {
	var scopes []string
	if m.Scopes.IsNull() || m.Scopes.IsUnknown() {
		return nil, nil
	}
	diags := m.Scopes.ElementsAs(ctx, &scopes, false)
	return scopes, diags
}

// grant is what the model's token is minted from; internal/zoho decides how.
func (m *grantInputs) grant(ctx context.Context) (zoho.Grant, diag.Diagnostics) {
	if !m.usesClientCredentials() {
		return zoho.Grant{RefreshToken: m.RefreshToken.ValueString()}, nil
	}
	scopes, diags := m.requestedScopes(ctx)
	return zoho.Grant{Scopes: scopes, SOID: m.SOID.ValueString()}, diags
}

func (m *grantInputs) overrides() clientOverrides {
	return clientOverrides{ClientID: m.ClientID, ClientSecret: m.ClientSecret, DataCenter: m.DataCenter, AccountsURL: m.AccountsURL}
}

// mintAccessToken gets an access token for the model's credentials, shared
// through the provider's cache or, with ownToken, minted for this block
// alone (it will be revoked on close).
func mintAccessToken(ctx context.Context, d *providerData, m *grantInputs, ownToken bool) (*mintedToken, diag.Diagnostics) {
	ep, _, diags := d.resolveEndpoint(m.overrides())
	if diags.HasError() {
		return nil, diags
	}
	grant, grantDiags := m.grant(ctx)
	if diags.Append(grantDiags...); diags.HasError() {
		return nil, diags
	}
	tok, source, cacheDiags, err := d.accessToken(ctx, ep, grant, !ownToken)
	diags.Append(cacheDiags...)
	if err != nil {
		addZohoError(ctx, &diags, err, callContext{accountsURL: ep.accountsURL, tokenName: tokenNameOf(m)})
		return nil, diags
	}
	tflog.Debug(ctx, "got Zoho access token", map[string]any{
		"source": source.String(), "access_token_id": zoho.Fingerprint(tok.AccessToken),
		"expires_at": tok.ExpiresAt.UTC().Format(time.RFC3339), "cache_key": ep.cacheKey(grant).ID(),
	})
	return &mintedToken{token: tok, from: ep}, diags
}

func tokenNameOf(m *grantInputs) string {
	if m.usesClientCredentials() {
		return "(client credentials)"
	}
	return zoho.Fingerprint(m.RefreshToken.ValueString())
}

// fill copies a token into the model's results. expires_in is the time left
// now, so a cached token reports less than 3600. Configured attributes are
// returned exactly as configured (Terraform rejects an ephemeral result or
// data source whose configured value changed): configured scopes stay as
// written, whatever order or case Zoho (or a token cached for a block
// listing them in another order) carries.
func (m *accessTokenModel) fill(ctx context.Context, t *zoho.Token, now time.Time) {
	m.AccessToken = types.StringValue(t.AccessToken)
	m.AuthorizationHeader = types.StringValue(authorizationScheme + t.AccessToken)
	m.APIDomain = types.StringValue(t.APIDomain)
	m.TokenType = types.StringValue(t.TokenType)
	m.ExpiresIn = types.Int64Value(int64(t.ExpiresIn(now) / time.Second))
	m.ExpiresAt = types.StringValue(t.ExpiresAt.UTC().Format(time.RFC3339))
	m.fillScopes(ctx, t)
}

// fillScopes returns configured scopes as configured (what Zoho granted goes
// to the debug log), and otherwise the scopes the token carries.
func (m *grantInputs) fillScopes(ctx context.Context, t *zoho.Token) {
	switch {
	case !m.Scopes.IsNull() && !m.Scopes.IsUnknown():
		tflog.Debug(ctx, "returning the configured scopes", map[string]any{"granted_scopes": t.Scopes})
	case t.Scopes != nil:
		m.Scopes = scopesValue(t.Scopes)
	default:
		m.Scopes = types.ListNull(types.StringType)
	}
}

// unknownResults marks every result unknown: used when an input is not known
// yet at plan time, so nothing is requested.
func (m *accessTokenModel) unknownResults() {
	m.AccessToken = types.StringUnknown()
	m.AuthorizationHeader = types.StringUnknown()
	m.APIDomain = types.StringUnknown()
	m.TokenType = types.StringUnknown()
	m.ExpiresIn = types.Int64Unknown()
	m.ExpiresAt = types.StringUnknown()
	if m.Scopes.IsNull() {
		m.Scopes = types.ListUnknown(types.StringType)
	}
}

// unknownInputs names the inputs not known yet (for example a refresh token
// from a resource that is not created yet).
func (m *grantInputs) unknownInputs() []string {
	var names []string
	for _, in := range []struct {
		name  string
		value attr.Value
	}{
		{"refresh_token", m.RefreshToken}, {"scopes", m.Scopes}, {"soid", m.SOID}, {"client_id", m.ClientID},
		{"client_secret", m.ClientSecret}, {"data_center", m.DataCenter}, {"accounts_url", m.AccountsURL},
	} {
		if in.value.IsUnknown() {
			names = append(names, in.name)
		}
	}
	return names
}

// validateGrantChoice is ValidateConfig of both kinds: it reads only the
// three attributes checkGrantChoice looks at, since reading the whole model
// reflects over each of its fields, for every instance (BENCHMARKS.md).
func validateGrantChoice(ctx context.Context, cfg tfsdk.Config) diag.Diagnostics {
	var m grantInputs
	var diags diag.Diagnostics
	diags.Append(cfg.GetAttribute(ctx, path.Root("refresh_token"), &m.RefreshToken)...)
	diags.Append(cfg.GetAttribute(ctx, path.Root("scopes"), &m.Scopes)...)
	diags.Append(cfg.GetAttribute(ctx, path.Root("soid"), &m.SOID)...)
	if diags.HasError() {
		return diags
	}
	return m.checkGrantChoice()
}

// checkGrantChoice reports a configuration with neither or both grants.
func (m *grantInputs) checkGrantChoice() diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.RefreshToken.IsNull() && !m.Scopes.IsNull() {
		diags.AddAttributeError(path.Root("scopes"), "Conflicting Zoho Grants",
			"Set either refresh_token (mint from a refresh token) or scopes (Self Client client credentials), not both. "+
				"A token minted from a refresh token carries the scopes its grant code had.")
	}
	if m.RefreshToken.IsNull() && m.Scopes.IsNull() {
		diags.AddAttributeError(path.Root("refresh_token"), "Missing Zoho Refresh Token Or Scopes",
			"Set refresh_token (for example zoho_oauth_refresh_token.x.refresh_token) or, for a Self Client, scopes to use the client credentials grant.")
	}
	if !m.SOID.IsNull() && !m.RefreshToken.IsNull() {
		diags.AddAttributeError(path.Root("soid"), "soid Needs The Client Credentials Grant",
			"soid selects an organisation for the client credentials grant; remove it or use scopes instead of refresh_token.")
	}
	return diags
}
