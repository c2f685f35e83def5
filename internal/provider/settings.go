package provider

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

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
		o.now = time.Now
	}
	return o
}

// setting is one resolved value and where it came from, for diagnostics.
type setting struct {
	value  string
	source string // "provider attribute client_id", "environment variable ZOHO_CLIENT_ID", ...
}

// providerData is what Configure hands to every resource kind.
type providerData struct {
	clientID       setting
	clientSecret   setting
	accountsURL    setting
	requestTimeout time.Duration
	maxRetries     int
	tokenCacheDir  string
	// tokens shares access tokens between instances in this process and,
	// with tokenCacheDir, between processes.
	tokens *tokencache.Cache
	// unknown lists provider attributes whose values are not known yet
	// (they depend on something not yet applied); reported when needed.
	unknown []string

	userAgent string
	transport http.RoundTripper
	opts      options
}

// resolveSettings merges the provider block with ZOHO_* variables (the block
// wins) and validates environment values exactly as config values are.
func (p *zohoProvider) resolveSettings(cfg providerModel, terraformVersion string) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	d := &providerData{
		userAgent: fmt.Sprintf("terraform-provider-zoho/%s (+https://registry.terraform.io/providers/cd40c554/zoho; CLI %s)", p.version, terraformVersion),
		transport: cleanhttp.DefaultPooledTransport(),
		opts:      p.opts,
	}
	pick := func(attr string, v types.String, env string) setting {
		switch {
		case v.IsUnknown():
			d.unknown = append(d.unknown, attr)
			return setting{}
		case !v.IsNull():
			return setting{value: v.ValueString(), source: "provider attribute " + attr}
		case p.opts.getenv(env) != "":
			return setting{value: p.opts.getenv(env), source: "environment variable " + env}
		}
		return setting{}
	}
	d.clientID = pick("client_id", cfg.ClientID, envClientID)
	d.clientSecret = pick("client_secret", cfg.ClientSecret, envClientSecret)
	// The schema checks config values; environment values get the same rule.
	for attr, s := range map[string]setting{"client_id": d.clientID, "client_secret": d.clientSecret} {
		if s.value == "" || !strings.HasPrefix(s.source, "environment") {
			continue
		}
		if problem := credentialProblem(s.value); problem != "" {
			diags.AddAttributeError(path.Root(attr), "Invalid "+attr,
				fmt.Sprintf("The %s %s. Set it exactly as Zoho shows it (no quotes, spaces or line breaks around it).", s.source, problem))
		}
	}
	d.accountsURL = p.resolveAccountsURL(cfg, d, &diags)

	timeout := pick("request_timeout", cfg.RequestTimeout, envRequestTimeout)
	d.requestTimeout = zoho.DefaultRequestTimeout
	if timeout.value != "" {
		dur, err := parsePositiveDuration(timeout.value)
		if err != nil {
			diags.AddAttributeError(path.Root("request_timeout"), "Invalid Zoho Request Timeout",
				fmt.Sprintf("request_timeout (the %s) is %q: %s. Use a Go duration such as \"30s\" or \"2m\".", timeout.source, timeout.value, err))
		}
		d.requestTimeout = dur
	}

	d.maxRetries = zoho.DefaultMaxRetries
	switch {
	case cfg.MaxRetries.IsUnknown():
		d.unknown = append(d.unknown, "max_retries")
	case !cfg.MaxRetries.IsNull():
		d.maxRetries = int(cfg.MaxRetries.ValueInt64())
	case p.opts.getenv(envMaxRetries) != "":
		n, err := strconv.Atoi(strings.TrimSpace(p.opts.getenv(envMaxRetries)))
		if err != nil || n < 0 || n > maxRetriesLimit {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid Zoho Max Retries",
				fmt.Sprintf("The environment variable %s is %q; it must be a whole number from 0 to %d.", envMaxRetries, p.opts.getenv(envMaxRetries), maxRetriesLimit))
		}
		d.maxRetries = n
	}
	cacheDir := pick("token_cache_dir", cfg.TokenCacheDir, envTokenCacheDir)
	d.tokenCacheDir = cacheDir.value
	tokens, err := tokencache.New(tokencache.Options{Dir: d.tokenCacheDir, Now: p.opts.now})
	if err != nil {
		diags.AddAttributeError(path.Root("token_cache_dir"), "Unusable Zoho Token Cache Directory",
			fmt.Sprintf("The %s is %q, which cannot be used: %s. Point it at a directory this user may create and write, or unset it.", cacheDir.source, cacheDir.value, err))
	}
	d.tokens = tokens
	return d, diags
}

// resolveAccountsURL applies the precedence: accounts_url, then data_center
// in the block; then ZOHO_ACCOUNTS_URL, then ZOHO_DATA_CENTER; then "us".
func (p *zohoProvider) resolveAccountsURL(cfg providerModel, d *providerData, diags *diag.Diagnostics) setting {
	if cfg.AccountsURL.IsUnknown() || cfg.DataCenter.IsUnknown() {
		d.unknown = append(d.unknown, "accounts_url/data_center")
		return setting{}
	}
	switch {
	case !cfg.AccountsURL.IsNull():
		return checkAccountsURL(setting{cfg.AccountsURL.ValueString(), "provider attribute accounts_url"}, diags)
	case !cfg.DataCenter.IsNull():
		return checkDataCenter(setting{cfg.DataCenter.ValueString(), "provider attribute data_center"}, diags)
	case p.opts.getenv(envAccountsURL) != "":
		return checkAccountsURL(setting{p.opts.getenv(envAccountsURL), "environment variable " + envAccountsURL}, diags)
	case p.opts.getenv(envDataCenter) != "":
		return checkDataCenter(setting{p.opts.getenv(envDataCenter), "environment variable " + envDataCenter}, diags)
	}
	return checkDataCenter(setting{zoho.DefaultDataCenter, "the default data center"}, diags)
}

func checkAccountsURL(s setting, diags *diag.Diagnostics) setting {
	u, err := zoho.NormalizeAccountsURL(s.value)
	if err != nil {
		diags.AddAttributeError(path.Root("accounts_url"), "Invalid Zoho Accounts URL", fmt.Sprintf("The %s is not usable: %s.", s.source, err))
	}
	return setting{value: u, source: s.source}
}

func checkDataCenter(s setting, diags *diag.Diagnostics) setting {
	dc, ok := zoho.LookupDataCenter(s.value)
	// As the schema's validator does: " eu" is no data center.
	if !ok || strings.TrimSpace(s.value) != s.value {
		diags.AddAttributeError(path.Root("data_center"), "Unknown Zoho Data Center",
			fmt.Sprintf("The %s is %q, which is no Zoho data center. Valid values: %s.", s.source, s.value, strings.Join(zoho.DataCenterCodes(), ", ")))
	}
	return setting{value: dc.AccountsURL, source: s.source + " (" + dc.Code + ")"}
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
