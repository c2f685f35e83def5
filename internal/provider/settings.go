package provider

// The provider's settings, each declared once: its attribute, its ZOHO_*
// environment variable and the one function that parses its text, which the
// schema's validators call too, so a value obeys the same rule wherever it
// is written. Here also is the whole precedence chain: a block's own value
// (resource, ephemeral resource, data source), then the provider block's,
// then the environment's, then the default.
//
// A provider setting is added in this file: its environment variable, its
// providerModel field and attribute, its entry in the setting table, its
// providerSettings field and its line in resolveSettings. What it controls
// then reads it from providerSettings (see newProviderData).

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/objectstore"
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
	envMinTokenLife   = "ZOHO_MIN_TOKEN_LIFETIME"
	envTokenCacheURL  = "ZOHO_TOKEN_CACHE_URL"
)

const maxRetriesLimit = 10

type providerModel struct {
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	DataCenter     types.String `tfsdk:"data_center"`
	AccountsURL    types.String `tfsdk:"accounts_url"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	TokenCacheDir  types.String `tfsdk:"token_cache_dir"`
	MinTokenLife   types.String `tfsdk:"min_token_lifetime"`
	TokenCacheURL  types.String `tfsdk:"token_cache_url"`
}

func providerAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
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
			Validators: []validator.String{settingValidator[time.Duration]{requestTimeoutSetting}},
		},
		"max_retries": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("How many times a failed request that is safe to repeat (refresh, "+
				"client credentials, revoke: network errors and 5xx answers) is retried, with exponential backoff "+
				"and jitter. Defaults to `%d`; at most `%d`. A grant code exchange is never repeated once it may "+
				"have reached Zoho, since a code works only once. Also `%s`.", zoho.DefaultMaxRetries, maxRetriesLimit, envMaxRetries),
			// An Int64 in the block; parseMaxRetries holds its text to the same bounds.
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
		"min_token_lifetime": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "How long a cached access token must still live to be handed out, as a Go duration shorter than " +
				"the token's hour. Defaults to `15m`, so an apply that starts long after its plan never gets a token about to expire; " +
				"a token with less left is replaced by a new one. Also `" + envMinTokenLife + "`.",
			Validators: []validator.String{settingValidator[time.Duration]{minTokenLifeSetting}},
		},
		"token_cache_url": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Object store holding a token cache shared by every machine that points at it (a CI fleet), " +
				"so that jobs on fresh runners reuse one access token instead of minting one each: `file:///path` (a shared " +
				"volume), `s3://bucket/prefix?region=eu-west-1` (add `endpoint=https://host` and `use_path_style=true` for " +
				"S3-compatible stores such as MinIO, Ceph, R2 or SeaweedFS), `gs://bucket/prefix` or `azblob://container/prefix`. " +
				"Entries are sealed exactly as in `token_cache_dir` and named by hashes: whoever can read the bucket learns " +
				"nothing usable. Looked up after memory and `token_cache_dir`, before Zoho. On a miss one job takes a lease " +
				"(the store's create-if-absent write), mints and publishes the outcome, a token or Zoho's refusal, while the " +
				"others wait for it: a fleet mints once, and a throttled or revoked token is asked about once. Each store " +
				"request is bounded by `request_timeout`; ages are read on the store's clock, so skewed runner clocks " +
				"do no harm. Credentials come from each cloud's standard chain (environment, profile, workload " +
				"identity), never from the URL. A store that fails or hangs costs one warning and the run goes on without it. " +
				"See the CI and scaling guide. Also `" + envTokenCacheURL + "`.",
			Validators: []validator.String{settingValidator[*objectstore.Location]{tokenCacheURLSetting}},
		},
	}
}

// setting is one provider setting: where it is written and how its text is
// read. invalid words what parse refused; source says where the text was
// ("provider attribute max_retries", "environment variable ZOHO_MAX_RETRIES").
type setting[T any] struct {
	attr    string
	env     string
	def     T
	parse   func(string) (T, error)
	invalid func(attr, source, raw string, err error) (summary, detail string)
}

