package provider

// Where and as whom a call to Zoho is made: a block's client overrides put
// over the provider's settings.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// clientOverrides are a block's own client and location, which win over
// the provider's; every resource kind has them.
type clientOverrides struct {
	ClientID     types.String
	ClientSecret types.String
	DataCenter   types.String
	AccountsURL  types.String
}

// endpoint is where and as whom a call to Zoho is made.
type tokenEndpoint struct {
	accountsURL  string
	clientID     string
	clientSecret string
}

// resolveEndpoint puts a block's overrides over the provider's settings.
// pending names the provider settings the call needs that are not known
// until apply (diags then say so). A missing credential is an error naming
// both the attribute and the environment variable.
func (d *providerData) resolveEndpoint(o clientOverrides) (tokenEndpoint, []string, diag.Diagnostics) {
	var diags diag.Diagnostics
	clientID, ok := clientIDSetting.in("block", o.ClientID, &diags)
	if !ok {
		clientID = clientIDSetting.of(d.settings)
	}
	clientSecret, ok := clientSecretSetting.in("block", o.ClientSecret, &diags)
	if !ok {
		clientSecret = clientSecretSetting.of(d.settings)
	}
	location, ok := locationSetting.inBlock(o.AccountsURL, o.DataCenter, &diags)
	if !ok {
		location = locationSetting.of(d.settings)
	}

	var pending []string
	if clientID.pending {
		pending = append(pending, clientIDSetting.attr)
	}
	if clientSecret.pending {
		pending = append(pending, clientSecretSetting.attr)
	}
	if location.pending {
		pending = append(pending, locationName)
	}
	if len(pending) > 0 {
		diags.AddError("Unknown Zoho Provider Setting",
			fmt.Sprintf("The provider's %s depends on a value that is not known until apply. "+
				"Apply the source of the value first (-target), set it statically, or use the ZOHO_* environment variable.", strings.Join(pending, ", ")))
		return tokenEndpoint{}, pending, diags
	}

	ep := tokenEndpoint{accountsURL: location.value, clientID: clientID.value, clientSecret: clientSecret.value}
	if ep.clientID == "" {
		diags.AddError("Missing Zoho Client ID",
			"No Zoho client ID is configured. Set client_id on this block or in the provider block, or the "+clientIDSetting.env+" environment variable. "+
				"It is shown in the Zoho API Console for your client.")
	}
	if ep.clientSecret == "" {
		diags.AddError("Missing Zoho Client Secret",
			"No Zoho client secret is configured. Set client_secret on this block or in the provider block, or the "+clientSecretSetting.env+" environment variable.")
	}
	return ep, nil, diags
}

// cacheKey names the token for grant at ep in the token cache.
func (ep tokenEndpoint) cacheKey(g zoho.Grant) tokencache.Key {
	return tokencache.Key{AccountsURL: ep.accountsURL, ClientID: ep.clientID, ClientSecret: ep.clientSecret,
		RefreshToken: g.RefreshToken, Scopes: g.Scopes, SOID: g.SOID}
}

// clientFor returns an OAuth client that calls ep, sharing the provider's
// transport.
func (d *providerData) clientFor(ep tokenEndpoint) *zoho.Client {
	cfg := d.clientConfig
	cfg.AccountsURL, cfg.ClientID, cfg.ClientSecret = ep.accountsURL, ep.clientID, ep.clientSecret
	return zoho.New(cfg)
}

// accessToken gets an access token for grant at ep. Shared, it comes from
// the provider's cache (memory, then token_cache_dir, then token_cache_url)
// or from one request shared by every concurrent caller with the same
// credentials; otherwise it is minted for the caller alone (who will revoke
// it). diags carry the shared store's failure, to the first caller after it.
func (d *providerData) accessToken(ctx context.Context, ep tokenEndpoint, grant zoho.Grant, shared bool) (*zoho.Token, tokencache.Source, diag.Diagnostics, error) {
	client := d.clientFor(ep)
	if !shared {
		tok, err := client.Mint(ctx, grant)
		return tok, tokencache.SourceMinted, nil, err
	}
	tok, source, err := d.tokens.Get(ctx, ep.cacheKey(grant), client)
	var diags diag.Diagnostics
	if storeErr := d.tokens.SharedFailure(); storeErr != nil {
		addSharedCacheWarning(&diags, tokenCacheURLSetting.of(d.settings), storeErr)
	}
	if notice := d.tokens.SharedNotice(); notice != nil {
		diags.AddAttributeWarning(path.Root(tokenCacheURLSetting.attr), "Zoho Shared Token Cache Cannot Arbitrate",
			fmt.Sprintf("The shared token cache at %s (%s) works, but %s.\n\nTokens are still shared once published, "+
				"but a fleet that misses at once mints once per job, as without the cache. Use a store that supports "+
				"conditional writes (AWS S3, Google Cloud Storage, Azure Blob Storage, file:// on a local or NFSv3+ volume, "+
				"or an S3-compatible server that enforces If-None-Match), see the CI and scaling guide.",
				tokenCacheURLSetting.of(d.settings).value, tokenCacheURLSetting.of(d.settings).source, notice))
	}
	return tok, source, diags, err
}
