// Command demo is `make demo`: the provider's whole story, offline, against
// the Zoho accounts emulator embedded in this process (clitest.StartZoho):
//
//  1. builds the provider into bin/demo/ (used through development
//     overrides: no `init`) and picks the CLI: a `tofu`, else a
//     `terraform`, >= 1.11 on PATH (ephemeral resources and write-only
//     arguments), else OpenTofu from scripts/tool.sh (built from the Go
//     module proxy the first time, about 4 min, then cached). DEMO_CLI=PATH
//     picks one; DEMO_CLI=build forces the built OpenTofu.
//  2. starts the emulator with a Self Client
//  3. generates a Self Client grant code (the API Console's "Generate Code")
//  4. `apply` of examples/demo/ in a scratch directory: grant code ->
//     refresh token -> ephemeral access token -> CRM API call from a
//     provisioner
//  5. shows the outputs, and proves that no secret was printed
//  6. proves that the state holds no secret but the refresh token
//  7. `destroy`, then proves the refresh token was revoked: a refresh with
//     it gets invalid_code
//
// Everything the CLI prints is scanned for secrets (clitest.Secrets) before
// it is shown; nothing secret is printed or passed on a command line. The
// provider binary stays in bin/demo/ (ignored by git), so a warm run
// relinks nothing; everything else lives in a temporary directory, removed
// at the end.
//
//	go run ./internal/cmd/demo
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, newStory(os.Stdout))
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo: FAILED: %v\n", err)
		os.Exit(1)
	}
}

// scopes are what the grant code asks for.
const scopes = "ZohoCRM.users.READ,ZohoCRM.modules.READ"

func run(ctx context.Context, s *story) error {
	s.step("Building the provider; picking the CLI")
	root, err := clitest.Root()
	if err != nil {
		return err
	}
	plugin, cliConfig, err := clitest.DevProvider(ctx, filepath.Join(root, "bin", "demo"))
	if err != nil {
		return err
	}
	cli, note, err := pickCLI(ctx, s)
	if err != nil {
		return err
	}
	s.say("provider: %s (dev_overrides, no init)", plugin.Binary)
	s.say("CLI: %s: %s", note, cli.Path)

	s.step("Starting the Zoho accounts emulator, embedded, on loopback")
	zoho, err := clitest.StartZoho(zohotest.Options{CodeTTL: codeTTL}, zohotest.Client{})
	if err != nil {
		return err
	}
	defer func() { _ = zoho.Close() }()
	s.say("accounts URL: %s; API (its api_domain): %s", zoho.AccountsURL, zoho.APIURL)
	s.say("Self Client:  %s (its secret stays in this process)", zoho.Client.ID)

	s.step("Generating a Self Client grant code (API Console: Self Client -> Generate Code)")
	code, err := zoho.Emu.IssueGrantCode(zoho.Client.ID, zohotest.CodeOptions{Scopes: splitScopes(scopes)})
	if err != nil {
		return fmt.Errorf("could not generate a grant code: %w", err)
	}
	s.say("scopes %s; single use, valid %d s (not shown)", scopes, int(codeTTL.Seconds()))

	tmp, err := os.MkdirTemp("", "zoho-demo.")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	work := filepath.Join(tmp, "work")
	if err := os.CopyFS(work, os.DirFS(filepath.Join(root, "examples", "demo"))); err != nil {
		return err
	}
	d := &demo{story: s, ctx: ctx, cli: cli, work: work, zoho: zoho,
		env:     clitest.Env(cliConfig, zoho.Env()),
		secrets: clitest.Secrets{"client secret": zoho.Client.Secret, "grant code": code}}
	if err := d.apply(code); err != nil {
		return err
	}
	if err := d.outputs(); err != nil {
		return err
	}
	refresh, err := d.checkState()
	if err != nil {
		return err
	}
	if err := d.destroy(refresh); err != nil {
		return err
	}

	s.step("Stopping the emulator")
	if err := zoho.Close(); err != nil {
		return err
	}
	s.done()
	return nil
}

// codeTTL is how long the grant code lives: Zoho's Self Client default.
const codeTTL = 3 * time.Minute

// demo is what the steps that run the CLI share.
type demo struct {
	*story
	ctx     context.Context
	cli     clitest.CLI
	work    string
	zoho    *clitest.Zoho
	env     []string
	secrets clitest.Secrets
}

// tf runs the CLI in the working directory with extra variables, scans
// what it printed for secrets before anything else looks at it, shows it
// (brief: without the plan's details), and fails unless it exited 0.
func (d *demo) tf(what string, brief bool, vars []string, args ...string) error {
	res, err := clitest.Run(d.ctx, d.work, append(d.env, vars...), "", d.cli.Path, args...)
	if err != nil {
		return err
	}
	if err := d.scan(what, res.Out); err != nil {
		return err
	}
	d.show(res.Out, brief)
	if res.Code != 0 {
		return fmt.Errorf("%s %s failed (exit %d)", d.cli.Name(), args[0], res.Code)
	}
	return nil
}

// scan fails when text holds a secret or anything shaped like a Zoho token,
// naming what it found and showing the lines with each secret replaced by
// its name.
func (d *demo) scan(what, text string) error {
	if leaks := d.secrets.Leaks(text); len(leaks) != 0 {
		var shown string
		for _, leaked := range leaks {
			shown += "\n" + d.secrets.LeakLines(text, leaked)
		}
		return fmt.Errorf("SECRET FOUND in the %s (%v); the lines, redacted:%s", what, leaks, shown)
	}
	d.say("ok: no client secret, grant code or token in the %s", what)
	return nil
}

func (d *demo) apply(code string) error {
	d.step("%s apply: grant code -> refresh token -> ephemeral access token -> CRM API call", d.cli.Name())
	if err := d.tf("apply output", false, []string{"TF_VAR_grant_code=" + code}, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}

	d.say("")
	d.say("The provisioner's own output (Terraform hides it, since its environment")
	d.say("holds an ephemeral value; examples/demo/main.tf writes it to api-call.log):")
	log, err := os.ReadFile(filepath.Join(d.work, "api-call.log"))
	if err != nil || len(log) == 0 {
		return fmt.Errorf("the provisioner wrote no api-call.log (%v)", err)
	}
	if err := d.scan("provisioner output", string(log)); err != nil {
		return err
	}
	d.quote(string(log))
	if !apiCallSucceeded.Match(log) {
		return errors.New("the CRM API call did not succeed")
	}
	return nil
}

func (d *demo) outputs() error {
	d.step("%s output (nothing secret)", d.cli.Name())
	return d.tf("outputs", false, nil, "output", "-no-color")
}

func (d *demo) destroy(refresh string) error {
	d.step("%s destroy: revokes the refresh token at Zoho", d.cli.Name())
	if err := d.tf("destroy output", true, nil, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}

	d.say("")
	d.say("Refreshing with the old refresh token must now fail:")
	answer, err := refreshWith(d.ctx, d.zoho, refresh)
	switch {
	case err != nil:
		return err
	case answer.AccessToken != "":
		return errors.New("the old refresh token still mints access tokens: destroy did not revoke it")
	case answer.Error != "invalid_code":
		return fmt.Errorf("unexpected answer to the refresh: error %q", answer.Error)
	}
	d.say("ok: Zoho answers invalid_code: the token is revoked")
	return nil
}