// The setting table.
var (
	clientIDSetting     = setting[string]{attr: "client_id", env: envClientID, parse: parseCredential, invalid: invalidCredential}
	clientSecretSetting = setting[string]{attr: "client_secret", env: envClientSecret, parse: parseCredential, invalid: invalidCredential}
	accountsURLSetting  = setting[string]{attr: "accounts_url", env: envAccountsURL, parse: zoho.NormalizeAccountsURL, invalid: invalidAccountsURL}
	dataCenterSetting   = setting[zoho.DataCenter]{attr: "data_center", env: envDataCenter, parse: parseDataCenter, invalid: invalidDataCenter}

	requestTimeoutSetting = setting[time.Duration]{attr: "request_timeout", env: envRequestTimeout,
		def: zoho.DefaultRequestTimeout, parse: parsePositiveDuration, invalid: invalidRequestTimeout}
	maxRetriesSetting = setting[int]{attr: "max_retries", env: envMaxRetries,
		def: zoho.DefaultMaxRetries, parse: parseMaxRetries, invalid: invalidMaxRetries}
	minTokenLifeSetting = setting[time.Duration]{attr: "min_token_lifetime", env: envMinTokenLife,
		def: 15 * time.Minute, parse: parseTokenLifetime, invalid: invalidMinTokenLifetime}
	// The directory itself is checked when the cache opens (openTokenCache).
	tokenCacheDirSetting = setting[string]{attr: "token_cache_dir", env: envTokenCacheDir, parse: asWritten}
	// Parsing needs no network; the store is opened in Configure.
	tokenCacheURLSetting = setting[*objectstore.Location]{attr: "token_cache_url", env: envTokenCacheURL,
		parse: objectstore.Parse, invalid: invalidTokenCacheURL}
)

// parseCredential accepts a credential or code as Zoho shows it: not empty,
// and without white space around it (a pasted newline or space would only
// come back from Zoho as a puzzling invalid_client or invalid_code).
func parseCredential(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("is empty")
	case strings.TrimSpace(s) != s:
		return "", errors.New("starts or ends with white space (a space, tab or line break)")
	}
	return s, nil
}

func parseDataCenter(s string) (zoho.DataCenter, error) {
	dc, ok := zoho.LookupDataCenter(s)
	if !ok {
		return dc, errors.New("no Zoho data center")
	}
	return dc, nil
}

func parsePositiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("not a duration")
	}
	if d <= 0 {
		return 0, fmt.Errorf("not longer than zero")
	}
	return d, nil
}

// parseTokenLifetime is a positive duration shorter than the hour an access
// token lives: a longer margin would make every cached token too old.
func parseTokenLifetime(s string) (time.Duration, error) {
	d, err := parsePositiveDuration(s)
	if err == nil && d >= time.Hour {
		return 0, errors.New("not shorter than the hour an access token lives")
	}
	return d, err
}

func parseMaxRetries(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > maxRetriesLimit {
		return 0, fmt.Errorf("not a whole number from 0 to %d", maxRetriesLimit)
	}
	return n, nil
}

func asWritten(s string) (string, error) { return s, nil }

func invalidCredential(attr, source, _ string, err error) (string, string) {
	return "Invalid " + attr, fmt.Sprintf("The %s %s. Set it exactly as Zoho shows it (no quotes, spaces or line breaks around it).", source, err)
}

func invalidAccountsURL(_, source, _ string, err error) (string, string) {
	return "Invalid Zoho Accounts URL", fmt.Sprintf("The %s is not usable: %s.", source, err)
}

func invalidDataCenter(_, source, raw string, _ error) (string, string) {
	return "Unknown Zoho Data Center", fmt.Sprintf("The %s is %q, which is no Zoho data center. Valid values: %s.",
		source, raw, strings.Join(zoho.DataCenterCodes(), ", "))
}

func invalidRequestTimeout(_, source, raw string, err error) (string, string) {
	return "Invalid Zoho Request Timeout", fmt.Sprintf("The %s is %q, which is %s. Use a Go duration such as \"30s\" or \"2m\".", source, raw, err)
}

func invalidMinTokenLifetime(_, source, raw string, err error) (string, string) {
	return "Invalid Zoho Minimum Token Lifetime", fmt.Sprintf("The %s is %q, which is %s. Use a Go duration shorter than an hour, such as \"15m\".", source, raw, err)
}

// invalidTokenCacheURL never quotes the URL: it may carry credentials, which
// is one of the things refused (objectstore's errors are redacted).
func invalidTokenCacheURL(_, source, _ string, err error) (string, string) {
	return "Invalid Zoho Token Cache URL", fmt.Sprintf("The %s is not usable: %s.", source, err)
}

