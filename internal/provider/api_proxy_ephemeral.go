package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/apiproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure        = (*apiProxyEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithClose            = (*apiProxyEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig   = (*apiProxyEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*apiProxyEphemeral)(nil)
)

// apiProxyEphemeral is zoho_api_proxy: a loopback proxy to a Zoho API that
// this provider process serves from Open to Close, adding a fresh access
// token to every request (package apiproxy).
type apiProxyEphemeral struct {
	grantEphemeral
}

type apiProxyModel struct {
	grantInputs
	Upstream types.String `tfsdk:"upstream"`
	URL      types.String `tfsdk:"url"`
}

func newAPIProxyEphemeral() ephemeral.EphemeralResource { return &apiProxyEphemeral{} }

func (r *apiProxyEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_proxy"
}

func (r *apiProxyEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	attributes := grantInputAttributes()
	attributes["upstream"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The API every request goes to, such as `https://www.zohoapis.eu` or `https://desk.zoho.eu`. Defaults to the " +
			"`api_domain` Zoho answers with the token. Must be `https` on a host under the data center's Zoho domains " +
			"(`zohoapis.<tld>`, `zoho.<tld>` and their subdomains; `zohoapis.ca` and `zohocloud.ca` in Canada), or a loopback " +
			"host (the emulator). It may carry a path, no query. A client of the proxy cannot choose another host.",
	}
	attributes["url"] = schema.StringAttribute{
		Computed: true, Sensitive: true,
		MarkdownDescription: "The proxy's base URL, `http://127.0.0.1:<port>/<random prefix>/`: a request to `<url>crm/v8/users` goes to " +
			"`<upstream>/crm/v8/users` with a fresh access token. It is a capability: while the run lasts, any process of this " +
			"machine that knows it can call the API as the token's owner, so it is sensitive and lives only as long as this resource.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Serves a **local API proxy** for the length of a run: requests to its `url` go to a Zoho API with a fresh " +
			"access token added, so a run longer than a token's hour keeps working, and the consumers (another provider configured " +
			"with the URL, a provisioner's curl) never see a token. Needs Terraform >= 1.10 or OpenTofu >= 1.11.\n\n" +
			"The proxy listens on 127.0.0.1 only, under an unguessable path prefix; it refuses any other `Host` (DNS rebinding), drops " +
			"incoming `Authorization` and `Cookie` headers, and forwards to `upstream` alone. Tokens come from the provider's cache " +
			"(memory, `token_cache_dir`, `token_cache_url`) like the access token's, are replaced before `min_token_lifetime`, and " +
			"on Zoho's invalid-token answer are minted again once and the request replayed. Nothing of a token is in the result, " +
			"the state, the plan or the logs.",
		Attributes: attributes,
	}
}

// ValidateConfig checks the grant choice, and an upstream written in the
// configuration against the Zoho domains it could be under: the block's
// data center or accounts URL when it sets one, else any data center's
// (the provider's own is known only at Open, which checks it exactly).
func (r *apiProxyEphemeral) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateGrantChoice(ctx, req.Config)...)
	var upstream, dc, accountsURL types.String
	for name, v := range map[string]*types.String{"upstream": &upstream, "data_center": &dc, "accounts_url": &accountsURL} {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), v)...)
	}
	if upstream.IsNull() || upstream.IsUnknown() || dc.IsUnknown() || accountsURL.IsUnknown() {
		return
	}
	domains := zoho.AllServiceDomains()
	if d, ok := zoho.LookupDataCenter(dc.ValueString()); ok && !dc.IsNull() {
		domains = d.ServiceDomains()
	}
	if u, err := zoho.NormalizeAccountsURL(accountsURL.ValueString()); err == nil && !accountsURL.IsNull() {
		domains = zoho.UpstreamDomains(u)
	}
	if _, err := apiproxy.CheckUpstream(upstream.ValueString(), domains); err != nil {
		addUpstreamError(&resp.Diagnostics, err)
	}
}

func addUpstreamError(diags *diag.Diagnostics, err error) {
	diags.AddAttributeError(path.Root("upstream"), "Invalid Zoho API Proxy Upstream",
		fmt.Sprintf("The proxy would send every request, with a live access token in it, to %s. Set upstream to the Zoho API "+
			"of the token's data center (or remove it to use the api_domain Zoho answers).", err))
}

