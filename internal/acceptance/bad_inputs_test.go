package acceptance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// badInputPhases are the CLI commands a user runs, in order. A bad input
// must be caught by the earliest one that can see it: validate for what the
// configuration alone shows, plan for the environment and for what only the
// provider's configuration reveals, apply for values known only then or
// answers only Zoho can give.
var badInputPhases = []string{"validate", "plan", "apply"}

// badInputFixture is what a case's configuration may refer to.
type badInputFixture struct {
	usURL, euURL     string
	client           zohotest.Client
	code             string // a fresh, valid grant code
	revokedRefresh   string // a refresh token Zoho no longer accepts
	worldWritableDir string
	fileNotDir       string
}

type badInput struct {
	name string
	// config is the whole configuration after required_providers; it
	// includes a provider block.
	config func(f *badInputFixture) string
	// env replaces the default ZOHO_* environment (accounts URL, client id
	// and secret); a value of "" removes the variable.
	env func(f *badInputFixture) map[string]string
	// importID, when set, runs `import zoho_oauth_refresh_token.t ID` after
	// validate instead of plan and apply.
	importID func(f *badInputFixture) string
	phase    string   // where it must fail: validate, plan, apply or import
	want     []string // phrases the diagnostic holds, in order: what is wrong, where, what to do
}

const newTokenResource = `
resource "zoho_oauth_refresh_token" "t" {
  grant_code_wo         = %q
  grant_code_wo_version = 1
  %s
}
`

// laterValue is known only at apply: the value of a condition on an id that
// terraform_data gets when it is created.
const laterResource = `
resource "terraform_data" "later" {}
`

func later(atApply, never string) string {
	return fmt.Sprintf(`terraform_data.later.id != "" ? %s : %s`, atApply, never)
}

// usesToken opens the ephemeral resource "t" at apply, as a provisioner does.
const usesToken = `
resource "terraform_data" "use" {
  provisioner "local-exec" {
    command     = "true"
    environment = { T = ephemeral.zoho_oauth_access_token.t.access_token }
  }
}
`

func staticConfig(s string) func(*badInputFixture) string {
	return func(*badInputFixture) string { return s }
}

