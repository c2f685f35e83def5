package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/objectstore"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// providerData is what Configure hands to every resource kind: the
// provider's settings and what is built on them. Resource kinds use its
// methods, not its fields.
type providerData struct {
	settings providerSettings
	// clientConfig is every client's configuration but where it calls and
	// as whom, which clientFor adds.
	clientConfig zoho.Config
	// tokens shares access tokens between blocks in this process and, with
	// token_cache_dir, between processes.
	tokens  *tokencache.Cache
	clock   func() time.Time
	environ func(string) string
}

// newProviderData resolves the provider's settings, opens its token cache
// (creating token_cache_dir if missing) and prepares its clients.
func (p *zohoProvider) newProviderData(cfg providerModel, terraformVersion string) (*providerData, diag.Diagnostics) {
	settings, diags := resolveSettings(cfg, p.opts.getenv)
	clientConfig := zoho.Config{
		RequestTimeout: settings.requestTimeout.value,
		MaxRetries:     settings.maxRetries.value,
		RetryWaitMin:   p.opts.retryWaitMin,
		RetryWaitMax:   p.opts.retryWaitMax,
		UserAgent:      fmt.Sprintf("terraform-provider-zoho/%s (+https://registry.terraform.io/providers/cd40c554/zoho; CLI %s)", p.version, terraformVersion),
		Transport:      cleanhttp.DefaultPooledTransport(),
		Log:            logToTflog,
		Now:            p.opts.now,
	}
	tokens, cacheDiags := openTokenCache(settings, p.opts.now, clientConfig.MintBudget())
	diags.Append(cacheDiags...)
	return &providerData{
		settings:     settings,
		clientConfig: clientConfig,
		tokens:       tokens,
		clock:        p.opts.now,
		environ:      p.opts.getenv,
	}, diags
}

// openTokenCache makes the provider's token cache; with a directory, it
// creates it (mode 0700) when missing and checks it; with a shared store, it
// opens it. An unusable directory is an error (the user asked for it, and
// going without would burn mints); an entry it cannot write, or a shared
// store that cannot be opened, is a warning, and the run goes on. Each
// request to the shared store is bounded by request_timeout; mintBudget is
// how long this process may hold the store's lease.
func openTokenCache(s providerSettings, now func() time.Time, mintBudget time.Duration) (*tokencache.Cache, diag.Diagnostics) {
	var diags diag.Diagnostics
	dir := s.tokenCacheDir
	opts := tokencache.Options{
		Dir:          dir.value,
		MinRemaining: s.minTokenLife.value,
		Now:          now,
		WriteFailed: func(ctx context.Context, err error) {
			tflog.Warn(ctx, "could not write the Zoho token cache; the next process will mint again",
				map[string]any{"token_cache_dir": dir.value, "error": err.Error()})
		},
		StoreTimeout: s.requestTimeout.value,
		MintBudget:   mintBudget,
		Debug: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(ctx, msg, fields)
		},
	}
	if loc := s.tokenCacheURL.value; loc != nil {
		// A cloud's credential source may keep this context for every later
		// token fetch (x/oauth2/google does), so it never ends; Open bounds
		// its own search for credentials, and each request is bounded too.
		store, err := objectstore.Open(context.Background(), loc, objectstore.Options{RequestTimeout: s.requestTimeout.value})
		if err != nil {
			addSharedCacheWarning(&diags, s.tokenCacheURL, err)
		} else {
			opts.Shared = store
		}
	}
	tokens, err := tokencache.New(opts)
	if err != nil {
		diags.AddAttributeError(path.Root("token_cache_dir"), "Unusable Zoho Token Cache Directory",
			fmt.Sprintf("The %s is %q, which cannot be used: %s. Point it at a directory this user may create and write, or unset it.", dir.source, dir.value, err))
	}
	return tokens, diags
}

