package provider

import (
	"context"
	"fmt"
	"os"
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

// newProviderData resolves the provider's settings, opens its token cache
// (creating token_cache_dir if missing) and prepares its clients.
func newProviderData(opts options, version string, cfg providerConfig, terraformVersion string) (*providerData, diag.Diagnostics) {
	settings, diags := resolveSettings(cfg, opts.getenv)
	clientConfig := zoho.Config{
		RequestTimeout: requestTimeoutSetting.of(settings).value,
		MaxRetries:     maxRetriesSetting.of(settings).value,
		RetryWaitMin:   opts.retryWaitMin,
		RetryWaitMax:   opts.retryWaitMax,
		UserAgent:      fmt.Sprintf("terraform-provider-zoho/%s (+https://registry.terraform.io/providers/cd40c554/zoho; CLI %s)", version, terraformVersion),
		Transport:      cleanhttp.DefaultPooledTransport(),
		Log:            logToTflog,
		Now:            opts.now,
	}
	tokens, cacheDiags := openTokenCache(settings, opts.now, clientConfig.MintBudget())
	diags.Append(cacheDiags...)
	return &providerData{
		settings:     settings,
		clientConfig: clientConfig,
		tokens:       tokens,
		clock:        opts.now,
		environ:      opts.getenv,
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
	dir := tokenCacheDirSetting.of(s)
	opts := tokencache.Options{
		Dir:          dir.value,
		MinRemaining: minTokenLifeSetting.of(s).value,
		Now:          now,
		WriteFailed: func(ctx context.Context, err error) {
			tflog.Warn(ctx, "could not write the Zoho token cache; the next process will mint again",
				map[string]any{"token_cache_dir": dir.value, "error": err.Error()})
		},
		StoreTimeout: requestTimeoutSetting.of(s).value,
		MintBudget:   mintBudget,
		Debug: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(ctx, msg, fields)
		},
	}
	if loc := tokenCacheURLSetting.of(s).value; loc != nil {
		// A cloud's credential source may keep this context for every later
		// token fetch (x/oauth2/google does), so it never ends; Open bounds
		// its own search for credentials, and each request is bounded too.
		store, err := objectstore.Open(context.Background(), loc, objectstore.Options{RequestTimeout: requestTimeoutSetting.of(s).value})
		if err != nil {
			addSharedCacheWarning(&diags, tokenCacheURLSetting.of(s), err)
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
	return withMasking(ctx, append(secrets, clientSecretSetting.of(d.settings).value)...)
}

// persistentCache names the provider setting that makes access tokens
// outlive this process (token_cache_dir, token_cache_url), so a revoked one
// could be handed out later; "" when there is none.
func (d *providerData) persistentCache() (attr, env string) {
	switch {
	case tokenCacheDirSetting.of(d.settings).value != "":
		return tokenCacheDirSetting.attr, tokenCacheDirSetting.env
	case tokenCacheURLSetting.of(d.settings).value != nil:
		return tokenCacheURLSetting.attr, tokenCacheURLSetting.env
	}
	return "", ""
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