// Open mints a first token (so that wrong credentials fail here, with the
// access token's diagnostics, and so that upstream can default to its
// api_domain), checks upstream against the token's data center, and starts
// the proxy, which lives until Close.
func (r *apiProxyEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m apiProxyModel
	resp.Diagnostics.Append(getModel(ctx, req.Config, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.withMasking(ctx, m.RefreshToken.ValueString(), m.ClientSecret.ValueString())
	unknown := m.unknownInputs()
	if m.Upstream.IsUnknown() {
		unknown = append(unknown, "upstream")
	}
	if len(unknown) > 0 {
		// As the access token does: Terraform >= 1.10 and OpenTofu >= 1.11
		// defer such an ephemeral resource themselves, without calling Open.
		tflog.Debug(ctx, "deferring Zoho API proxy: an input is not known yet", map[string]any{"unknown": strings.Join(unknown, ",")})
		m.URL = types.StringUnknown()
		if m.Upstream.IsNull() {
			m.Upstream = types.StringUnknown()
		}
		if m.Scopes.IsNull() {
			m.Scopes = types.ListUnknown(types.StringType)
		}
		resp.Diagnostics.Append(setModel(ctx, &resp.Result, &m)...)
		return
	}
	minted, diags := mintAccessToken(ctx, r.data, &m.grantInputs, false)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	raw := m.Upstream.ValueString()
	if m.Upstream.IsNull() {
		raw = minted.token.APIDomain
	}
	upstream, err := apiproxy.CheckUpstream(raw, zoho.UpstreamDomains(minted.from.accountsURL))
	if err != nil {
		addUpstreamError(&resp.Diagnostics, err)
		return
	}
	grant, _ := m.grant(ctx) // read once already by mintAccessToken
	// The proxy's goroutines log through their own copies of the logger
	// (ownLogger), taken from options that no one else writes.
	p, err := apiproxy.Start(ownLogger(ctx), apiproxy.Config{
		Upstream:       upstream,
		Tokens:         &proxyTokens{data: r.data, ep: minted.from, grant: grant},
		RequestTimeout: requestTimeoutSetting.of(r.data.settings).value,
		Log:            func(ctx context.Context, msg string, fields map[string]any) { tflog.Debug(ownLogger(ctx), msg, fields) },
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot Start Zoho API Proxy", err.Error())
		return
	}
	handle := openProxies.add(p)
	tflog.Debug(ctx, "Zoho API proxy listening", map[string]any{"upstream": upstream.String(), "proxy": handle})
	if m.Upstream.IsNull() {
		m.Upstream = types.StringValue(upstream.String())
	}
	m.URL = types.StringValue(p.URL())
	m.fillScopes(ctx, minted.token)
	resp.Diagnostics.Append(setModel(ctx, &resp.Result, &m)...)
	private, _ := json.Marshal(proxyHandle{Handle: handle})
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, proxyDataKey, private)...)
}

// Close stops the proxy: no new connection, requests in flight finish
// within request_timeout, then the rest are cut off.
func (r *apiProxyEphemeral) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, proxyDataKey)
	if resp.Diagnostics.Append(diags...); diags.HasError() || len(raw) == 0 {
		return
	}
	var h proxyHandle
	if err := json.Unmarshal(raw, &h); err != nil {
		resp.Diagnostics.AddError("Internal Error", "Cannot decode private data: "+err.Error())
		return
	}
	p := openProxies.take(h.Handle)
	if p == nil {
		return // closed already, or opened by another provider process
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeoutSetting.of(r.data.settings).value)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		resp.Diagnostics.AddWarning("Zoho API Proxy Closed With Requests In Flight", err.Error())
	}
}

// proxyDataKey names the private data that lets Close find its proxy.
const proxyDataKey = "api_proxy"

type proxyHandle struct {
	Handle string `json:"handle"`
}

// proxies are the proxies this provider process serves, by a random
// handle that only Terraform's private data carries.
type proxies struct{ m sync.Map }

var openProxies proxies

func (ps *proxies) add(p *apiproxy.Proxy) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	handle := hex.EncodeToString(b)
	ps.m.Store(handle, p)
	return handle
}

func (ps *proxies) take(handle string) *apiproxy.Proxy {
	p, ok := ps.m.LoadAndDelete(handle)
	if !ok {
		return nil
	}
	return p.(*apiproxy.Proxy)
}

// proxyTokens is the proxy's token source: the provider's token path
// (memory, token_cache_dir, token_cache_url, Zoho), shared with every
// zoho_oauth_access_token of the same credentials.
type proxyTokens struct {
	data  *providerData
	ep    tokenEndpoint
	grant zoho.Grant
}

// Token and Invalidate run in the proxy's requests, many at once: each
// logs through its own copy of the logger (ownLogger).
func (s *proxyTokens) Token(ctx context.Context) (*zoho.Token, error) {
	ctx = ownLogger(ctx)
	tok, source, diags, err := s.data.accessToken(ctx, s.ep, s.grant, true)
	for _, d := range diags {
		// A request has nowhere to show a diagnostic: the shared cache's
		// warning goes to the log.
		tflog.Warn(ctx, d.Summary(), map[string]any{"detail": d.Detail()})
	}
	if err == nil && source == tokencache.SourceMinted {
		tflog.Debug(ctx, "the Zoho API proxy minted a token", map[string]any{"access_token_id": zoho.Fingerprint(tok.AccessToken)})
	}
	return tok, err
}

// Invalidate forgets a token the API refused, everywhere the provider's
// cache keeps it, so the next request gets a new one.
func (s *proxyTokens) Invalidate(ctx context.Context, accessToken string) {
	ctx = ownLogger(ctx)
	s.data.tokens.Forget(ctx, s.ep.cacheKey(s.grant), accessToken)
}
