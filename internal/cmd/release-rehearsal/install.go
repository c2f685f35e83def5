package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// cliDir makes a fresh directory for a CLI run, with examples/demo's
// configuration and a CLI configuration whose host blocks point at the
// registry's release under prefix. It returns the directory and the
// configuration's path.
func (r *rehearsal) cliDir(cli clitest.CLI, name, prefix string) (dir, config string, err error) {
	dir = filepath.Join(r.work, cli.Name(), name)
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o755); err != nil {
		return "", "", err
	}
	demo, err := os.ReadFile(filepath.Join(r.root, "examples", "demo", "main.tf"))
	if err != nil {
		return "", "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), demo, 0o644); err != nil {
		return "", "", err
	}
	config = filepath.Join(dir, "registry.tfrc")
	return dir, config, clitest.RegistryHosts(config, r.reg.ServicesURL(prefix))
}

// env is a CLI's environment for a run in dir: the CLI configuration, the
// run's CA as the only one trusted (caFile; "" trusts the system's), a HOME
// of its own (no implicit plugin directory of the user's), and vars.
func (r *rehearsal) env(dir, config, caFile string, vars map[string]string) []string {
	all := map[string]string{"SSL_CERT_FILE": caFile, "SSL_CERT_DIR": "", "HOME": filepath.Join(dir, "home"),
		"XDG_DATA_HOME": filepath.Join(dir, "home", ".local", "share"), "XDG_CONFIG_HOME": filepath.Join(dir, "home", ".config")}
	for k, v := range vars {
		all[k] = v
	}
	return clitest.Env(config, all)
}

// installAndApply is what a user does with a release: init, version, apply,
// destroy.
func (r *rehearsal) installAndApply(ctx context.Context, s *steps, cli clitest.CLI) error {
	name := cli.Name()
	if err := s.run(name+" init without the run's CA fails (only SSL_CERT_FILE makes the registry trusted)", func() error {
		return r.initWithoutCA(ctx, cli)
	}); err != nil {
		return err
	}
	dir, config, err := r.cliDir(cli, "release", "")
	if err != nil {
		return err
	}
	run := func(vars map[string]string, args ...string) (clitest.Result, error) {
		return clitest.Run(ctx, dir, r.env(dir, config, r.reg.CAFile, vars), "", cli.Path, args...)
	}
	if err := s.run(name+" init: installs "+clitest.ProviderSource+" "+r.opts.version+" from the registry, verified", func() error {
		before := len(r.reg.Requests())
		res, err := run(nil, "init", "-input=false", "-no-color")
		if err != nil {
			return err
		}
		if res.Code != 0 {
			return fmt.Errorf("%s init: exit %d:\n%s", name, res.Code, res.Out)
		}
		for line := range strings.SplitSeq(res.Out, "\n") {
			if strings.Contains(line, "cd40c554/zoho") {
				say("%s", strings.TrimSpace(line))
			}
		}
		say("registry requests: %s", r.requestsSince(before))
		return r.checkLock(cli, dir)
	}); err != nil {
		return err
	}
	if err := s.run(name+" version: the provider at the released version", func() error {
		res, err := run(nil, "version")
		if err != nil {
			return err
		}
		want := fmt.Sprintf("+ provider %s/%s v%s", cli.Registry(), clitest.ProviderSource, r.opts.version)
		if res.Code != 0 || !strings.Contains(res.Out, want) {
			return fmt.Errorf("%s version (exit %d) does not list %q:\n%s", name, res.Code, want, res.Out)
		}
		say("%s", strings.TrimSpace(res.Out))
		return r.checkBinary(cli, dir)
	}); err != nil {
		return err
	}
	return s.run(name+" apply and destroy examples/demo against the emulator, with the installed provider", func() error {
		return r.applyDemo(ctx, cli, run)
	})
}

// initWithoutCA: with the system's CAs only, the registry's certificate is
// refused, so the CLIs trust it through SSL_CERT_FILE and nothing else.
func (r *rehearsal) initWithoutCA(ctx context.Context, cli clitest.CLI) error {
	dir, config, err := r.cliDir(cli, "no-ca", "")
	if err != nil {
		return err
	}
	res, err := clitest.Run(ctx, dir, r.env(dir, config, "", nil), "", cli.Path, "init", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	if res.Code == 0 {
		return fmt.Errorf("%s init succeeded with the system's CAs only: the run's CA is trusted beyond SSL_CERT_FILE", cli.Name())
	}
	if !regexp.MustCompile(`x509: certificate signed by unknown authority`).MatchString(res.Out) {
		return fmt.Errorf("%s init failed without the CA, but not for the certificate:\n%s", cli.Name(), res.Out)
	}
	say("refused: %s", firstMatch(res.Out, `[^\n]*x509: certificate signed by unknown authority[^\n]*`))
	return nil
}

// requestsSince lists the registry requests made since the n-th.
func (r *rehearsal) requestsSince(n int) string {
	var paths []string
	for _, req := range r.reg.Requests()[n:] {
		paths = append(paths, fmt.Sprintf("%s %s %d", req.Method, strings.TrimPrefix(req.Path, "/"+req.Prefix), req.Status))
	}
	return strings.Join(paths, ", ")
}

// checkLock: the lock file records the version, the h1: hash of the
// package installed here, and a zh: hash per line of the signed SHA256SUMS.
// Both CLIs take every line of a SHA256SUMS whose signature verified as an
// acceptable hash for the provider, whatever file it names: so beside the
// provider's zips, users' lock files also list the emulator's archives and
// the manifest, which the release's SHA256SUMS covers too.
func (r *rehearsal) checkLock(cli clitest.CLI, dir string) error {
	lock, err := clitest.LockedProvider(dir, cli.Registry()+"/"+clitest.ProviderSource)
	if err != nil {
		return err
	}
	if lock.Version != r.opts.version {
		return fmt.Errorf(".terraform.lock.hcl locks version %q, want %q", lock.Version, r.opts.version)
	}
	h1, err := dirhash.HashZip(filepath.Join(r.dist.dir, r.dist.zip(r.here)), dirhash.Hash1)
	if err != nil {
		return err
	}
	want := []string{h1}
	for _, sum := range r.dist.listed {
		want = append(want, "zh:"+sum)
	}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(lock.Hashes))
	if !slices.Equal(got, want) {
		return fmt.Errorf(".terraform.lock.hcl hashes %q, want %q (h1: of the %s package, zh: of each line of SHA256SUMS)", got, want, r.here)
	}
	say(".terraform.lock.hcl: version %s; h1: of the %s package = the zip's content (%s); %d zh: = the lines of the signed SHA256SUMS (%d provider zip(s), and the emulator's archives and the manifest)",
		lock.Version, r.here, h1, len(r.dist.listed), len(r.targets))
	return nil
}

