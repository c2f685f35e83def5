package acceptance

// zoho_api_proxy through the real CLI: the proxy lives in the provider
// process only while the CLI runs, so every request here comes from a
// provisioner's script that the CLI runs during apply. The scripts write
// what they saw to files in the working directory: the CLI hides a
// provisioner's output when its configuration holds a sensitive value, and
// the proxy's url and the access token's header both are.

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// proxyRun is a working directory where the CLI applies a configuration
// with a zoho_api_proxy, against an emulated Zoho.
type proxyRun struct {
	t       *testing.T
	ctx     context.Context
	cli     clitest.CLI
	plugin  clitest.Plugin
	z       *clitest.Zoho
	work    string
	vars    map[string]string
	secrets clitest.Secrets
}

// newProxyRun is a fresh working directory for z's client, holding
// main.tf (requiredZoho + config) and the given scripts. The refresh
// token goes in through the ephemeral variable refresh_token.
func newProxyRun(ctx context.Context, t *testing.T, cli clitest.CLI, plugin clitest.Plugin, z *clitest.Zoho, refresh, config string, scripts map[string]string) *proxyRun {
	t.Helper()
	r := &proxyRun{t: t, ctx: ctx, cli: cli, plugin: plugin, z: z, work: t.TempDir(),
		vars:    z.Env(),
		secrets: clitest.Secrets{"client secret": z.Client.Secret, "refresh token": refresh},
	}
	r.vars["TF_VAR_refresh_token"] = refresh
	// curl goes straight to loopback whatever proxy the machine has.
	r.vars["NO_PROXY"], r.vars["no_proxy"] = "127.0.0.1,localhost", "127.0.0.1,localhost"
	writeFile(t, filepath.Join(r.work, "main.tf"), requiredZoho+refreshTokenVariable+config)
	for name, text := range scripts {
		writeFile(t, filepath.Join(r.work, name), text)
	}
	return r
}

const refreshTokenVariable = `
variable "refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}
`

// apply runs apply -auto-approve; it may fail.
func (r *proxyRun) apply(args ...string) clitest.Result {
	r.t.Helper()
	return run(r.ctx, r.t, r.cli, r.work, devEnv(r.t, r.work, r.plugin, r.vars), append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, args...)...)
}

// mustApply is apply, failing the test unless it succeeds.
func (r *proxyRun) mustApply(args ...string) clitest.Result {
	r.t.Helper()
	res := r.apply(args...)
	if res.Code != 0 {
		r.t.Fatalf("%s apply: exit %d\n%s", r.cli.Name(), res.Code, clitest.Tail(r.secrets.Redact(res.Out), 40))
	}
	return res
}

// file is what a script wrote to name in the working directory ("" when
// nothing).
func (r *proxyRun) file(name string) string {
	raw, _ := os.ReadFile(filepath.Join(r.work, name))
	return string(raw)
}

// callLoop calls CRM's current-user API at $ZOHO_API every 0.2 s for
// $CALLS_FOR seconds, with $ZOHO_AUTHORIZATION as the Authorization header
// when set (from stdin: no token on curl's command line). The
// first call that is not a 200 ends it with exit 1; calls.log says how many
// calls were made and, at the end, the failed call's answer.
const callLoop = `#!/bin/sh
start=$(date +%s)
end=$((start + CALLS_FOR))
calls=0
call() {
	if [ -n "${ZOHO_AUTHORIZATION:-}" ]; then
		printf 'Authorization: %s\n' "$ZOHO_AUTHORIZATION" | curl -sS -o answer.json -w '%{http_code}' -H @- "$1"
	else
		curl -sS -o answer.json -w '%{http_code}' "$1"
	fi
}
while [ "$(date +%s)" -lt "$end" ]; do
	status=$(call "${ZOHO_API}crm/v8/users?type=CurrentUser")
	if [ "$status" != 200 ]; then
		echo "call $((calls + 1)) failed after $(($(date +%s) - start)) s: HTTP $status $(cat answer.json)" >>calls.log
		exit 1
	fi
	calls=$((calls + 1))
	echo "$calls" >calls.count
	sleep 0.2
done
echo "$calls calls in $(($(date +%s) - start)) s, none failed" >>calls.log
`