// addSharedCacheWarning reports a shared token cache that failed: once per
// provider process, since the cache stops using it after its first failure.
func addSharedCacheWarning(diags *diag.Diagnostics, url resolved[*objectstore.Location], err error) {
	diags.AddAttributeWarning(path.Root(tokenCacheURLSetting.attr), "Zoho Shared Token Cache Unavailable",
		fmt.Sprintf("The shared token cache at %s (%s) failed: %s.\n\nThis run goes on without it: access tokens come "+
			"from memory, token_cache_dir and Zoho, so machines may each mint their own. Check that the store is reachable "+
			"and that this machine's credentials may read, write and delete objects under that prefix "+
			"(see the CI and scaling guide), or unset token_cache_url.", url.value, url.source, err))
}

// now is the provider's clock.
func (d *providerData) now() time.Time { return d.clock() }

// getenv reads an environment variable of the provider's process.
func (d *providerData) getenv(name string) string { return d.environ(name) }

// withMasking is withMasking plus the provider's own client secret: every
// entry point that may log calls it first.
func (d *providerData) withMasking(ctx context.Context, secrets ...string) context.Context {
	return withMasking(ctx, append(secrets, d.settings.clientSecret.value)...)
}

// clientFor returns an OAuth client that calls ep, sharing the provider's
// transport.
func (d *providerData) clientFor(ep endpoint) *zoho.Client {
	cfg := d.clientConfig
	cfg.AccountsURL, cfg.ClientID, cfg.ClientSecret = ep.accountsURL, ep.clientID, ep.clientSecret
	return zoho.New(cfg)
}

// accessToken gets an access token for grant at ep. Shared, it comes from
// the provider's cache (memory, then token_cache_dir, then token_cache_url)
// or from one request shared by every concurrent caller with the same
// credentials; otherwise it is minted for the caller alone (who will revoke
// it). diags carry the shared store's failure, to the first caller after it.
func (d *providerData) accessToken(ctx context.Context, ep endpoint, grant zoho.Grant, shared bool) (*zoho.Token, tokencache.Source, diag.Diagnostics, error) {
	client := d.clientFor(ep)
	if !shared {
		tok, err := client.Mint(ctx, grant)
		return tok, tokencache.SourceMinted, nil, err
	}
	tok, source, err := d.tokens.Get(ctx, ep.cacheKey(grant), client)
	var diags diag.Diagnostics
	if storeErr := d.tokens.SharedFailure(); storeErr != nil {
		addSharedCacheWarning(&diags, d.settings.tokenCacheURL, storeErr)
	}
	if notice := d.tokens.SharedNotice(); notice != nil {
		diags.AddAttributeWarning(path.Root(tokenCacheURLSetting.attr), "Zoho Shared Token Cache Cannot Arbitrate",
			fmt.Sprintf("The shared token cache at %s (%s) works, but %s.\n\nTokens are still shared once published, "+
				"but a fleet that misses at once mints once per job, as without the cache. Use a store that supports "+
				"conditional writes (AWS S3, Google Cloud Storage, Azure Blob Storage, file:// on a local or NFSv3+ volume, "+
				"or an S3-compatible server that enforces If-None-Match), see the CI and scaling guide.",
				d.settings.tokenCacheURL.value, d.settings.tokenCacheURL.source, notice))
	}
	return tok, source, diags, err
}

// persistentCache names the provider setting that makes access tokens
// outlive this process (token_cache_dir, token_cache_url), so a revoked one
// could be handed out later; "" when there is none.
func (d *providerData) persistentCache() (attr, env string) {
	switch {
	case d.settings.tokenCacheDir.value != "":
		return tokenCacheDirSetting.attr, tokenCacheDirSetting.env
	case d.settings.tokenCacheURL.value != nil:
		return tokenCacheURLSetting.attr, tokenCacheURLSetting.env
	}
	return "", ""
}

// cacheKey names the token for grant at ep in the token cache.
func (ep endpoint) cacheKey(g zoho.Grant) tokencache.Key {
	return tokencache.Key{AccountsURL: ep.accountsURL, ClientID: ep.clientID, ClientSecret: ep.clientSecret,
		RefreshToken: g.RefreshToken, Scopes: g.Scopes, SOID: g.SOID}
}
