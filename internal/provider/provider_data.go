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
	tokens, cacheDiags := openTokenCache(settings.tokenCacheDir, settings.minTokenLife.value, p.opts.now)
	diags.Append(cacheDiags...)
	return &providerData{
		settings: settings,
		clientConfig: zoho.Config{
			RequestTimeout: settings.requestTimeout.value,
			MaxRetries:     settings.maxRetries.value,
			RetryWaitMin:   p.opts.retryWaitMin,
			RetryWaitMax:   p.opts.retryWaitMax,
			UserAgent:      fmt.Sprintf("terraform-provider-zoho/%s (+https://registry.terraform.io/providers/cd40c554/zoho; CLI %s)", p.version, terraformVersion),
			Transport:      cleanhttp.DefaultPooledTransport(),
			Log:            logToTflog,
			Now:            p.opts.now,
		},
		tokens:  tokens,
		clock:   p.opts.now,
		environ: p.opts.getenv,
	}, diags
}

// openTokenCache makes the provider's token cache; with a directory, it
// creates it (mode 0700) when missing and checks it. An entry it cannot
// write is one warning, and the run goes on.
func openTokenCache(dir resolved[string], minLifetime time.Duration, now func() time.Time) (*tokencache.Cache, diag.Diagnostics) {
	var diags diag.Diagnostics
	tokens, err := tokencache.New(tokencache.Options{
		Dir:          dir.value,
		MinRemaining: minLifetime,
		Now:          now,
		WriteFailed: func(ctx context.Context, err error) {
			tflog.Warn(ctx, "could not write the Zoho token cache; the next process will mint again",
				map[string]any{"token_cache_dir": dir.value, "error": err.Error()})
		},
	})
	if err != nil {
		diags.AddAttributeError(path.Root("token_cache_dir"), "Unusable Zoho Token Cache Directory",
			fmt.Sprintf("The %s is %q, which cannot be used: %s. Point it at a directory this user may create and write, or unset it.", dir.source, dir.value, err))
	}
	return tokens, diags
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
// the provider's cache (memory, then token_cache_dir) or from one request
// shared by every concurrent caller with the same credentials; otherwise it
// is minted for the caller alone (who will revoke it).
func (d *providerData) accessToken(ctx context.Context, ep endpoint, grant zoho.Grant, shared bool) (*zoho.Token, tokencache.Source, error) {
	client := d.clientFor(ep)
	if !shared {
		tok, err := client.Mint(ctx, grant)
		return tok, tokencache.SourceMinted, err
	}
	return d.tokens.Get(ctx, ep.cacheKey(grant), client)
}

// cachesTokensOnDisk reports whether access tokens outlive this process
// (token_cache_dir), so a revoked one could be handed out later.
func (d *providerData) cachesTokensOnDisk() bool { return d.settings.tokenCacheDir.value != "" }

// cacheKey names the token for grant at ep in the token cache.
func (ep endpoint) cacheKey(g zoho.Grant) tokencache.Key {
	return tokencache.Key{AccountsURL: ep.accountsURL, ClientID: ep.clientID, ClientSecret: ep.clientSecret,
		RefreshToken: g.RefreshToken, Scopes: g.Scopes, SOID: g.SOID}
}