func invalidMaxRetries(_, source, raw string, _ error) (string, string) {
	return "Invalid Zoho Max Retries", fmt.Sprintf("The %s is %q; it must be a whole number from 0 to %d.", source, raw, maxRetriesLimit)
}

// resolved is one setting's value and where it came from ("provider
// attribute client_id", "environment variable ZOHO_CLIENT_ID"; "" for the
// default). pending: the provider block's value is not known until apply (it
// comes from something not created yet), and value is the default.
type resolved[T any] struct {
	value   T
	source  string
	pending bool
}

// read parses raw, reporting what parse refuses against the attribute.
func (s setting[T]) read(raw, source string, diags *diag.Diagnostics) resolved[T] {
	v, err := s.parse(raw)
	if err != nil {
		summary, detail := s.invalid(s.attr, source, raw, err)
		diags.AddAttributeError(path.Root(s.attr), summary, detail)
	}
	return resolved[T]{value: v, source: source}
}

// in reads v when it is set: a value, or one not known until apply
// (pending); where ("provider", "block") says whose attribute it is, in a
// diagnostic.
func (s setting[T]) in(where string, v types.String, diags *diag.Diagnostics) (resolved[T], bool) {
	switch {
	case v.IsNull():
		return resolved[T]{}, false
	case v.IsUnknown():
		return resolved[T]{value: s.def, pending: true}, true
	}
	return s.read(v.ValueString(), where+" attribute "+s.attr, diags), true
}

// inEnvironment reads the environment variable; empty counts as unset.
func (s setting[T]) inEnvironment(getenv func(string) string, diags *diag.Diagnostics) (resolved[T], bool) {
	raw := getenv(s.env)
	if raw == "" {
		return resolved[T]{}, false
	}
	return s.read(raw, "environment variable "+s.env, diags), true
}

// fromProvider is the provider's value: its block's, else the environment's,
// else the default.
func (s setting[T]) fromProvider(v types.String, getenv func(string) string, diags *diag.Diagnostics) resolved[T] {
	if v.IsUnknown() {
		return resolved[T]{value: s.def, pending: true}
	}
	if r, ok := s.in("provider", v, diags); ok {
		return r
	}
	if r, ok := s.inEnvironment(getenv, diags); ok {
		return r
	}
	return resolved[T]{value: s.def}
}

// providerSettings are the provider block's values, completed from the
// environment and the defaults.
type providerSettings struct {
	clientID       resolved[string]
	clientSecret   resolved[string]
	accountsURL    resolved[string] // from accounts_url or data_center: see resolveLocation
	requestTimeout resolved[time.Duration]
	maxRetries     resolved[int]
	tokenCacheDir  resolved[string]
	minTokenLife   resolved[time.Duration]
	tokenCacheURL  resolved[*objectstore.Location]
}

// resolveSettings merges the provider block with ZOHO_* variables (the block
// wins); environment values are parsed exactly as config values are.
func resolveSettings(cfg providerModel, getenv func(string) string) (providerSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := providerSettings{
		clientID:       clientIDSetting.fromProvider(cfg.ClientID, getenv, &diags),
		clientSecret:   clientSecretSetting.fromProvider(cfg.ClientSecret, getenv, &diags),
		accountsURL:    resolveLocation(cfg, getenv, &diags),
		requestTimeout: requestTimeoutSetting.fromProvider(cfg.RequestTimeout, getenv, &diags),
		maxRetries:     maxRetriesSetting.fromProvider(int64Text(cfg.MaxRetries), getenv, &diags),
		tokenCacheDir:  tokenCacheDirSetting.fromProvider(cfg.TokenCacheDir, getenv, &diags),
		minTokenLife:   minTokenLifeSetting.fromProvider(cfg.MinTokenLife, getenv, &diags),
		tokenCacheURL:  tokenCacheURLSetting.fromProvider(cfg.TokenCacheURL, getenv, &diags),
	}
	return s, diags
}

// locationName is how messages name the accounts URL, which accounts_url or
// data_center sets.
const locationName = "accounts_url/data_center"