// TestAccAPIProxy_outlivesItsTokens is the reason the proxy exists: a
// provisioner that calls the API for longer than a token lives. The
// emulator's tokens live 10 s and the provider replaces a token 1 s before
// it expires (min_token_lifetime); the provisioner calls CRM every 0.2 s
// for four token lifetimes and more.
//
// Through the proxy every call succeeds, each reaches the API exactly once
// (no call was refused and replayed: tokens were replaced before they
// expired, not after), and the tokens minted stay within one per lifetime
// of the run plus one. The same loop with zoho_oauth_access_token's
// authorization_header fails once its one token has expired, with the
// API's INVALID_TOKEN answer.
//
// The expected number of mints: the plan opens the proxy once (a mint),
// the apply opens it again (a mint: another provider process, no
// token_cache_dir), and while the loop runs the cache replaces the token
// every TTL - min_token_lifetime = 9 s: 1 + 1 + floor(41/9) = 6 for a
// 41 s loop, and the apply lasts over 41 s, so ceil(wall/TTL) + 1 >= 6.
// A larger min_token_lifetime would make that bound miss: tokens replaced
// every 8 s (2s) cost 7 mints over the same run.
func TestAccAPIProxy_outlivesItsTokens(t *testing.T) {
	_, cli, plugin := cliUnderTest(t, clitest.EphemeralResources)
	const ttl = 10 * time.Second
	loop := 4*ttl + time.Second // the script counts whole seconds
	provider := providerBlock(`min_token_lifetime = "1s"`)
	caller := func(environment string) string {
		return fmt.Sprintf(`
resource "terraform_data" "calls" {
  provisioner "local-exec" {
    command     = "sh ./calls.sh"
    environment = { CALLS_FOR = %d, %s }
  }
}
`, int(loop/time.Second), environment)
	}
	scripts := map[string]string{"calls.sh": callLoop}

	t.Run("through zoho_api_proxy", func(t *testing.T) {
		ctx := parallel(t)
		z := startZoho(t, zohotest.Options{AccessTokenTTL: ttl}, zohotest.Client{})
		refresh := issueRefreshToken(t, z)
		r := newProxyRun(ctx, t, cli, plugin, z, refresh, provider+`
ephemeral "zoho_api_proxy" "crm" {
  refresh_token = var.refresh_token
}
`+caller(`ZOHO_API = ephemeral.zoho_api_proxy.crm.url`), scripts)
		before := z.Emu.Counters().APICalls
		res := r.mustApply()
		calls := r.callCount()
		t.Logf("%s apply: %.1f s, %d calls, %d mints; calls.log: %s", cli.Name(), res.Took.Seconds(), calls, z.Emu.MintsFor(refresh), r.file("calls.log"))
		if !strings.Contains(r.file("calls.log"), "none failed") {
			t.Fatalf("the loop did not end cleanly: %q", r.file("calls.log"))
		}
		if least := int(loop / time.Second); calls < least { // 5 a second, less on a busy machine
			t.Errorf("%d calls in the loop, want at least %d", calls, least)
		}
		if got := z.Emu.Counters().APICalls - before; got != calls {
			t.Errorf("the API saw %d calls for the loop's %d: a call was refused and replayed, or forwarded twice", got, calls)
		}
		lifetimes := int(math.Ceil(float64(res.Took) / float64(ttl)))
		mints := z.Emu.MintsFor(refresh)
		if mints > lifetimes+1 {
			t.Errorf("%d mints for a run of %d token lifetimes (%.1f s): want at most %d", mints, lifetimes, res.Took.Seconds(), lifetimes+1)
		}
		if mints < int(loop/ttl) {
			t.Errorf("%d mints for a loop of %s: no token lives past %s, so the loop's calls cannot all have succeeded on fewer than %d", mints, loop, ttl, int(loop/ttl))
		}
	})

	t.Run("with zoho_oauth_access_token", func(t *testing.T) {
		ctx := parallel(t)
		z := startZoho(t, zohotest.Options{AccessTokenTTL: ttl}, zohotest.Client{})
		refresh := issueRefreshToken(t, z)
		r := newProxyRun(ctx, t, cli, plugin, z, refresh, provider+`
ephemeral "zoho_oauth_access_token" "crm" {
  refresh_token = var.refresh_token
}
`+caller(`ZOHO_API = "${ephemeral.zoho_oauth_access_token.crm.api_domain}/", ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.crm.authorization_header`), scripts)
		res := r.apply()
		calls, log := r.callCount(), r.file("calls.log")
		t.Logf("%s apply: exit %d after %.1f s, %d good calls; calls.log: %s", cli.Name(), res.Code, res.Took.Seconds(), calls, log)
		if res.Code == 0 {
			t.Fatalf("the apply succeeded with one access token for %s of calls: the token outlived its %s", loop, ttl)
		}
		if !clitest.InOrder("local-exec provisioner error").MatchString(res.Out) {
			t.Errorf("the apply failed, but not in the provisioner:\n%s", clitest.Tail(r.secrets.Redact(res.Out), 30))
		}
		if !clitest.InOrder("failed after", "HTTP 401", `"code":"INVALID_TOKEN"`).MatchString(log) {
			t.Errorf("the loop did not end on the API's invalid-token answer: %q", log)
		}
		// The token worked until it expired: most of a lifetime of calls.
		if least := int(ttl / time.Second); calls < least {
			t.Errorf("%d good calls before the failure, want at least %d (a lifetime's worth)", calls, least)
		}
	})
}

// callCount is the number of good calls the call loop made.
func (r *proxyRun) callCount() int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.file("calls.count")))
	return n
}

