package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// designDataCenters is the list the docs promise (docs/index.md), written out
// rather than taken from the code, so that the message is checked against it.
const designDataCenters = "us, eu, in, au, jp, cn, ca, sa, uk"

// TestResolveSettings covers the precedence and validation of the provider
// block against ZOHO_* variables, including cases the CLI cannot show.
func TestResolveSettings(t *testing.T) {
	s, unknown := types.StringValue, types.StringUnknown()
	// settings is what the cases check of providerSettings.
	type settings struct {
		AccountsURL     string
		AccountsURLFrom string
		ClientIDFrom    string
		RequestTimeout  time.Duration
		MaxRetries      int
		Pending         string
	}
	cases := map[string]struct {
		cfg providerConfig
		env map[string]string
		// want is checked when no error is expected.
		want       settings
		errSummary string
		errDetail  []string
	}{
		"defaults": {
			want: settings{AccountsURL: "https://accounts.zoho.com", AccountsURLFrom: "the default data center (us)", RequestTimeout: 30 * time.Second, MaxRetries: 4},
		},
		"environment only, data center in any case": {
			env: map[string]string{envDataCenter: "EU", envClientID: "id-env", envRequestTimeout: "1m", envMaxRetries: "0"},
			want: settings{AccountsURL: "https://accounts.zoho.eu", AccountsURLFrom: "environment variable ZOHO_DATA_CENTER (eu)",
				ClientIDFrom: "environment variable ZOHO_CLIENT_ID", RequestTimeout: time.Minute},
		},
		"ZOHO_ACCOUNTS_URL beats ZOHO_DATA_CENTER, normalised": {
			env:  map[string]string{envDataCenter: "eu", envAccountsURL: "http://localhost:8080/"},
			want: settings{AccountsURL: "http://localhost:8080", AccountsURLFrom: "environment variable ZOHO_ACCOUNTS_URL", RequestTimeout: 30 * time.Second, MaxRetries: 4},
		},
		"the block beats every variable": {
			cfg: providerConfig{"client_id": s("id-cfg"), "data_center": s("in"), "request_timeout": s("5s"), "max_retries": types.Int64Value(7)},
			env: map[string]string{envClientID: "id-env", envAccountsURL: "http://127.0.0.1:1", envRequestTimeout: "soon", envMaxRetries: "lots"},
			want: settings{AccountsURL: "https://accounts.zoho.in", AccountsURLFrom: "provider attribute data_center (in)",
				ClientIDFrom: "provider attribute client_id", RequestTimeout: 5 * time.Second, MaxRetries: 7},
		},
		"unknown values are recorded, not guessed": {
			cfg:  providerConfig{"client_id": unknown, "accounts_url": unknown, "max_retries": types.Int64Unknown()},
			want: settings{RequestTimeout: 30 * time.Second, MaxRetries: 4, Pending: "client_id,accounts_url/data_center,max_retries"},
		},
		"ZOHO_DATA_CENTER unknown": {
			env:        map[string]string{envDataCenter: "mars"},
			errSummary: "Unknown Zoho Data Center", errDetail: []string{`ZOHO_DATA_CENTER is "mars"`, "Valid values: " + designDataCenters},
		},
		"ZOHO_ACCOUNTS_URL plain http": {
			env:        map[string]string{envAccountsURL: "http://accounts.zoho.eu"},
			errSummary: "Invalid Zoho Accounts URL", errDetail: []string{"ZOHO_ACCOUNTS_URL", "loopback", "https://accounts.zoho.eu"},
		},
		"ZOHO_REQUEST_TIMEOUT zero": {
			env:        map[string]string{envRequestTimeout: "0s"},
			errSummary: "Invalid Zoho Request Timeout", errDetail: []string{"ZOHO_REQUEST_TIMEOUT", "longer than zero"},
		},
		"ZOHO_MAX_RETRIES above the limit": {
			env:        map[string]string{envMaxRetries: "11"},
			errSummary: "Invalid Zoho Max Retries", errDetail: []string{`ZOHO_MAX_RETRIES is "11"`, "from 0 to 10"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			opts := options{getenv: func(k string) string { return tc.env[k] }}.withDefaults()
			d, diags := newProviderData(opts, "test", tc.cfg, "1.11.0")
			if tc.errSummary != "" {
				if len(diags) != 1 || diags[0].Summary() != tc.errSummary || !errorText(tc.errDetail...).MatchString(diags[0].Detail()) {
					t.Fatalf("want one %q error mentioning %q, got %v", tc.errSummary, tc.errDetail, diags)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			ps := d.settings
			got := settings{
				AccountsURL: locationSetting.of(ps).value, AccountsURLFrom: locationSetting.of(ps).source, ClientIDFrom: clientIDSetting.of(ps).source,
				RequestTimeout: requestTimeoutSetting.of(ps).value, MaxRetries: maxRetriesSetting.of(ps).value, Pending: strings.Join(ps.pending(), ","),
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(d.clientConfig.UserAgent, "terraform-provider-zoho/test ") {
				t.Errorf("User-Agent %q", d.clientConfig.UserAgent)
			}
		})
	}
}

// TestResolveEndpoint covers the block-level overrides on top of the provider.
func TestResolveEndpoint(t *testing.T) {
	s, null := types.StringValue, types.StringNull()
	pending := resolved[string]{pending: true}
	// settings puts the accounts URL, client id and secret in the provider's settings.
	settings := func(url, id, secret resolved[string]) providerSettings {
		return providerSettings{values: map[settingRow]any{locationSetting: url, clientIDSetting: id, clientSecretSetting: secret}}
	}
	url, id, secret := resolved[string]{value: "https://accounts.zoho.com"}, resolved[string]{value: "id-p"}, resolved[string]{value: "secret-p"}
	full := settings(url, id, secret)
	cases := map[string]struct {
		d      providerSettings
		o      clientOverrides
		want   tokenEndpoint
		errors []string // summaries, in order
		detail []string
		// pending are the settings the call needs that are not known yet.
		pending []string
	}{
		"provider only": {d: full, o: clientOverrides{null, null, null, null}, want: tokenEndpoint{"https://accounts.zoho.com", "id-p", "secret-p"}},
		"every override": {d: full, o: clientOverrides{s("id-r"), s("secret-r"), null, s("http://127.0.0.1:9/")},
			want: tokenEndpoint{"http://127.0.0.1:9", "id-r", "secret-r"}},
		"data center override": {d: full, o: clientOverrides{null, null, s("JP"), null}, want: tokenEndpoint{"https://accounts.zoho.jp", "id-p", "secret-p"}},
		"nothing configured": {o: clientOverrides{null, null, null, null},
			errors: []string{"Missing Zoho Client ID", "Missing Zoho Client Secret"}, detail: []string{"client_id", "ZOHO_CLIENT_ID", "client_secret", "ZOHO_CLIENT_SECRET"}},
		"unknown provider setting the block replaces": {d: settings(url, pending, secret),
			o: clientOverrides{s("id-r"), null, null, null}, want: tokenEndpoint{"https://accounts.zoho.com", "id-r", "secret-p"}},
		"unknown provider setting still needed": {d: settings(pending, pending, secret),
			o: clientOverrides{null, null, s("eu"), null}, errors: []string{"Unknown Zoho Provider Setting"}, detail: []string{"client_id depends on a value", "-target"}, pending: []string{"client_id"}},
		// A block value not known until apply is pending, never "unset":
		// the provider's own value must not stand in for it.
		"unknown block overrides": {d: full, o: clientOverrides{types.StringUnknown(), types.StringUnknown(), null, null},
			errors: []string{"Unknown Zoho Provider Setting"}, detail: []string{"client_id, client_secret"}, pending: []string{"client_id", "client_secret"}},
		"unknown block data center": {d: full, o: clientOverrides{null, null, types.StringUnknown(), null},
			errors: []string{"Unknown Zoho Provider Setting"}, detail: []string{"accounts_url/data_center"}, pending: []string{"accounts_url/data_center"}},
		"unknown block accounts URL": {d: full, o: clientOverrides{null, null, null, types.StringUnknown()},
			errors: []string{"Unknown Zoho Provider Setting"}, detail: []string{"accounts_url/data_center"}, pending: []string{"accounts_url/data_center"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ep, pending, diags := (&providerData{settings: tc.d}).resolveEndpoint(tc.o)
			var summaries, details []string
			for _, d := range diags {
				summaries, details = append(summaries, d.Summary()), append(details, d.Detail())
			}
			if diff := cmp.Diff(tc.errors, summaries); diff != "" || !errorText(tc.detail...).MatchString(strings.Join(details, "\n")) {
				t.Fatalf("diagnostics %v, want %q mentioning %q", diags, tc.errors, tc.detail)
			}
			if tc.errors == nil {
				if diff := cmp.Diff(tc.want, ep, cmp.AllowUnexported(tokenEndpoint{})); diff != "" {
					t.Errorf("endpoint (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tc.pending, pending); diff != "" {
				t.Errorf("pending (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveSettings_minTokenLifetime(t *testing.T) {
	cases := map[string]struct {
		cfg     types.String
		env     string
		want    time.Duration
		wantErr string
	}{
		"default":                 {cfg: types.StringNull(), want: 15 * time.Minute},
		"environment":             {cfg: types.StringNull(), env: "20m", want: 20 * time.Minute},
		"block beats environment": {cfg: types.StringValue("5m"), env: "20m", want: 5 * time.Minute},
		"an hour is too long":     {cfg: types.StringValue("1h"), wantErr: "not shorter than the hour"},
		"not a duration":          {cfg: types.StringNull(), env: "soon", wantErr: `The environment variable ZOHO_MIN_TOKEN_LIFETIME is "soon", which is not a duration`},
		"unknown until apply":     {cfg: types.StringUnknown(), want: 15 * time.Minute},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, diags := resolveSettings(providerConfig{"min_token_lifetime": tc.cfg}, func(v string) string {
				if v == envMinTokenLife {
					return tc.env
				}
				return ""
			})
			if tc.wantErr != "" {
				if !diags.HasError() || !strings.Contains(diags[0].Detail(), tc.wantErr) {
					t.Fatalf("diagnostics %v, want an error saying %q", diags, tc.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if diff := cmp.Diff(tc.want, minTokenLifeSetting.of(s).value); diff != "" {
				t.Errorf("min_token_lifetime (-want +got):\n%s", diff)
			}
		})
	}
}
