package provider

// The provider's settings, one row each: its attribute, its ZOHO_*
// environment variable, its default, the one function that parses its
// text (the schema's validator calls it too, so a value obeys the same rule
// wherever it is written), how a refused value is worded, and its
// description. The provider's schema, the resolution of the block against
// the environment, the list of settings not known until apply, and the
// docs' defaults and variable names are all derived from the rows.
//
// Adding a setting is adding a row (declare) and reading it where it is
// used: xSetting.of(d.settings).value.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/objectstore"
)

// The rows, in the order the docs list them.
var (
	clientIDSetting = declare(&setting[string]{attr: "client_id", env: "ZOHO_CLIENT_ID",
		parse: parseCredential, invalid: invalidCredential,
		about: "Client ID of the Zoho OAuth client (API Console → your client, for example a Self Client). " +
			"Optional here when every resource sets its own."})
	clientSecretSetting = declare(&setting[string]{attr: "client_secret", env: "ZOHO_CLIENT_SECRET", sensitive: true,
		parse: parseCredential, invalid: invalidCredential,
		about: "Client secret of that client. May come from an ephemeral value (for example a secret manager's ephemeral resource)."})
	locationSetting       = declareLocation()
	requestTimeoutSetting = declare(&setting[time.Duration]{attr: "request_timeout", env: "ZOHO_REQUEST_TIMEOUT",
		def: zoho.DefaultRequestTimeout, shown: "30s", parse: parsePositiveDuration, invalid: invalidRequestTimeout,
		about: "Time limit of every HTTP attempt, and of every request to the shared token cache's store, as a Go duration such as `30s` or `1m`."})
	maxRetriesSetting = declare(&setting[int]{attr: "max_retries", env: "ZOHO_MAX_RETRIES", integer: true,
		def: zoho.DefaultMaxRetries, shown: fmt.Sprint(zoho.DefaultMaxRetries), parse: parseMaxRetries, invalid: invalidMaxRetries,
		about: fmt.Sprintf("How many times a failed request that is safe to repeat (refresh, client credentials, revoke: "+
			"network errors and 5xx answers) is retried, with exponential backoff and jitter; at most `%d`. A grant code "+
			"exchange is never repeated once it may have reached Zoho, since a code works only once.", maxRetriesLimit)})
	tokenCacheDirSetting = declare(&setting[string]{attr: "token_cache_dir", env: "ZOHO_TOKEN_CACHE_DIR",
		// The directory itself is checked when the cache opens (openTokenCache).
		parse: asWritten,
		about: "Directory for an opt-in, encrypted cache of access tokens shared by provider processes (`plan` and " +
			"`apply` are separate processes), so a plan followed by an apply mints one access token instead of two. " +
			"Entries are files of mode `0600`, sealed with AES-GCM under a key derived from the refresh token and client " +
			"secret. Created (mode `0700`) if missing."})
	minTokenLifeSetting = declare(&setting[time.Duration]{attr: "min_token_lifetime", env: "ZOHO_MIN_TOKEN_LIFETIME",
		def: 15 * time.Minute, shown: "15m", parse: parseTokenLifetime, invalid: invalidMinTokenLifetime,
		about: "How long a cached access token must still live to be handed out, as a Go duration shorter than the " +
			"token's hour, so that an apply that starts long after its plan never gets a token about to expire; a token " +
			"with less left is replaced by a new one."})
	// Parsing needs no network; the store is opened in Configure.
	tokenCacheURLSetting = declare(&setting[*objectstore.Location]{attr: "token_cache_url", env: "ZOHO_TOKEN_CACHE_URL",
		parse: objectstore.Parse, invalid: invalidTokenCacheURL,
		about: "Object store holding a token cache shared by every machine that points at it (a CI fleet), " +
			"so that jobs on fresh runners reuse one access token instead of minting one each: `file:///path` (a shared " +
			"volume), `s3://bucket/prefix?region=eu-west-1` (add `endpoint=https://host` and `use_path_style=true` for " +
			"S3-compatible stores such as MinIO, Ceph, R2 or SeaweedFS), `gs://bucket/prefix` or `azblob://container/prefix?storage_account=NAME` (the storage account is required, in the URL or `AZURE_STORAGE_ACCOUNT`). " +
			"Entries are sealed exactly as in `token_cache_dir` and named by hashes: whoever can read the bucket learns " +
			"nothing usable. Looked up after memory and `token_cache_dir`, before Zoho. On a miss one job takes a lease " +
			"(the store's create-if-absent write), mints and publishes the outcome, a token or Zoho's refusal, while the " +
			"others wait for it: a fleet mints once, and a throttled or revoked token is asked about once. Each store " +
			"request is bounded by `request_timeout`; ages are read on the store's clock, so skewed runner clocks " +
			"do no harm. Credentials come from each cloud's standard chain (environment, profile, workload " +
			"identity), never from the URL. A store that fails or hangs costs one warning and the run goes on without it. " +
			"See the CI and scaling guide."})
)