func badInputCatalogue() []badInput {
	withCode := func(extra ...string) func(f *badInputFixture) string {
		return func(f *badInputFixture) string {
			return providerBlock() + fmt.Sprintf(newTokenResource, f.code, strings.Join(extra, "\n  "))
		}
	}
	// A provider is configured only when something uses it.
	envOnly := withCode()
	providerWith := func(lines ...string) func(f *badInputFixture) string {
		return func(f *badInputFixture) string {
			return providerBlock(lines...) + fmt.Sprintf(newTokenResource, f.code, "")
		}
	}
	envWith := func(kv ...string) func(f *badInputFixture) map[string]string {
		return func(*badInputFixture) map[string]string {
			m := map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i]] = kv[i+1]
			}
			return m
		}
	}
	ephemeral := func(body string) func(f *badInputFixture) string {
		return func(f *badInputFixture) string {
			return providerBlock() + "\nephemeral \"zoho_oauth_access_token\" \"t\" {\n  " + body + "\n}\n" + usesToken
		}
	}
	return []badInput{
		// The provider block, caught by validate.
		{name: "data_center unknown", config: providerWith(`data_center = "mars"`), phase: "validate",
			want: []string{"data_center", "must be one of", `"eu"`, `"mars"`}},
		{name: "data_center padded", config: providerWith(`data_center = " eu"`), phase: "validate",
			want: []string{"data_center", "must be one of"}},
		{name: "data_center empty", config: providerWith(`data_center = ""`), phase: "validate",
			want: []string{"data_center", "must be one of"}},
		{name: "data_center and accounts_url", config: providerWith(`data_center = "eu"`, `accounts_url = "https://accounts.zoho.eu"`), phase: "validate",
			want: []string{"Invalid Attribute Combination", "accounts_url", "data_center"}},
		{name: "accounts_url http on a public host", config: providerWith(`accounts_url = "http://accounts.zoho.eu"`), phase: "validate",
			want: []string{"Invalid Zoho Accounts URL", "http:// is allowed only for loopback hosts", "https://accounts.zoho.eu"}},
		{name: "accounts_url with user and password", config: providerWith(`accounts_url = "https://admin:hunter2-password@accounts.zoho.eu"`), phase: "validate",
			want: []string{"Invalid Zoho Accounts URL", "must not carry a user name or password"}},
		{name: "accounts_url with a path", config: providerWith(`accounts_url = "https://accounts.zoho.eu/oauth/v2/token"`), phase: "validate",
			want: []string{"Invalid Zoho Accounts URL", "without a path"}},
		{name: "accounts_url with a query", config: providerWith(`accounts_url = "https://accounts.zoho.eu/?dc=eu"`), phase: "validate",
			want: []string{"Invalid Zoho Accounts URL", "query"}},
		{name: "accounts_url without scheme", config: providerWith(`accounts_url = "accounts.zoho.eu"`), phase: "validate",
			want: []string{"Invalid Zoho Accounts URL", "not an absolute URL", "https://accounts.zoho.eu"}},
		{name: "accounts_url empty", config: providerWith(`accounts_url = ""`), phase: "validate",
			want: []string{"Invalid Zoho Accounts URL", "not an absolute URL"}},
		{name: "request_timeout without unit", config: providerWith(`request_timeout = "30"`), phase: "validate",
			want: []string{"request_timeout", "Go duration such as \"30s\""}},
		{name: "request_timeout negative", config: providerWith(`request_timeout = "-5s"`), phase: "validate",
			want: []string{"request_timeout", "not longer than zero", "\"30s\""}},
		{name: "request_timeout zero", config: providerWith(`request_timeout = "0s"`), phase: "validate",
			want: []string{"request_timeout", "not longer than zero"}},
		{name: "max_retries negative", config: providerWith(`max_retries = -1`), phase: "validate",
			want: []string{"max_retries", "between 0 and 10", "-1"}},
		{name: "max_retries huge", config: providerWith(`max_retries = 100000`), phase: "validate",
			want: []string{"max_retries", "between 0 and 10"}},
		{name: "client_id empty", config: providerWith(`client_id = ""`), phase: "validate",
			want: []string{"Invalid client_id", "is empty"}},
		{name: "client_secret padded", config: providerWith(`client_secret = "secret-with-a-newline\n"`), phase: "validate",
			want: []string{"Invalid client_secret", "white space", "exactly as Zoho shows it"}},

		{name: "token_cache_url with credentials", config: providerWith(`token_cache_url = "s3://AKIAEXAMPLE:hunter2-password@tokens/ci?region=eu-west-1"`), phase: "validate",
			want: []string{"Invalid Zoho Token Cache URL", "token_cache_url", "must not carry credentials", "remove them"}},
		{name: "token_cache_url with a signed query", config: providerWith(`token_cache_url = "s3://tokens/ci?region=eu-west-1&X-Amz-Signature=hunter2-password"`), phase: "validate",
			want: []string{"Invalid Zoho Token Cache URL", "must not carry credentials", "X-Amz-Signature"}},
		{name: "token_cache_url unknown scheme", config: providerWith(`token_cache_url = "ftp://tokens/ci"`), phase: "validate",
			want: []string{"Invalid Zoho Token Cache URL", "unsupported scheme \"ftp\"", "s3://"}},
		{name: "token_cache_url relative file path", config: providerWith(`token_cache_url = "file://cache/zoho"`), phase: "validate",
			want: []string{"Invalid Zoho Token Cache URL", "three slashes", "file:///var/cache/zoho"}},
		{name: "token_cache_url query typo", config: providerWith(`token_cache_url = "s3://tokens/ci?regoin=eu-west-1"`), phase: "validate",
			want: []string{"Invalid Zoho Token Cache URL", "unknown query parameter \"regoin\"", "region"}},

		// The environment, caught when the provider is configured (plan).
		{name: "ZOHO_DATA_CENTER unknown", config: envOnly, env: envWith("ZOHO_ACCOUNTS_URL", "", "ZOHO_DATA_CENTER", "mars"), phase: "plan",
			want: []string{"Unknown Zoho Data Center", "environment variable ZOHO_DATA_CENTER", "mars", "Valid values: us, eu"}},
		{name: "ZOHO_DATA_CENTER padded", config: envOnly, env: envWith("ZOHO_ACCOUNTS_URL", "", "ZOHO_DATA_CENTER", "eu "), phase: "plan",
			want: []string{"Unknown Zoho Data Center", "ZOHO_DATA_CENTER", "Valid values"}},
		{name: "ZOHO_ACCOUNTS_URL http on a public host", config: envOnly, env: envWith("ZOHO_ACCOUNTS_URL", "http://accounts.zoho.eu"), phase: "plan",
			want: []string{"Invalid Zoho Accounts URL", "environment variable ZOHO_ACCOUNTS_URL", "use https://accounts.zoho.eu"}},
		{name: "ZOHO_ACCOUNTS_URL with credentials", config: envOnly, env: envWith("ZOHO_ACCOUNTS_URL", "https://admin:hunter2-password@accounts.zoho.eu"), phase: "plan",
			want: []string{"Invalid Zoho Accounts URL", "ZOHO_ACCOUNTS_URL", "user name or password"}},
		{name: "ZOHO_REQUEST_TIMEOUT not a duration", config: envOnly, env: envWith("ZOHO_REQUEST_TIMEOUT", "soon"), phase: "plan",
			want: []string{"Invalid Zoho Request Timeout", "environment variable ZOHO_REQUEST_TIMEOUT", "\"30s\""}},
		{name: "ZOHO_MAX_RETRIES negative", config: envOnly, env: envWith("ZOHO_MAX_RETRIES", "-3"), phase: "plan",
			want: []string{"Invalid Zoho Max Retries", "ZOHO_MAX_RETRIES", "whole number from 0 to 10"}},
		{name: "ZOHO_MAX_RETRIES not a number", config: envOnly, env: envWith("ZOHO_MAX_RETRIES", "lots"), phase: "plan",
			want: []string{"Invalid Zoho Max Retries", "ZOHO_MAX_RETRIES", "whole number"}},
		{name: "ZOHO_TOKEN_CACHE_URL with credentials", config: envOnly, env: envWith("ZOHO_TOKEN_CACHE_URL", "gs://tokens/ci?access_token=hunter2-password"), phase: "plan",
			want: []string{"Invalid Zoho Token Cache URL", "environment variable ZOHO_TOKEN_CACHE_URL", "must not carry credentials"}},
		{name: "ZOHO_CLIENT_SECRET with a trailing newline", config: envOnly, env: envWith("ZOHO_CLIENT_SECRET", "pasted-secret\n"), phase: "plan",
			want: []string{"Invalid client_secret", "environment variable ZOHO_CLIENT_SECRET", "white space"}},
		{name: "no client id anywhere", config: withCode(), env: envWith("ZOHO_CLIENT_ID", ""), phase: "plan",
			want: []string{"Missing Zoho Client ID", "client_id", "ZOHO_CLIENT_ID"}},
		{name: "no client secret anywhere", config: withCode(), env: envWith("ZOHO_CLIENT_SECRET", ""), phase: "plan",
			want: []string{"Missing Zoho Client Secret", "client_secret", "ZOHO_CLIENT_SECRET"}},
		{name: "token_cache_dir is a file", config: func(f *badInputFixture) string {
			return providerBlock(fmt.Sprintf("token_cache_dir = %q", filepath.Join(f.fileNotDir, "tokens"))) + fmt.Sprintf(newTokenResource, f.code, "")
		}, phase: "plan",
			want: []string{"Unusable Zoho Token Cache Directory", "provider attribute token_cache_dir", "or unset it"}},
		{name: "ZOHO_TOKEN_CACHE_DIR writable by others", config: envOnly,
			env: func(f *badInputFixture) map[string]string {
				return map[string]string{"ZOHO_TOKEN_CACHE_DIR": f.worldWritableDir}
			}, phase: "plan",
			want: []string{"Unusable Zoho Token Cache Directory", "ZOHO_TOKEN_CACHE_DIR", "writable by"}},

		// The refresh token resource.
		{name: "no grant code for a new token", config: staticConfig(providerBlock() + `
resource "zoho_oauth_refresh_token" "t" {}
`), phase: "plan", want: []string{"Grant Code Required To Create A Zoho Refresh Token", "Generate Code", "grant_code_wo", "terraform import"}},
		{name: "both grant codes", config: withCode(`grant_code = "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef"`), phase: "validate",
			want: []string{"Invalid Attribute Combination", "grant_code", "grant_code_wo"}},
		{name: "grant code empty", config: staticConfig(providerBlock() + fmt.Sprintf(newTokenResource, "", "")), phase: "validate",
			want: []string{"Invalid grant_code_wo", "is empty"}},
		{name: "resource data_center unknown", config: withCode(`data_center = "moon"`), phase: "validate",
			want: []string{"data_center", "must be one of", `"moon"`}},
		{name: "resource accounts_url with trailing slash", config: func(f *badInputFixture) string {
			return providerBlock() + fmt.Sprintf(newTokenResource, f.code, fmt.Sprintf("accounts_url = %q", f.usURL+"/"))
		}, phase: "validate", want: []string{"Non-Canonical Zoho Accounts URL", "kept in state exactly as written"}},
		{name: "resource data_center and accounts_url", config: withCode(`data_center = "eu"`, `accounts_url = "https://accounts.zoho.eu"`), phase: "validate",
			want: []string{"Invalid Attribute Combination", "data_center", "accounts_url"}},
		{name: "grant code already spent or made up", config: staticConfig(providerBlock() +
			fmt.Sprintf(newTokenResource, "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef", "")), phase: "apply",
			want: []string{"Invalid Or Expired Zoho Grant Code", "works only once", "Generate Code", "grant_code_wo_version"}},
		{name: "wrong client secret", config: withCode(), env: envWith("ZOHO_CLIENT_SECRET", "not-the-secret"), phase: "apply",
			want: []string{"Invalid Zoho Client Secret", "client_secret", "API Console"}},
		{name: "client of another data center", config: func(f *badInputFixture) string {
			return providerBlock() + fmt.Sprintf(newTokenResource, f.code, fmt.Sprintf("accounts_url = %q", f.euURL))
		}, phase: "apply", want: []string{"Invalid Zoho Client", "another data center", "data_center"}},
		{name: "resource client_secret empty once known", config: func(f *badInputFixture) string {
			return providerBlock() + laterResource + fmt.Sprintf(newTokenResource, f.code, "client_secret = "+later(`""`, `"never"`))
		}, phase: "apply", want: []string{"Invalid client_secret", "is empty"}},
		{name: "provider data_center unknown once known", config: func(f *badInputFixture) string {
			return providerBlock("data_center = "+later(`"mars"`, `"us"`)) + laterResource + fmt.Sprintf(newTokenResource, f.code, "")
		}, env: envWith("ZOHO_ACCOUNTS_URL", ""), phase: "apply", want: []string{"data_center", "must be one of", `"mars"`}},

		// The access token.
		{name: "refresh_token and scopes", config: ephemeral(`refresh_token = "x"
  scopes        = ["ZohoCRM.users.READ"]`), phase: "validate", want: []string{"Conflicting Zoho Grants", "either refresh_token", "or scopes"}},
		{name: "neither refresh_token nor scopes", config: ephemeral(``), phase: "validate",
			want: []string{"Missing Zoho Refresh Token Or Scopes", "refresh_token", "scopes"}},
		{name: "soid with refresh_token", config: ephemeral(`refresh_token = "x"
  soid          = "ZohoCRM.1"`), phase: "validate", want: []string{"soid Needs The Client Credentials Grant", "remove it or use scopes"}},
		{name: "scopes empty", config: ephemeral(`scopes = []`), phase: "validate", want: []string{"scopes", "at least 1"}},
		{name: "refresh_token empty", config: ephemeral(`refresh_token = ""`), phase: "validate", want: []string{"Invalid refresh_token", "is empty"}},
		{name: "access token data_center unknown", config: ephemeral(`refresh_token = "x"
  data_center   = "atlantis"`), phase: "validate", want: []string{"data_center", "must be one of"}},
		{name: "data source scopes empty", config: staticConfig(providerBlock() + `
data "zoho_oauth_access_token" "t" {
  scopes = []
}
`), phase: "validate", want: []string{"scopes", "at least 1"}},
		{name: "revoked refresh token", config: func(f *badInputFixture) string {
			return ephemeral(fmt.Sprintf("refresh_token = %q", f.revokedRefresh))(f)
		}, phase: "plan", want: []string{"Zoho Refresh Token Rejected", "revoked", "grant_code_wo_version"}},
		{name: "revoke_on_close with token_cache_dir", config: func(f *badInputFixture) string {
			return providerBlock(fmt.Sprintf("token_cache_dir = %q", filepath.Join(filepath.Dir(f.fileNotDir), "cache"))) +
				"\nephemeral \"zoho_oauth_access_token\" \"t\" {\n  scopes          = [\"ZohoCRM.users.READ\"]\n  revoke_on_close = true\n}\n" + usesToken
		}, phase: "plan", want: []string{"revoke_on_close Conflicts With token_cache_dir", "Remove revoke_on_close, or unset token_cache_dir"}},
		{name: "refresh_token unknown at plan, revoked once known", config: func(f *badInputFixture) string {
			return laterResource + ephemeral("refresh_token = "+later(fmt.Sprintf("%q", f.revokedRefresh), `"never"`))(f)
		}, phase: "apply", want: []string{"Zoho Refresh Token Rejected", "revoked"}},
		{name: "scopes unknown at plan, empty once known", config: func(f *badInputFixture) string {
			return laterResource + ephemeral("scopes = "+later(`[]`, `["ZohoCRM.users.READ"]`))(f)
		}, phase: "apply", want: []string{"scopes", "at least 1"}},

		// Import IDs.
		{name: "import from an unset variable", config: staticConfig(providerBlock() + `
resource "zoho_oauth_refresh_token" "t" {}
`), importID: func(*badInputFixture) string { return "env:ZOHO_NO_SUCH_VARIABLE" }, phase: "import",
			want: []string{"Refresh Token Environment Variable Is Empty", "ZOHO_NO_SUCH_VARIABLE", "Export the refresh token"}},
		{name: "import of a revoked token", config: staticConfig(providerBlock() + `
resource "zoho_oauth_refresh_token" "t" {}
`), importID: func(*badInputFixture) string { return "env:OLD_ZOHO_TOKEN" },
			env: func(f *badInputFixture) map[string]string {
				return map[string]string{"OLD_ZOHO_TOKEN": f.revokedRefresh}
			}, phase: "import",
			want: []string{"Zoho Refresh Token Rejected", "grant code"}},
	}
}

