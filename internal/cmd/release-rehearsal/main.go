// Command release-rehearsal rehearses a release the way users meet it:
// goreleaser builds and signs it, a registry serves it, and Terraform and
// OpenTofu install the unchanged source address cd40c554/zoho from that
// registry and apply the demo configuration with what they installed.
//
//	go run ./internal/cmd/release-rehearsal [flags]     (make release-rehearsal)
//
// Steps, each timed:
//
//  1. A throwaway GPG key in a temporary GNUPGHOME (and a second one, whose
//     signature no CLI must accept).
//  2. goreleaser release --snapshot with .goreleaser.yml, overridden in a
//     derived copy only where a rehearsal must differ: the platforms (this
//     machine's unless -all), the version (snapshot.version_template = -version),
//     and dist (in the work directory). Its signs section is unchanged: it
//     runs gpg with GPG_FINGERPRINT, which is the throwaway key's, and
//     GNUPGHOME, the temporary one, in goreleaser's environment.
//  3. Checks of dist: SHA256SUMS covers the provider's zips, the emulator's
//     archives and the registry manifest (as terraform-registry-manifest.json);
//     its signature verifies.
//  4. A provider registry (internal/testsupport/registry) over HTTPS with a CA
//     made for the run, which the CLIs trust through SSL_CERT_FILE in their
//     environment only. It serves the release, and beside it three tampered
//     variants.
//  5. For each CLI: init without that CA fails (so SSL_CERT_FILE is what makes
//     the registry trusted); init with a CLI configuration whose host blocks
//     send registry.terraform.io and registry.opentofu.org to the registry
//     (no dev_overrides, no mirror) installs the provider and records its
//     checksums in .terraform.lock.hcl (zh: for each zip of the signed
//     SHA256SUMS, h1: of the installed package); `version` lists the
//     provider at the released version; the demo configuration (examples/demo)
//     applies against the emulator with the installed binary, whose requests
//     carry the version goreleaser injected (main.version, in the User-Agent);
//     destroy.
//  6. For each CLI, init fails, saying why, against a tampered zip, a
//     signature by another key, and protocols the CLI does not speak (the
//     manifest's 6.0 missing).
//
// It prints what it did, how long each step took, and the CLIs' messages for
// the failures they must report. It exits non-zero at the first step that
// fails.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"
)

type options struct {
	all         bool
	version     string
	clis        string
	cold        bool
	keep        string
	negative    bool
	listTargets bool
}

func main() {
	var o options
	flag.BoolVar(&o.all, "all", false, "build every platform .goreleaser.yml ships (default: only this machine's, "+runtime.GOOS+"/"+runtime.GOARCH+")")
	flag.StringVar(&o.version, "version", "0.1.0", "the version goreleaser stamps (main.version) and the registry serves; a release version, since CLIs select a prerelease only when pinned exactly")
	flag.StringVar(&o.clis, "cli", "tofu,terraform", "the CLIs to install with: tofu (scripts/tool.sh builds it) and terraform (from PATH; skipped, saying so, when absent)")
	flag.BoolVar(&o.cold, "cold", false, "run goreleaser's builds with an empty Go build cache (a temporary GOCACHE), to time a first build")
	flag.StringVar(&o.keep, "keep", "", "work in this directory and keep it (dist/, the keys, each CLI's directories); default: a temporary directory, removed")
	flag.BoolVar(&o.negative, "negative", true, "run the failure cases (tampered zip, another key's signature, unsupported protocols)")
	flag.BoolVar(&o.listTargets, "list-targets", false, "print the platforms .goreleaser.yml ships, one GOOS/GOARCH a line, and exit")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if o.listTargets {
		err = listTargets()
	} else {
		err = rehearse(ctx, o)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "\nrelease rehearsal: FAILED: %v\n", err)
		os.Exit(1)
	}
}

func listTargets() error {
	cfg, err := readReleaseConfig()
	if err != nil {
		return err
	}
	targets, err := cfg.providerTargets()
	if err != nil {
		return err
	}
	for _, t := range targets {
		fmt.Println(t)
	}
	return nil
}

// steps times the rehearsal's steps and prints them as they run.
type steps struct {
	start time.Time
	done  []timing
}

type timing struct {
	name string
	took time.Duration
}

func (s *steps) run(name string, fn func() error) error {
	fmt.Printf("\n==> %s\n", name)
	start := time.Now()
	err := fn()
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s (after %s): %w", name, round(took), err)
	}
	s.done = append(s.done, timing{name, took})
	fmt.Printf("    (%s)\n", round(took))
	return nil
}

func (s *steps) summary() {
	fmt.Printf("\n==> summary: every step passed in %s\n", round(time.Since(s.start)))
	width := 0
	for _, t := range s.done {
		width = max(width, len(t.name))
	}
	for _, t := range s.done {
		fmt.Printf("  %-*s %8s\n", width, t.name, round(t.took))
	}
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// say prints a line of what a step found, indented under its heading.
func say(format string, args ...any) {
	for line := range strings.SplitSeq(fmt.Sprintf(format, args...), "\n") {
		fmt.Println("    " + line)
	}
}