// settingRow is what the schema and the resolution need of a row.
type settingRow interface {
	// attributes are the row's attributes in the provider block.
	attributes() map[string]schema.Attribute
	// resolve reads the row's value from the block, else the environment,
	// else the default: a resolved[T] of the row's type.
	resolve(cfg providerConfig, getenv func(string) string, diags *diag.Diagnostics) any
	// name is how messages name the setting.
	name() string
}

// settingRows are the rows in declaration order.
var settingRows []settingRow

func declare[T any](s *setting[T]) *setting[T] {
	settingRows = append(settingRows, s)
	return s
}

// providerConfig is the provider block, attribute by attribute (an absent
// one is null): types.String, or types.Int64 for integer settings.
type providerConfig map[string]attr.Value

// providerSettings are the provider block's values, completed from the
// environment and the defaults: one resolved value per row.
type providerSettings struct {
	values map[settingRow]any
}

// resolveSettings merges the provider block with ZOHO_* variables (the block
// wins); environment values are parsed exactly as config values are.
func resolveSettings(cfg providerConfig, getenv func(string) string) (providerSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := providerSettings{values: map[settingRow]any{}}
	for _, row := range settingRows {
		s.values[row] = row.resolve(cfg, getenv, &diags)
	}
	return s, diags
}

// pending names the provider settings not known until apply.
func (s providerSettings) pending() []string {
	var names []string
	for _, row := range settingRows {
		if p, ok := s.values[row].(interface{ isPending() bool }); ok && p.isPending() {
			names = append(names, row.name())
		}
	}
	return names
}

// providerAttributes is the provider block's schema, from the rows.
func providerAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{}
	for _, row := range settingRows {
		for name, a := range row.attributes() {
			attrs[name] = a
		}
	}
	return attrs
}

// setting is one row: where it is written, how its text is read and what
// the docs say of it. invalid words what parse refused; its source says
// where the text was ("provider attribute max_retries", "environment
// variable ZOHO_MAX_RETRIES").
type setting[T any] struct {
	attr      string
	env       string
	def       T
	shown     string // the default as the docs show it; "" when there is none to show
	integer   bool   // an Int64 attribute; the others are strings
	sensitive bool
	about     string // what it is for; the default and the variable are added
	parse     func(string) (T, error)
	invalid   func(attr, source, raw string, err error) (summary, detail string)
}

func (s *setting[T]) name() string { return s.attr }

// description is about, then the default and the environment variable, as
// every attribute's docs say them.
func (s *setting[T]) description() string {
	d := s.about
	if s.shown != "" {
		d += " Defaults to `" + s.shown + "`."
	}
	return d + " Also `" + s.env + "`."
}

func (s *setting[T]) attributes() map[string]schema.Attribute {
	if s.integer {
		// An Int64 in the block; parse holds its text to the same bounds.
		return map[string]schema.Attribute{s.attr: schema.Int64Attribute{Optional: true, MarkdownDescription: s.description(),
			Validators: []validator.Int64{int64validator.Between(0, maxRetriesLimit)}}}
	}
	return map[string]schema.Attribute{s.attr: schema.StringAttribute{Optional: true, Sensitive: s.sensitive,
		MarkdownDescription: s.description(), Validators: []validator.String{settingValidator[T]{s}}}}
}

func (s *setting[T]) resolve(cfg providerConfig, getenv func(string) string, diags *diag.Diagnostics) any {
	return s.fromProvider(cfg.text(s.attr), getenv, diags)
}

// of is the row's value in s.
func (s *setting[T]) of(ps providerSettings) resolved[T] {
	v, _ := ps.values[s].(resolved[T])
	return v
}