// resolveLocation applies the precedence: accounts_url, then data_center in
// the block; then ZOHO_ACCOUNTS_URL, then ZOHO_DATA_CENTER; then "us".
func resolveLocation(cfg providerModel, getenv func(string) string, diags *diag.Diagnostics) resolved[string] {
	if cfg.AccountsURL.IsUnknown() || cfg.DataCenter.IsUnknown() {
		return resolved[string]{pending: true}
	}
	if url, ok := accountsURLSetting.in("provider", cfg.AccountsURL, diags); ok {
		return url
	}
	if dc, ok := dataCenterSetting.in("provider", cfg.DataCenter, diags); ok {
		return accountsURLOf(dc)
	}
	if url, ok := accountsURLSetting.inEnvironment(getenv, diags); ok {
		return url
	}
	if dc, ok := dataCenterSetting.inEnvironment(getenv, diags); ok {
		return accountsURLOf(dc)
	}
	return accountsURLOf(dataCenterSetting.read(zoho.DefaultDataCenter, "the default data center", diags))
}

// accountsURLOf is a data center's accounts URL; its source names the code.
func accountsURLOf(dc resolved[zoho.DataCenter]) resolved[string] {
	return resolved[string]{value: dc.value.AccountsURL, source: dc.source + " (" + dc.value.Code + ")", pending: dc.pending}
}

// int64Text is an Int64 attribute as the text an environment variable holds.
func int64Text(v types.Int64) types.String {
	switch {
	case v.IsUnknown():
		return types.StringUnknown()
	case v.IsNull():
		return types.StringNull()
	}
	return types.StringValue(strconv.FormatInt(v.ValueInt64(), 10))
}

// pending names the provider settings not known until apply.
func (s providerSettings) pending() []string {
	var names []string
	for _, p := range []struct {
		name    string
		pending bool
	}{
		{clientIDSetting.attr, s.clientID.pending},
		{clientSecretSetting.attr, s.clientSecret.pending},
		{locationName, s.accountsURL.pending},
		{requestTimeoutSetting.attr, s.requestTimeout.pending},
		{maxRetriesSetting.attr, s.maxRetries.pending},
		{tokenCacheDirSetting.attr, s.tokenCacheDir.pending},
		{minTokenLifeSetting.attr, s.minTokenLife.pending},
		{tokenCacheURLSetting.attr, s.tokenCacheURL.pending},
	} {
		if p.pending {
			names = append(names, p.name)
		}
	}
	return names
}

// clientOverrides are a block's own client and location, which win over
// the provider's; every resource kind has them.
type clientOverrides struct {
	ClientID     types.String
	ClientSecret types.String
	DataCenter   types.String
	AccountsURL  types.String
}

// endpoint is where and as whom a call to Zoho is made.
type endpoint struct {
	accountsURL  string
	clientID     string
	clientSecret string
}

// resolveEndpoint puts a block's overrides over the provider's settings.
// pending names the provider settings the call needs that are not known
// until apply (diags then say so). A missing credential is an error naming
// both the attribute and the environment variable.
func (d *providerData) resolveEndpoint(o clientOverrides) (endpoint, []string, diag.Diagnostics) {
	var diags diag.Diagnostics
	clientID, ok := clientIDSetting.in("block", o.ClientID, &diags)
	if !ok {
		clientID = d.settings.clientID
	}
	clientSecret, ok := clientSecretSetting.in("block", o.ClientSecret, &diags)
	if !ok {
		clientSecret = d.settings.clientSecret
	}
	location, ok := accountsURLSetting.in("block", o.AccountsURL, &diags)
	if !ok {
		location = d.settings.accountsURL
		if dc, ok := dataCenterSetting.in("block", o.DataCenter, &diags); ok {
			location = accountsURLOf(dc)
		}
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
		return endpoint{}, pending, diags
	}

	ep := endpoint{accountsURL: location.value, clientID: clientID.value, clientSecret: clientSecret.value}
	if ep.clientID == "" {
		diags.AddError("Missing Zoho Client ID",
			"No Zoho client ID is configured. Set client_id on this block or in the provider block, or the "+envClientID+" environment variable. "+
				"It is shown in the Zoho API Console for your client.")
	}
	if ep.clientSecret == "" {
		diags.AddError("Missing Zoho Client Secret",
			"No Zoho client secret is configured. Set client_secret on this block or in the provider block, or the "+envClientSecret+" environment variable.")
	}
	return ep, nil, diags
}
