package provider

// The harness of TestAccExamples (examples_test.go): one exampleRun per
// case, with its own emulated Zoho and working directory, and the commands
// a user types, each of whose output is scanned for secrets.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// exampleRun is one case: its own emulator, client and working directory.
type exampleRun struct {
	t       *testing.T
	rig     *exampleRig
	ctx     context.Context
	emu     *zohotest.Emulator
	client  zohotest.Client
	apiURL  string
	work    string
	env     map[string]string // the user's environment (ZOHO_*, TF_VAR_*...)
	secrets map[string]string // name -> value: never in any output
}

func newExampleRun(t *testing.T, rig *exampleRig, c exampleCase) *exampleRun {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	emu := zohotest.New(zohotest.Options{})
	accounts := emu.StartServer(t, "us")
	apiURL := emu.StartServer(t, "us") // the API host, as Zoho's is apart from accounts
	emu.SetAPIDomain("us", apiURL)
	client := emu.RegisterClient(c.client)
	x := &exampleRun{
		t: t, rig: rig, ctx: ctx, emu: emu, client: client, apiURL: apiURL, work: t.TempDir(),
		secrets: map[string]string{"client secret": client.Secret},
	}
	x.env = map[string]string{
		// Non-interactive, as in CI; the commands themselves are the user's.
		"TF_CLI_ARGS_init":    "-input=false -no-color",
		"TF_CLI_ARGS_plan":    "-input=false -no-color",
		"TF_CLI_ARGS_apply":   "-input=false -no-color -auto-approve",
		"TF_CLI_ARGS_destroy": "-input=false -no-color -auto-approve",
		"TF_CLI_ARGS_import":  "-input=false -no-color",
		"TF_CLI_ARGS_output":  "-no-color",
		"HOME":                t.TempDir(),
		"PATH":                rig.binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"NO_PROXY":            "127.0.0.1,localhost",
		"no_proxy":            "127.0.0.1,localhost",
		envAccountsURL:        accounts,
		envClientID:           client.ID,
		envClientSecret:       client.Secret,
	}
	return x
}

// copy copies example files or directories (paths from the repository
// root) to the same paths in the working directory.
func (x *exampleRun) copy(paths ...string) {
	for _, p := range paths {
		x.copyTo(p, p)
	}
}

func (x *exampleRun) copyTo(src, dst string) {
	x.t.Helper()
	from, to := filepath.Join(x.rig.root, src), filepath.Join(x.work, dst)
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if name == ".terraform" || name == ".terraform.lock.hcl" || strings.Contains(name, ".tfstate") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(from, path)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, raw, 0o644)
	})
	if err != nil {
		x.t.Fatal(err)
	}
}

func (x *exampleRun) write(dst, content string) {
	x.t.Helper()
	path := filepath.Join(x.work, dst)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		x.t.Fatal(err)
	}
	writeFile(x.t, path, content)
}

func (x *exampleRun) readFile(rel string) string {
	x.t.Helper()
	raw, err := os.ReadFile(filepath.Join(x.work, rel))
	if err != nil {
		x.t.Fatal(err)
	}
	return x.scan(rel, string(raw))
}