// text is the attribute as the text an environment variable holds (an
// Int64 too).
func (cfg providerConfig) text(name string) types.String {
	switch v := cfg[name].(type) {
	case types.String:
		return v
	case types.Int64:
		switch {
		case v.IsUnknown():
			return types.StringUnknown()
		case v.IsNull():
			return types.StringNull()
		}
		return types.StringValue(fmt.Sprint(v.ValueInt64()))
	}
	return types.StringNull()
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

func (r resolved[T]) isPending() bool { return r.pending }

// read parses raw, reporting what parse refuses against the attribute.
func (s *setting[T]) read(raw, source string, diags *diag.Diagnostics) resolved[T] {
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
func (s *setting[T]) in(where string, v types.String, diags *diag.Diagnostics) (resolved[T], bool) {
	switch {
	case v.IsNull():
		return resolved[T]{}, false
	case v.IsUnknown():
		return resolved[T]{value: s.def, pending: true}, true
	}
	return s.read(v.ValueString(), where+" attribute "+s.attr, diags), true
}

// inEnvironment reads the environment variable; empty counts as unset.
func (s *setting[T]) inEnvironment(getenv func(string) string, diags *diag.Diagnostics) (resolved[T], bool) {
	raw := getenv(s.env)
	if raw == "" {
		return resolved[T]{}, false
	}
	return s.read(raw, "environment variable "+s.env, diags), true
}

// fromProvider is the provider's value: its block's, else the environment's,
// else the default.
func (s *setting[T]) fromProvider(v types.String, getenv func(string) string, diags *diag.Diagnostics) resolved[T] {
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

// location is the one setting written with two attributes: accounts_url,
// or data_center (whose accounts URL it names), which conflict in a block.
type location struct {
	url setting[string]
	dc  setting[zoho.DataCenter]
}

func declareLocation() *location {
	l := &location{
		url: setting[string]{attr: "accounts_url", env: "ZOHO_ACCOUNTS_URL", parse: zoho.NormalizeAccountsURL, invalid: invalidAccountsURL,
			about: "Accounts server URL, overriding `data_center` (for a data center this provider does not list yet, or a " +
				"local emulator). Must be `https://`, except loopback hosts (`127.0.0.0/8`, `::1`, `localhost`), which may use `http://`."},
		dc: setting[zoho.DataCenter]{attr: "data_center", env: "ZOHO_DATA_CENTER", shown: zoho.DefaultDataCenter,
			parse: parseDataCenter, invalid: invalidDataCenter,
			about: "Zoho data center where the client was registered: " + dataCenterList() + ". A client exists in one " +
				"data center only: a wrong one answers `invalid_client`."},
	}
	settingRows = append(settingRows, l)
	return l
}

// locationName is how messages name the accounts URL, which accounts_url or
// data_center sets.
const locationName = "accounts_url/data_center"

func (l *location) name() string { return locationName }

func (l *location) attributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		l.url.attr: schema.StringAttribute{Optional: true, MarkdownDescription: l.url.description(),
			Validators: []validator.String{accountsURLValidator{}}},
		l.dc.attr: schema.StringAttribute{Optional: true, MarkdownDescription: l.dc.description(),
			Validators: []validator.String{dataCenterValidator(), stringvalidator.ConflictsWith(path.MatchRoot(l.url.attr))}},
	}
}

// resolve applies the precedence: accounts_url, then data_center in the
// block; then ZOHO_ACCOUNTS_URL, then ZOHO_DATA_CENTER; then "us".
func (l *location) resolve(cfg providerConfig, getenv func(string) string, diags *diag.Diagnostics) any {
	url, dc := cfg.text(l.url.attr), cfg.text(l.dc.attr)
	if url.IsUnknown() || dc.IsUnknown() {
		return resolved[string]{pending: true}
	}
	if r, ok := l.url.in("provider", url, diags); ok {
		return r
	}
	if r, ok := l.dc.in("provider", dc, diags); ok {
		return accountsURLOf(r)
	}
	if r, ok := l.url.inEnvironment(getenv, diags); ok {
		return r
	}
	if r, ok := l.dc.inEnvironment(getenv, diags); ok {
		return accountsURLOf(r)
	}
	return accountsURLOf(l.dc.read(zoho.DefaultDataCenter, "the default data center", diags))
}

// of is the accounts URL in s.
func (l *location) of(ps providerSettings) resolved[string] {
	v, _ := ps.values[l].(resolved[string])
	return v
}

// inBlock is a block's own accounts URL, if it sets accounts_url or
// data_center (pending when either is not known until apply).
func (l *location) inBlock(url, dc types.String, diags *diag.Diagnostics) (resolved[string], bool) {
	if r, ok := l.url.in("block", url, diags); ok {
		return r, true
	}
	if r, ok := l.dc.in("block", dc, diags); ok {
		return accountsURLOf(r), true
	}
	return resolved[string]{}, false
}

// accountsURLOf is a data center's accounts URL; its source names the code.
func accountsURLOf(dc resolved[zoho.DataCenter]) resolved[string] {
	return resolved[string]{value: dc.value.AccountsURL, source: dc.source + " (" + dc.value.Code + ")", pending: dc.pending}
}

// dataCenterList is the data center codes as the docs list them.
func dataCenterList() string {
	codes := zoho.DataCenterCodes()
	for i, c := range codes {
		codes[i] = "`" + c + "`"
	}
	return strings.Join(codes, ", ")
}

// settingValidator checks a provider attribute as its environment variable
// is checked: the setting's own parse, and its wording.
type settingValidator[T any] struct{ setting *setting[T] }

func (v settingValidator[T]) Description(context.Context) string {
	return "must be a valid " + v.setting.attr + ", as " + v.setting.env + " must"
}

func (v settingValidator[T]) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v settingValidator[T]) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	v.setting.in("provider", req.ConfigValue, &resp.Diagnostics)
}