// TestAccBadInputs_caughtEarlyAndNamed runs every entry of the catalogue as a
// user would (validate, plan, apply, or import, as separate CLI processes),
// and checks that it fails at the earliest phase that can know, with a
// diagnostic that names what is wrong and what to do, and without a secret
// in the output.
func TestAccBadInputs_caughtEarlyAndNamed(t *testing.T) {
	ctx, cli, plugin := cliUnderTest(t, clitest.WriteOnly)
	// One grant code per entry: more than Zoho's 10 per 10 minutes.
	z := startZoho(t, zohotest.Options{CodeIssueLimit: 1000}, zohotest.Client{Orgs: []string{"ZohoCRM.1"}})
	emu := z.Emu
	f := &badInputFixture{usURL: z.AccountsURL, euURL: emu.StartServer(t, "eu"), client: z.Client}
	revoked, err := emu.IssueRefreshToken(f.client.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		t.Fatal(err)
	}
	f.revokedRefresh = revoked
	if err := zoho.New(zoho.Config{AccountsURL: f.usURL}).Revoke(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	scratch := t.TempDir()
	f.worldWritableDir = filepath.Join(scratch, "shared")
	f.fileNotDir = filepath.Join(scratch, "a-file")
	if err := os.Mkdir(f.worldWritableDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f.worldWritableDir, 0o777); err != nil { // Chmod: the umask does not apply
		t.Fatal(err)
	}
	writeFile(t, f.fileNotDir, "not a directory")

	catalogue := badInputCatalogue()
	if len(catalogue) < 30 {
		t.Fatalf("the catalogue has %d entries; keep at least 30", len(catalogue))
	}
	for _, tc := range catalogue {
		t.Run(tc.name, func(t *testing.T) {
			code, err := emu.IssueGrantCode(f.client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}})
			if err != nil {
				t.Fatal(err)
			}
			cf := *f
			cf.code = code
			work := t.TempDir()
			writeFile(t, filepath.Join(work, "main.tf"), requiredZoho+tc.config(&cf))
			vars := z.Env()
			if tc.env != nil {
				for k, v := range tc.env(&cf) {
					if v == "" {
						delete(vars, k)
					} else {
						vars[k] = v
					}
				}
			}
			env := devEnv(t, work, plugin, vars)
			phases := badInputPhases
			if tc.importID != nil {
				phases = []string{"validate", "import"}
			}
			failedAt, out := "", ""
			for _, phase := range phases {
				args := map[string][]string{
					"validate": {"validate", "-no-color"},
					"plan":     {"plan", "-input=false", "-no-color", "-out=tfplan"},
					"apply":    {"apply", "-input=false", "-no-color", "tfplan"},
				}[phase]
				if phase == "import" {
					args = []string{"import", "-input=false", "-no-color", "zoho_oauth_refresh_token.t", tc.importID(&cf)}
				}
				if res := run(ctx, t, cli, work, env, args...); res.Code != 0 {
					failedAt, out = phase, res.Out
					break
				}
			}
			secrets := clitest.Secrets{"client secret": f.client.Secret, "grant code": code, "revoked refresh token": f.revokedRefresh, "password": "hunter2-password"}
			shown := clitest.Tail(secrets.Redact(out), 30)
			switch {
			case failedAt == "":
				t.Fatalf("every phase (%s) succeeded; want a failure at %s", strings.Join(phases, ", "), tc.phase)
			case failedAt != tc.phase:
				t.Fatalf("failed at %s, want %s:\n%s", failedAt, tc.phase, shown)
			case !clitest.InOrder(tc.want...).MatchString(out):
				t.Errorf("the %s diagnostic does not say %q:\n%s", failedAt, tc.want, shown)
			}
			// The CLI quotes the offending configuration line under a
			// diagnostic; what the user wrote there is theirs to see. Any
			// other line must hold no secret.
			said := cliSourceExcerpt.ReplaceAllString(out, "")
			for _, leaked := range secrets.Leaks(said) {
				t.Errorf("the output of %s holds the %s:\n%s", failedAt, leaked, secrets.LeakLines(said, leaked))
			}
		})
	}
}

// cliSourceExcerpt matches the configuration lines the CLI quotes under a
// diagnostic ("  12:   accounts_url = ...").
var cliSourceExcerpt = regexp.MustCompile(`(?m)^\s*\d+:\s.*$`)