// grantCode issues a Self Client grant code ("Generate Code" in the API
// Console) and, when variable is set, gives it as TF_VAR_<variable>.
func (x *exampleRun) grantCode(variable string) string {
	x.t.Helper()
	code, err := x.emu.IssueGrantCode(x.client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ", "ZohoCRM.modules.ALL"}})
	if err != nil {
		x.t.Fatal(err)
	}
	x.addSecret("grant code "+variable, code)
	if variable != "" {
		x.env["TF_VAR_"+variable] = code
	}
	return code
}

// issueRefreshToken stands for a refresh token the user already has, given
// in the environment variable envName when set.
func (x *exampleRun) issueRefreshToken(envName string) string {
	x.t.Helper()
	refresh, err := x.emu.IssueRefreshToken(x.client.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		x.t.Fatal(err)
	}
	x.addSecret("refresh token", refresh)
	if envName != "" {
		x.env[envName] = refresh
	}
	return refresh
}

func (x *exampleRun) addSecret(name, value string) {
	if _, taken := x.secrets[name]; taken {
		name = fmt.Sprintf("%s #%d", name, len(x.secrets))
	}
	x.secrets[name] = value
}

// cmdResult is what a command printed (stdout and stderr, redacted of
// nothing: callers go through scan or fatalf) and its exit code.
type cmdResult struct {
	out  string
	code int
}

// exec runs name args in dir (relative to the working directory) with the
// user's environment and stdin.
func (x *exampleRun) exec(dir, stdin, name string, args ...string) cmdResult {
	x.t.Helper()
	cmd := exec.CommandContext(x.ctx, name, args...)
	cmd.Dir = filepath.Join(x.work, dir)
	cmd.Env = cliEnv(x.rig.cliConfig, x.env)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	x.t.Logf("%s: %s %s: %s", dir, filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(10*time.Millisecond))
	res := cmdResult{out: out.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		x.t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	x.scan(filepath.Base(name)+" "+strings.Join(args, " "), res.out)
	return res
}

// tf runs the CLI under test and fails unless it exits 0.
func (x *exampleRun) tf(dir string, args ...string) string {
	x.t.Helper()
	res := x.exec(dir, "", x.rig.cli, args...)
	if res.code != 0 {
		x.fatalf(res.out, "%s %s in %s: exit %d", x.cliName(), strings.Join(args, " "), dir, res.code)
	}
	return res.out
}

func (x *exampleRun) cliName() string { return filepath.Base(x.rig.cli) }

func (x *exampleRun) init(dir string) string  { return x.tf(dir, "init") }
func (x *exampleRun) plan(dir string) string  { return x.tf(dir, "plan") }
func (x *exampleRun) apply(dir string) string { return x.tf(dir, "apply") }

func (x *exampleRun) destroy(dir string) string {
	x.t.Helper()
	out := x.tf(dir, "destroy")
	if !strings.Contains(out, "Destroy complete!") {
		x.fatalf(out, "destroy in %s did not complete", dir)
	}
	return out
}

// planChanges runs plan -detailed-exitcode: exit 0 is no change, 2 changes.
func (x *exampleRun) planChanges(dir string) (string, bool) {
	x.t.Helper()
	res := x.exec(dir, "", x.rig.cli, "plan", "-detailed-exitcode")
	if res.code != 0 && res.code != 2 {
		x.fatalf(res.out, "plan -detailed-exitcode in %s: exit %d", dir, res.code)
	}
	return res.out, res.code == 2
}

// planNoChanges is the second plan, after the first apply: nothing to do.
func (x *exampleRun) planNoChanges(dir string) string {
	x.t.Helper()
	out, changed := x.planChanges(dir)
	if changed {
		x.fatalf(out, "the plan after apply shows changes in %s (plan -detailed-exitcode exit 2)", dir)
	}
	return out
}

func (x *exampleRun) planFails(dir string) string {
	x.t.Helper()
	res := x.exec(dir, "", x.rig.cli, "plan")
	if res.code == 0 {
		x.fatalf(res.out, "plan in %s succeeded; it was expected to fail", dir)
	}
	return res.out
}

// script runs a shell file of the examples with bash, from dir, as a user
// pasting its commands into a shell that stops at the first error.
func (x *exampleRun) script(dir, file, stdin string) string {
	x.t.Helper()
	rel, err := filepath.Rel(filepath.Join(x.work, dir), filepath.Join(x.work, file))
	if err != nil {
		x.t.Fatal(err)
	}
	res := x.exec(dir, stdin, "bash", "-euo", "pipefail", rel)
	if res.code != 0 {
		x.fatalf(res.out, "bash %s: exit %d", file, res.code)
	}
	return res.out
}

func (x *exampleRun) expectOutput(dir, name, want string) {
	x.t.Helper()
	if got := strings.TrimSpace(x.tf(dir, "output", "-raw", name)); got != want {
		x.t.Errorf("output %s in %s = %q, want %q", name, dir, got, want)
	}
}

func (x *exampleRun) expectLive(refresh string, live bool) {
	x.t.Helper()
	if refresh == "" {
		x.t.Fatal("no refresh token to check")
	}
	if got := x.emu.RefreshTokenLive(refresh); got != live {
		x.t.Errorf("refresh token %s live at Zoho: %v, want %v", zoho.Fingerprint(refresh), got, live)
	}
}

func (x *exampleRun) expectMintedFrom(refresh string) {
	x.t.Helper()
	if x.emu.MintsFor(refresh) == 0 {
		x.t.Errorf("no access token was minted from refresh token %s", zoho.Fingerprint(refresh))
	}
}

func (x *exampleRun) expectAPICalls(atLeast int) {
	x.t.Helper()
	if n := x.emu.Counters().APICalls; n < atLeast {
		x.t.Errorf("%d calls of the CRM API, want at least %d", n, atLeast)
	}
}

// deferralLines are how each CLI announces, itself, an ephemeral resource
// it defers because its configuration is unknown. Neither calls the
// provider then: the provider's own warning (deferralWarningSummary) is for
// clients that do.
var deferralLines = []string{": Deferred due to unknown configuration", ": Configuration unknown, deferring..."}

// deferralWarningSummary is the summary of the warning Open gives when it
// defers (TestEphemeralAccessToken_deferralWarnsOnce checks they agree).
const deferralWarningSummary = "Zoho Access Token Deferred To Apply"

// expectDeferralAnnounced checks that a plan says (or does not say) that
// addr waits for apply: by the CLI's own line, or by the provider's warning,
// which must then appear once.
func (x *exampleRun) expectDeferralAnnounced(out, addr string, deferred bool) {
	x.t.Helper()
	cliSays := false
	for _, line := range deferralLines {
		cliSays = cliSays || strings.Contains(out, addr+line)
	}
	warnings := strings.Count(out, deferralWarningSummary)
	switch {
	case deferred && !cliSays && warnings == 0:
		x.fatalf(out, "the plan does not say that %s is deferred", addr)
	case warnings > 1:
		x.fatalf(out, "the deferral warning appears %d times, want once", warnings)
	case !deferred && (cliSays || warnings != 0):
		x.fatalf(out, "the plan says %s is deferred, but its refresh token is known", addr)
	}
}

// refreshTokens reads the refresh tokens in dir's state, by resource name.
func (x *exampleRun) refreshTokens(dir string) map[string]string {
	x.t.Helper()
	tokens := map[string]string{}
	for name, list := range refreshTokensInState(x.t, filepath.Join(x.work, dir, "terraform.tfstate")) {
		if len(list) == 1 {
			tokens[name] = list[0]
			x.addSecret("refresh token "+name, tokens[name])
		}
	}
	return tokens
}

// scan fails the test when output holds a secret: the examples promise
// that none is ever printed. It names the secret, never shows it.
func (x *exampleRun) scan(what, out string) string {
	x.t.Helper()
	for name, secret := range x.secrets {
		if strings.Contains(out, secret) {
			x.t.Errorf("%s printed the %s:\n%s", what, name, leakLines(out, secret, x.secrets))
		}
	}
	if m := zohoSecretShape.FindString(out); m != "" {
		x.t.Errorf("%s printed a value shaped like a Zoho token (fingerprint %s):\n%s", what, zoho.Fingerprint(m), leakLines(out, m, x.secrets))
	}
	return out
}

// fatalf fails with the tail of out, every secret replaced by its name.
func (x *exampleRun) fatalf(out, format string, args ...any) {
	x.t.Helper()
	x.t.Fatalf(format+"\n%s", append(args, tail(redactNamed(out, x.secrets), 40))...)
}