func issueRefreshToken(t *testing.T, z *clitest.Zoho) string {
	t.Helper()
	refresh, err := z.Emu.IssueRefreshToken(z.Client.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		t.Fatal(err)
	}
	return refresh
}

// TestAccAPIProxy_noTokenAnywhere runs what a CI job runs, plan -out then
// apply of the saved plan, with TF_LOG=trace, and a provisioner that calls
// the API through the proxy (once with a query value that is personal
// data, once refused for its Host). No secret is in anything the CLI left:
// not the client secret, the refresh token or any access token (anything
// token-shaped) in the output of either command, their trace logs (which
// carry the provider's own lines, the proxy's included), the state or the
// saved plan. Neither is the proxy's URL, a capability while the run lasts:
// the provisioner writes it to url.txt for this test, and it shows up
// nowhere else, nor does any other proxy URL (the plan opened its own).
func TestAccAPIProxy_noTokenAnywhere(t *testing.T) {
	ctx, cli, plugin := cliUnderTest(t, clitest.EphemeralResources)
	z := startZoho(t, zohotest.Options{}, zohotest.Client{})
	refresh := issueRefreshToken(t, z)
	r := newProxyRun(ctx, t, cli, plugin, z, refresh, providerBlock()+`
ephemeral "zoho_api_proxy" "crm" {
  refresh_token = var.refresh_token
}

resource "terraform_data" "calls" {
  provisioner "local-exec" {
    command     = "sh ./calls.sh"
    environment = { ZOHO_API = ephemeral.zoho_api_proxy.crm.url }
  }
}
`, map[string]string{"calls.sh": `#!/bin/sh
printf '%s' "$ZOHO_API" >url.txt
curl -sS -o user.json "${ZOHO_API}crm/v8/users?type=CurrentUser&email=personal-data%40example.com"
curl -sS -o /dev/null "${ZOHO_API}crm/v8/users?type=CurrentUser"
curl -sS -o /dev/null -H 'Host: attacker.example' "${ZOHO_API}crm/v8/users?type=CurrentUser"
`})
	r.vars["TF_LOG"] = "trace"
	captured := map[string]string{}
	for _, command := range [][]string{
		{"plan", "-input=false", "-no-color", "-out=tfplan"},
		{"apply", "-input=false", "-no-color", "tfplan"},
	} {
		r.vars["TF_LOG_PATH"] = filepath.Join(r.work, command[0]+".log")
		res := mustRun(ctx, t, cli, r.work, devEnv(t, r.work, plugin, r.vars), r.secrets, command...)
		captured[command[0]+" output"] = res.Out
		captured[command[0]+" trace log"] = r.file(command[0] + ".log")
	}
	captured["state"] = r.file("terraform.tfstate")
	for name, text := range savedPlanFiles(t, filepath.Join(r.work, "tfplan")) {
		captured["saved plan's "+name] = text
	}

	url := r.file("url.txt")
	if !proxyURL.MatchString(url) || !strings.Contains(r.file("user.json"), `"users"`) {
		t.Fatalf("the provisioner did not call the API through the proxy (url.txt %q, answer %q): the checks below would prove nothing", url, r.file("user.json"))
	}
	logs := captured["plan trace log"] + captured["apply trace log"]
	for _, want := range []string{"Zoho API proxy listening", "zoho_api_proxy forwarded a request", "zoho_api_proxy refused a request", "@module=zoho"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the trace logs lack %q: the provider's lines were not captured, so the checks below prove less", want)
		}
	}
	if !strings.Contains(logs, "email=") {
		t.Error("the trace logs lack the logged path with its query keys")
	}
	secrets := maps.Clone(r.secrets)
	secrets["proxy URL prefix"] = pathPrefix(url)
	secrets["personal data in a query"] = "personal-data"
	for name, text := range captured {
		t.Logf("checked %s: %d bytes", name, len(text))
		for _, leaked := range secrets.Leaks(text) {
			t.Errorf("%s holds the %s, e.g.:\n%s", name, leaked, secrets.LeakLines(text, leaked))
		}
		if m := proxyURL.FindString(text); m != "" {
			t.Errorf("%s holds a proxy URL (%d characters)", name, len(m))
		}
	}
}

// pathPrefix is the random path prefix of a proxy URL: the 32 hex digits
// in http://127.0.0.1:<port>/<prefix>/.
func pathPrefix(url string) string {
	parts := strings.Split(strings.TrimSuffix(url, "/"), "/")
	return parts[len(parts)-1]
}

// proxyURL is any zoho_api_proxy url.
var proxyURL = regexp.MustCompile(`127\.0\.0\.1:\d+/[0-9a-f]{32}/`)

// savedPlanFiles are the files of a saved plan (a zip archive), by name.
func savedPlanFiles(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(raw)
	}
	if len(files) == 0 {
		t.Fatalf("%s holds no file", path)
	}
	return files
}
