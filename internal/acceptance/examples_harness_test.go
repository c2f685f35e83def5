package acceptance

// The harness of TestAccExamples (examples_test.go): one exampleRun per
// case, with its own emulated Zoho and working directory, and the commands
// a user types, each of whose output is scanned for secrets.

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// exampleRun is one case: its own emulated Zoho (accounts and API hosts,
// and the case's client) and working directory.
type exampleRun struct {
	t       *testing.T
	rig     *exampleRig
	ctx     context.Context
	emu     *zohotest.Emulator
	client  zohotest.Client
	apiURL  string
	work    string
	env     map[string]string // the user's environment (ZOHO_*, TF_VAR_*...)
	secrets clitest.Secrets   // never in any output
}

func newExampleRun(t *testing.T, rig *exampleRig, c exampleCase) *exampleRun {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	z := startZoho(t, zohotest.Options{}, c.client)
	x := &exampleRun{
		t: t, rig: rig, ctx: ctx, emu: z.Emu, client: z.Client, apiURL: z.APIURL, work: t.TempDir(),
		secrets: clitest.Secrets{"client secret": z.Client.Secret},
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
	}
	maps.Copy(x.env, z.Env())
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
		info, err := d.Info()
		if err != nil {
			return err
		}
		// An executable stays one: a CI step runs ./plan.sh as checked out.
		return os.WriteFile(target, raw, 0o644|info.Mode().Perm()&0o111)
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

// exec runs name args in dir (relative to the working directory) with the
// user's environment and stdin, and scans what it printed for secrets.
func (x *exampleRun) exec(dir, stdin, name string, args ...string) clitest.Result {
	x.t.Helper()
	return x.execWith(clitest.Run, dir, stdin, name, args...)
}

// execCrashing is exec for a CLI expected to crash (clitest.RunCrashing).
func (x *exampleRun) execCrashing(dir, stdin, name string, args ...string) clitest.Result {
	x.t.Helper()
	return x.execWith(clitest.RunCrashing, dir, stdin, name, args...)
}

type runFunc func(ctx context.Context, dir string, env []string, stdin, name string, args ...string) (clitest.Result, error)

func (x *exampleRun) execWith(run runFunc, dir, stdin, name string, args ...string) clitest.Result {
	x.t.Helper()
	res, err := run(x.ctx, filepath.Join(x.work, dir), clitest.Env(x.rig.cliConfig, x.env), stdin, name, args...)
	if err != nil {
		x.t.Fatal(err)
	}
	x.t.Logf("%s: %s %s: %s", dir, filepath.Base(name), strings.Join(args, " "), res.Took.Round(10*time.Millisecond))
	x.scan(filepath.Base(name)+" "+strings.Join(args, " "), res.Out)
	return res
}

// tf runs the CLI under test and fails unless it exits 0.
func (x *exampleRun) tf(dir string, args ...string) string {
	x.t.Helper()
	res := x.exec(dir, "", x.rig.cli.Path, args...)
	if res.Code != 0 {
		x.fatalf(res.Out, "%s %s in %s: exit %d", x.rig.cli.Name(), strings.Join(args, " "), dir, res.Code)
	}
	return res.Out
}

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
	res := x.exec(dir, "", x.rig.cli.Path, "plan", "-detailed-exitcode")
	if res.Code != 0 && res.Code != 2 {
		x.fatalf(res.Out, "plan -detailed-exitcode in %s: exit %d", dir, res.Code)
	}
	return res.Out, res.Code == 2
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
	res := x.exec(dir, "", x.rig.cli.Path, "plan")
	if res.Code == 0 {
		x.fatalf(res.Out, "plan in %s succeeded; it was expected to fail", dir)
	}
	return res.Out
}

// run runs an executable file of the examples from dir, as a CI step runs
// ./plan.sh, and fails unless it exits 0.
func (x *exampleRun) run(dir, file string) string {
	x.t.Helper()
	res := x.exec(dir, "", file)
	if res.Code != 0 {
		x.fatalf(res.Out, "%s in %s: exit %d", file, dir, res.Code)
	}
	return res.Out
}

// carry copies files from one runner's directory to another's, as a CI
// system's artifacts carry them between jobs.
func (x *exampleRun) carry(from, to string, files ...string) {
	x.t.Helper()
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(x.work, from, f))
		if err != nil {
			x.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(x.work, to, f), raw, 0o644); err != nil {
			x.t.Fatal(err)
		}
	}
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
	if res.Code != 0 {
		x.fatalf(res.Out, "bash %s: exit %d", file, res.Code)
	}
	return res.Out
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

// deferralWarningSummary is the summary of the warning the provider gives
// when it defers (internal/provider's
// TestEphemeralAccessToken_deferralWarnsOnce checks the same words).
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
	for name, list := range refreshTokensInState(x.t, filepath.Join(x.work, dir)) {
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
	for _, leaked := range x.secrets.Leaks(out) {
		x.t.Errorf("%s printed the %s:\n%s", what, leaked, x.secrets.LeakLines(out, leaked))
	}
	return out
}

// fatalf fails with the tail of out, every secret replaced by its name.
func (x *exampleRun) fatalf(out, format string, args ...any) {
	x.t.Helper()
	x.t.Fatalf(format+"\n%s", append(args, clitest.Tail(x.secrets.Redact(out), 40))...)
}

// exampleRig is what every case shares: the CLI under test, the provider
// mirror and the CLI configuration that installs from it.
type exampleRig struct {
	cli       clitest.CLI
	root      string // repository root
	cliConfig string
	binDir    string // `tofu` and `terraform`, both the CLI under test
}

// newExampleRig installs the provider and Mastercard/restapi (built once
// from tools/restapi and cached) in a filesystem mirror, so that `init`
// installs them as it would from the registry, offline.
func newExampleRig(t *testing.T, cli clitest.CLI, zoho clitest.Plugin) *exampleRig {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, err := clitest.Root()
	if err != nil {
		t.Fatal(err)
	}
	rig := &exampleRig{cli: cli, root: root, binDir: t.TempDir(), cliConfig: filepath.Join(t.TempDir(), "mirror.tfrc")}
	restapi := clitest.Plugin{Source: "mastercard/restapi"}
	if restapi.Binary, err = clitest.Tool(ctx, "terraform-provider-restapi"); err != nil {
		t.Fatal(err)
	}
	restapi.Version = moduleVersion(t, filepath.Join(root, "tools", "restapi", "go.mod"), "github.com/Mastercard/terraform-provider-restapi")
	if err := clitest.FilesystemMirror(rig.cliConfig, t.TempDir(), runtime.GOOS+"_"+runtime.GOARCH, zoho, restapi); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tofu", "terraform"} {
		if err := os.Symlink(cli.Path, filepath.Join(rig.binDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return rig
}

// moduleVersion reads the version a go.mod requires of module.
func moduleVersion(t *testing.T, gomod, module string) string {
	raw, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("%s requires no %s", gomod, module)
	}
	return string(m[1])
}
