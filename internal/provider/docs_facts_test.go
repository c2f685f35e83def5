package provider

// Doc-vs-code facts: the numbers and names the docs state, read from the
// docs' sources (templates/, the troubleshooting explanations, README.md)
// and compared with the code that decides them. A failure names the file,
// what it says and what the code does; fix whichever is wrong, then
// `make docs`.

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/objectstore"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

const repoRoot = "../.."

// docSources are the hand-written sources of what users read: docs/ is
// generated from the templates (and the schema, whose descriptions come
// from the same rows this test reads).
func docSources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(rel string) {
		b, err := os.ReadFile(filepath.Join(repoRoot, rel))
		if err != nil {
			t.Fatal(err)
		}
		out[rel] = string(b)
	}
	add("README.md")
	add("internal/cmd/gen-troubleshooting/explanations.md")
	add("internal/cmd/gen-troubleshooting/page.md.tmpl")
	err := filepath.WalkDir(filepath.Join(repoRoot, "templates"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tmpl") {
			rel, _ := filepath.Rel(repoRoot, path)
			add(filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// prose is a Markdown text with every run of white space made one space,
// so that a phrase wrapped across lines is found.
func prose(s string) string { return strings.Join(strings.Fields(s), " ") }

// settingFact is what the docs say of a provider setting.
type settingFact struct {
	attr, env, shown string
	// def is the default as a duration, when the setting is one.
	def    time.Duration
	hasDef bool
}

func settingFacts(t *testing.T) []settingFact {
	t.Helper()
	var facts []settingFact
	for _, row := range settingRows {
		switch s := row.(type) {
		case *setting[string]:
			facts = append(facts, settingFact{attr: s.attr, env: s.env, shown: s.shown})
		case *setting[int]:
			facts = append(facts, settingFact{attr: s.attr, env: s.env, shown: s.shown})
			if s.shown != fmt.Sprint(s.def) {
				t.Errorf("%s: the docs show the default %q, the code uses %d", s.attr, s.shown, s.def)
			}
		case *setting[time.Duration]:
			facts = append(facts, settingFact{attr: s.attr, env: s.env, shown: s.shown, def: s.def, hasDef: true})
			if d, err := time.ParseDuration(s.shown); err != nil || d != s.def {
				t.Errorf("%s: the docs show the default %q, the code uses %s", s.attr, s.shown, s.def)
			}
		case *setting[*objectstore.Location]:
			facts = append(facts, settingFact{attr: s.attr, env: s.env, shown: s.shown})
		case *location:
			facts = append(facts, settingFact{attr: s.url.attr, env: s.url.env, shown: s.url.shown},
				settingFact{attr: s.dc.attr, env: s.dc.env, shown: s.dc.shown})
		default:
			t.Fatalf("settings row %T (%s): teach settingFacts its attribute, variable and default", row, row.name())
		}
	}
	return facts
}

// The defaults the code applies are the ones its schema shows, and the
// ones other packages apply when the provider passes nothing.
func TestDocsFacts_defaultsAreTheCode(t *testing.T) {
	settingFacts(t) // checks shown against def
	if minTokenLifeSetting.def != tokencache.DefaultMinRemaining {
		t.Errorf("min_token_lifetime defaults to %s, but tokencache.DefaultMinRemaining is %s", minTokenLifeSetting.def, tokencache.DefaultMinRemaining)
	}
	if requestTimeoutSetting.def != zoho.DefaultRequestTimeout || maxRetriesSetting.def != zoho.DefaultMaxRetries {
		t.Errorf("request_timeout/max_retries default to %s/%d, zoho.Config to %s/%d",
			requestTimeoutSetting.def, maxRetriesSetting.def, zoho.DefaultRequestTimeout, zoho.DefaultMaxRetries)
	}
}

// Wherever a page says a duration setting's default in words
// ("`min_token_lifetime` (15 minutes by default)", "(default `30s`)"), it is
// the code's.
func TestDocsFacts_defaultsInProse(t *testing.T) {
	facts := settingFacts(t)
	var found int
	for file, text := range docSources(t) {
		text = prose(text)
		for _, f := range facts {
			if !f.hasDef {
				continue
			}
			re := regexp.MustCompile("`" + f.attr + "`[^.;|]{0,60}?\\((?:`([^`]+)` by default|default `([^`]+)`|(\\d+) (second|minute)s? by default|default (\\d+) (second|minute)s?)\\)")
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				found++
				var said time.Duration
				switch {
				case m[1] != "" || m[2] != "":
					d, err := time.ParseDuration(m[1] + m[2])
					if err != nil {
						t.Errorf("%s: %q: %v", file, m[0], err)
						continue
					}
					said = d
				default:
					n, _ := strconv.Atoi(m[3] + m[5])
					unit := time.Minute
					if m[4]+m[6] == "second" {
						unit = time.Second
					}
					said = time.Duration(n) * unit
				}
				if said != f.def {
					t.Errorf("%s says %q, but %s defaults to %s", file, m[0], f.attr, f.def)
				}
			}
		}
	}
	if found < 3 {
		t.Errorf("found %d defaults stated in prose; the pattern no longer matches how the docs say them", found)
	}
}

// The provider page's table of environment variables is the settings'
// rows, with their defaults; every ZOHO_* variable the provider reads is
// one of them; and every ZOHO_* variable the provider page names is read.
func TestDocsFacts_environmentVariables(t *testing.T) {
	facts := settingFacts(t)
	b, err := os.ReadFile(filepath.Join(repoRoot, "templates/index.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	index := string(b)
	rows := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| `(ZOHO_[A-Z_]+)` \\| (.+?) \\|$").FindAllStringSubmatch(index, -1)
	table := map[string][2]string{}
	for _, r := range rows {
		table[r[1]] = [2]string{r[2], r[3]}
	}
	known := map[string]bool{}
	for _, f := range facts {
		known[f.env] = true
		row, ok := table[f.attr]
		switch {
		case !ok:
			t.Errorf("templates/index.md.tmpl: the environment variables table has no row for %s (%s)", f.attr, f.env)
		case row[0] != f.env:
			t.Errorf("templates/index.md.tmpl: %s's variable is %s in the table, %s in the code", f.attr, row[0], f.env)
		case f.shown != "" && row[1] != "`"+f.shown+"`" && row[1] != "`"+f.shown+"` (default)":
			t.Errorf("templates/index.md.tmpl: %s's default is %s in the table, `%s` in the code", f.attr, row[1], f.shown)
		case f.shown == "" && strings.HasPrefix(row[1], "`"):
			t.Errorf("templates/index.md.tmpl: the table gives %s the default %s, the code none", f.attr, row[1])
		}
		delete(table, f.attr)
	}
	for attr := range table {
		t.Errorf("templates/index.md.tmpl: the environment variables table lists %s, which is no provider setting", attr)
	}

	for _, v := range regexp.MustCompile(`ZOHO_[A-Z][A-Z_]*`).FindAllString(index, -1) {
		if !known[v] {
			t.Errorf("templates/index.md.tmpl names %s, which the provider does not read", v)
		}
	}
	for v, where := range zohoVariablesReadByTheProvider(t) {
		if !known[v] {
			t.Errorf("%s reads %s, which is no setting of the provider page's table: document it or stop reading it", where, v)
		}
	}
}

// zohoVariablesReadByTheProvider are the "ZOHO_..." literals of the
// packages built into the provider (internal/provider, internal/zoho and
// below it, but the emulator), except in files built only for tests.
func zohoVariablesReadByTheProvider(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	literal := regexp.MustCompile(`"(ZOHO_[A-Z][A-Z0-9_]*)"`)
	for _, dir := range []string{"internal/provider", "internal/zoho"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && (d.Name() == "zohotest" || d.Name() == "testdata"):
				return filepath.SkipDir
			case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			src := string(b)
			if strings.HasPrefix(src, "//go:build zohotestclock") {
				return nil // fleet-test builds only; released binaries never read it
			}
			rel, _ := filepath.Rel(repoRoot, path)
			for _, m := range literal.FindAllStringSubmatch(src, -1) {
				out[m[1]] = filepath.ToSlash(rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) == 0 {
		t.Fatal("found no ZOHO_* variable in the provider's source: the scan is broken")
	}
	return out
}

// The data center tables (the provider page and the setting-up guide) are
// the code's list: every code, accounts server and usual API domain, and
// nothing else.
func TestDocsFacts_dataCenters(t *testing.T) {
	for file, re := range map[string]*regexp.Regexp{
		// | `eu` | Europe | `https://accounts.zoho.eu` | `https://www.zohoapis.eu` |
		"templates/index.md.tmpl": regexp.MustCompile("(?m)^\\| `([a-z]{2})`[^|]* \\| [^|]+ \\| `(https://[^`]+)` \\| `(https://[^`]+)` \\|$"),
		// | `accounts.zoho.eu` | `eu` | `www.zohoapis.eu` |
		"templates/guides/setting-up-zoho.md.tmpl": regexp.MustCompile("(?m)^\\| `(accounts\\.[^`]+)` \\| `([a-z]{2})` \\| `([^`]+)` \\|$"),
	} {
		b, err := os.ReadFile(filepath.Join(repoRoot, file))
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			code, accounts, api := m[1], m[2], m[3]
			if file != "templates/index.md.tmpl" {
				code, accounts, api = m[2], "https://"+m[1], "https://"+m[3]
			}
			codes = append(codes, code)
			dc, ok := zoho.LookupDataCenter(code)
			switch {
			case !ok:
				t.Errorf("%s lists the data center %q, which the code does not know", file, code)
			case dc.AccountsURL != accounts || dc.APIDomain != api:
				t.Errorf("%s: %s is %s and %s, the code says %s and %s", file, code, accounts, api, dc.AccountsURL, dc.APIDomain)
			}
		}
		if want := zoho.DataCenterCodes(); !slices.Equal(codes, want) {
			t.Errorf("%s lists the data centers %q, the code %q (same order)", file, codes, want)
		}
	}
}

// The requirements tables (the provider page's and the README's) state
// what clitest knows each feature needs, and the oldest row is the oldest
// CLI the CI matrix runs.
func TestDocsFacts_cliRequirements(t *testing.T) {
	var listed struct{ Terraform, OpenTofu []string }
	b, err := os.ReadFile(filepath.Join(repoRoot, ".github/cli-versions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &listed); err != nil {
		t.Fatal(err)
	}
	oldest := clitest.Feature{Name: "every supported CLI",
		Terraform: strings.TrimSuffix(listed.Terraform[0], ".*"), OpenTofu: strings.TrimSuffix(listed.OpenTofu[0], ".*")}
	featureOf := func(row string) (clitest.Feature, bool) {
		switch {
		case strings.Contains(row, "`grant_code_wo`"):
			return clitest.WriteOnly, true
		case strings.Contains(strings.ToLower(row), "ephemeral resource"):
			return clitest.EphemeralResources, true
		case strings.Contains(row, "functions"):
			return clitest.ProviderFunctions, true
		case strings.Contains(row, "`grant_code`") && strings.Contains(row, "data source"):
			return oldest, true
		}
		return clitest.Feature{}, false
	}
	minor := func(v string) string { // "1.10.0" -> "1.10"
		parts := strings.Split(v, ".")
		return parts[0] + "." + parts[1]
	}
	row := regexp.MustCompile(`(?m)^\| (.+?) \| >= (\d+\.\d+) \| >= (\d+\.\d+) \|$`)
	for _, file := range []string{"templates/index.md.tmpl", "README.md"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, file))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, m := range row.FindAllStringSubmatch(string(b), -1) {
			f, ok := featureOf(m[1])
			if !ok {
				t.Errorf("%s: the requirements row %q names no feature this test knows: teach featureOf", file, m[1])
				continue
			}
			seen[f.Name] = true
			if m[2] != minor(f.Terraform) || m[3] != minor(f.OpenTofu) {
				t.Errorf("%s: %q needs Terraform >= %s and OpenTofu >= %s (%s), the table says >= %s and >= %s",
					file, m[1], minor(f.Terraform), minor(f.OpenTofu), f.Name, m[2], m[3])
			}
			if f.Name == clitest.EphemeralResources.Name && strings.Contains(m[1], "`ephemeral` variables") &&
				(minor(clitest.EphemeralVariables.Terraform) != m[2] || minor(clitest.EphemeralVariables.OpenTofu) != m[3]) {
				t.Errorf("%s: %q also names ephemeral variables, which need other versions", file, m[1])
			}
		}
		for _, f := range []clitest.Feature{oldest, clitest.ProviderFunctions, clitest.EphemeralResources, clitest.WriteOnly} {
			if !seen[f.Name] {
				t.Errorf("%s: the requirements table has no row for %s", file, f.Name)
			}
		}
	}
}

// A sentence about write-only arguments or ephemeral resources never
// promises them on a CLI older than the first with them (the keeping-safe
// guide once said Terraform >= 1.10 for grant_code_wo).
func TestDocsFacts_versionsInProse(t *testing.T) {
	version := regexp.MustCompile(`(Terraform/OpenTofu|Terraform and OpenTofu|Terraform or OpenTofu|Terraform|OpenTofu) (?:>= ?(\d+\.\d+)|(\d+\.\d+) or later)`)
	need := func(f clitest.Feature, product string) (int, int) {
		v := f.Terraform
		if product == "OpenTofu" {
			v = f.OpenTofu
		}
		return parseMinor(v)
	}
	for file, text := range docSources(t) {
		for _, sentence := range strings.Split(prose(text), ". ") {
			lower := strings.ToLower(sentence)
			var features []clitest.Feature
			if strings.Contains(sentence, "grant_code_wo") || strings.Contains(lower, "write-only") {
				features = append(features, clitest.WriteOnly)
			}
			if strings.Contains(lower, "ephemeral resource") {
				features = append(features, clitest.EphemeralResources)
			}
			if len(features) == 0 || strings.Contains(lower, "data source") {
				continue // a sentence about the data source names older CLIs on purpose
			}
			for _, m := range version.FindAllStringSubmatch(sentence, -1) {
				saidMajor, saidMinor := parseMinor(m[2] + m[3])
				for _, product := range []string{"Terraform", "OpenTofu"} {
					if !strings.Contains(m[1], product) {
						continue
					}
					for _, f := range features {
						nMajor, nMinor := need(f, product)
						if saidMajor < nMajor || (saidMajor == nMajor && saidMinor < nMinor) {
							t.Errorf("%s: %q promises %s on %s %d.%d, but they need %s >= %d.%d",
								file, sentence, f.Name, product, saidMajor, saidMinor, product, nMajor, nMinor)
						}
					}
				}
			}
		}
	}
}

func parseMinor(v string) (int, int) {
	parts := strings.Split(v, ".")
	major, _ := strconv.Atoi(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	return major, minor
}

// The lease lifetimes the CI guide states ("about 3 minutes 8 seconds with
// the defaults and 37.5 seconds with request_timeout = "5s"") are what a
// provider configured so computes.
func TestDocsFacts_leaseLifetimes(t *testing.T) {
	leaseFor := func(requestTimeout string) time.Duration {
		t.Helper()
		env := map[string]string{"ZOHO_TOKEN_CACHE_URL": "file://" + filepath.ToSlash(t.TempDir())}
		if requestTimeout != "" {
			env["ZOHO_REQUEST_TIMEOUT"] = requestTimeout
		}
		d, diags := newProviderData(options{getenv: func(k string) string { return env[k] }}.withDefaults(), "test", providerConfig{}, "1.11.0")
		if diags.HasError() {
			t.Fatalf("configure with %v: %v", env, diags)
		}
		return d.tokens.LeaseLifetime()
	}
	withDefaults := leaseFor("")

	b, err := os.ReadFile(filepath.Join(repoRoot, "templates/guides/ci-and-scaling.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	text := prose(string(b))
	var checked int
	// "3 minutes 8 seconds with the defaults"
	for _, m := range regexp.MustCompile(`(\d+) minutes? (\d+) seconds with the defaults`).FindAllStringSubmatch(text, -1) {
		checked++
		mins, _ := strconv.Atoi(m[1])
		secs, _ := strconv.Atoi(m[2])
		if said := time.Duration(mins)*time.Minute + time.Duration(secs)*time.Second; said != withDefaults.Round(time.Second) {
			t.Errorf("ci-and-scaling: %q, but a lease lasts %s with the defaults", m[0], withDefaults)
		}
	}
	// "about 3 minutes with the defaults"
	for _, m := range regexp.MustCompile(`about (\d+) minutes with the defaults`).FindAllStringSubmatch(text, -1) {
		checked++
		mins, _ := strconv.Atoi(m[1])
		if said := time.Duration(mins) * time.Minute; withDefaults.Round(time.Minute) != said {
			t.Errorf("ci-and-scaling: %q, but a lease lasts %s with the defaults", m[0], withDefaults)
		}
	}
	// "37.5 seconds with `request_timeout = "5s"`", and the fault table's
	// "(37.5 s here" / "a lease lasts 37.5 seconds", whose bench sets 5s.
	for _, m := range regexp.MustCompile(`(\d+(?:\.\d+)?) seconds with `+"`"+`request_timeout = "([^"]+)"`+"`").FindAllStringSubmatch(text, -1) {
		checked++
		if said, lease := m[1]+"s", leaseFor(m[2]); said != lease.String() {
			t.Errorf("ci-and-scaling: %q, but a lease lasts %s with request_timeout = %q", m[0], lease, m[2])
		}
	}
	bench := leaseFor("5s")
	for _, m := range regexp.MustCompile(`lease lasts (\d+(?:\.\d+)?) seconds|\((\d+(?:\.\d+)?) s here`).FindAllStringSubmatch(text, -1) {
		checked++
		if said := m[1] + m[2] + "s"; said != bench.String() {
			t.Errorf("ci-and-scaling: %q, but with the bench's request_timeout = \"5s\" a lease lasts %s", m[0], bench)
		}
	}
	if checked < 4 {
		t.Errorf("checked %d lease figures in the CI guide; the patterns no longer match how it states them", checked)
	}
}

// The expiry warning's lead time, as the ephemeral resource's page states it.
func TestDocsFacts_expiryWarning(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "templates/ephemeral-resources/oauth_access_token.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("When a run is still going %d minutes before the token expires, the provider warns", int(renewMargin.Minutes()))
	if !strings.Contains(prose(string(b)), want) {
		t.Errorf("the ephemeral resource's page must say %q (renewMargin is %s)", want, renewMargin)
	}
	if strings.Contains(prose(string(b)), "5 minutes left") {
		t.Error("the ephemeral resource's page speaks of a fixed 5-minute reuse margin; the code uses min_token_lifetime")
	}
}

// throttleStory is what the docs say of Zoho's mint throttle, from
// zoho-oauth-facts (§4: "for the rest of the ten minutes" by the docs;
// 15 to 30 minutes reported), in the same words on every page.
var throttleStory = []string{
	"Past that, Zoho answers `Access Denied` and blocks the refresh token for the rest of the 10-minute window, by its documentation; " +
		"users report blocks lasting 15 to 30 minutes while requests keep coming.",
	"So stop everything that mints from that refresh token, and wait 30 minutes without a request before trying again.",
}

func TestDocsFacts_oneThrottleStory(t *testing.T) {
	docs := docSources(t)
	for _, file := range []string{
		"templates/index.md.tmpl",
		"templates/guides/ci-and-scaling.md.tmpl",
		"templates/ephemeral-resources/oauth_access_token.md.tmpl",
		"internal/cmd/gen-troubleshooting/explanations.md",
	} {
		for _, s := range throttleStory {
			if !strings.Contains(prose(docs[file]), s) {
				t.Errorf("%s does not tell the throttle story in its words: %q", file, s)
			}
		}
	}
	stale := regexp.MustCompile(`(?i)up to (10|ten) minutes|rest of the window|15 to 30 minutes without`)
	for file, text := range docs {
		if m := stale.FindString(prose(text)); m != "" {
			t.Errorf("%s tells another throttle story (%q): use the words of throttleStory", file, m)
		}
	}
	_, detail, _ := explainZoho(&zoho.Error{Code: zoho.CodeThrottled, Raw: "Access Denied"}, callContext{})
	for _, s := range []string{"for the rest of the 10-minute window", "15 to 30 minutes while requests keep coming", "wait 30 minutes without a request"} {
		if !strings.Contains(detail, s) {
			t.Errorf("the Zoho Token Limit Reached diagnostic does not say %q: %s", s, detail)
		}
	}
}

// The log subsystem's variable is the one the troubleshooting page names.
func TestDocsFacts_logVariable(t *testing.T) {
	v := strings.ToUpper("TF_LOG_PROVIDER_ZOHO_" + logSubsystem)
	if !strings.Contains(docSources(t)["internal/cmd/gen-troubleshooting/page.md.tmpl"], v) {
		t.Errorf("the troubleshooting page's Logs section does not name %s", v)
	}
}