// checkBinary: the installed executable carries the release's name and was
// built as .goreleaser.yml says (static, -trimpath, for this platform). Its
// -ldflags are not in its build information (-trimpath leaves them out):
// the version they set shows in the provider's User-Agent (checkUserAgent).
func (r *rehearsal) checkBinary(cli clitest.CLI, dir string) error {
	bin := filepath.Join(dir, ".terraform", "providers", cli.Registry(), clitest.ProviderSource, r.opts.version,
		r.here.OS+"_"+r.here.Arch, "terraform-provider-zoho_v"+r.opts.version)
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		return fmt.Errorf("go version -m %s: %w", bin, err)
	}
	for _, setting := range []string{"-trimpath=true", "CGO_ENABLED=0", "GOOS=" + r.here.OS, "GOARCH=" + r.here.Arch} {
		if !regexp.MustCompile(`\tbuild\t` + regexp.QuoteMeta(setting) + `\n`).Match(out) {
			return fmt.Errorf("%s was not built with %s:\n%s", bin, setting, out)
		}
	}
	say("installed %s: built with -trimpath, CGO_ENABLED=0", strings.TrimPrefix(bin, dir+string(filepath.Separator)))
	return nil
}

// applyDemo applies examples/demo against an emulated Zoho, checks its CRM
// call and the provider's User-Agent, scans the output for secrets, and
// destroys.
func (r *rehearsal) applyDemo(ctx context.Context, cli clitest.CLI, run func(map[string]string, ...string) (clitest.Result, error)) error {
	z, err := clitest.StartZoho(zohotest.Options{}, zohotest.Client{})
	if err != nil {
		return err
	}
	defer z.Close()
	code, err := z.Emu.IssueGrantCode(z.Client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ", "ZohoCRM.modules.READ"}})
	if err != nil {
		return err
	}
	secrets := clitest.Secrets{"client secret": z.Client.Secret, "grant code": code}
	vars := z.Env()
	vars["TF_VAR_grant_code"] = code
	for _, args := range [][]string{
		{"apply", "-auto-approve", "-input=false", "-no-color"},
		{"destroy", "-auto-approve", "-input=false", "-no-color"},
	} {
		res, err := run(vars, args...)
		if err != nil {
			return err
		}
		if leaks := secrets.Leaks(res.Out); len(leaks) > 0 {
			return fmt.Errorf("%s %s printed %v:\n%s", cli.Name(), args[0], leaks, secrets.LeakLines(res.Out, leaks[0]))
		}
		if res.Code != 0 {
			return fmt.Errorf("%s %s: exit %d:\n%s", cli.Name(), args[0], res.Code, secrets.Redact(res.Out))
		}
		say("%s %s: %s (%s); no secret in its output", cli.Name(), args[0], firstMatch(res.Out, `(Apply|Destroy) complete![^\n]*`), round(res.Took))
		if args[0] == "apply" {
			log, err := os.ReadFile(filepath.Join(r.work, cli.Name(), "release", "api-call.log"))
			if err != nil || !strings.Contains(string(log), "Zoho API call succeeded as ") {
				return fmt.Errorf("the demo's CRM call did not succeed: %q (%v)", log, err)
			}
			say("api-call.log: %s", strings.TrimSpace(string(log)))
		}
	}
	return r.checkUserAgent(z)
}

// checkUserAgent: every request the provider made to Zoho names the
// version goreleaser linked in.
func (r *rehearsal) checkUserAgent(z *clitest.Zoho) error {
	want := "terraform-provider-zoho/" + r.opts.version + " "
	reqs := z.Emu.Requests()
	var agents []string
	for _, req := range reqs {
		if strings.HasPrefix(req.Path, "/oauth/") {
			agents = append(agents, req.Header.Get("User-Agent"))
		}
	}
	if len(agents) == 0 {
		return errors.New("the provider made no request to the emulator's accounts server")
	}
	for _, ua := range agents {
		if !strings.HasPrefix(ua, want) {
			return fmt.Errorf("a request to Zoho came with User-Agent %q, want one starting with %q", ua, want)
		}
	}
	say("the provider's %d requests to Zoho: User-Agent %q", len(agents), agents[0])
	return nil
}

func firstMatch(text, pattern string) string {
	return regexp.MustCompile(pattern).FindString(text)
}
