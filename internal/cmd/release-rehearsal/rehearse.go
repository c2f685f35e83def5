package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/registry"
)

// rehearsal is one run's state, shared by its steps.
type rehearsal struct {
	opts    options
	root    string
	work    string
	here    target   // this machine's platform: what the CLIs install
	targets []target // what goreleaser builds
	clis    []clitest.CLI
	keys    *keyring
	key     key // signs the release
	other   key // signs nothing the registry lists: the wrong signature
	dist    *dist
	reg     *registry.Server
	caught  []caught // the CLIs' messages for the failure cases
}

// caught is how a CLI reported a failure case.
type caught struct {
	cli, failure, message string
}

func rehearse(ctx context.Context, o options) (err error) {
	s := &steps{start: time.Now()}
	r := &rehearsal{opts: o, here: target{runtime.GOOS, runtime.GOARCH}}
	if r.root, err = clitest.Root(); err != nil {
		return err
	}
	if o.keep != "" {
		r.work, err = keepDir(o.keep)
	} else {
		r.work, err = os.MkdirTemp("", "release-rehearsal-")
		defer os.RemoveAll(r.work)
	}
	if err != nil {
		return err
	}
	defer r.close()
	fmt.Printf("release rehearsal of %s, version %s, in %s\n", r.root, o.version, r.work)

	for _, st := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"platforms and CLIs", r.prepare},
		{"GPG: throwaway signing keys in a temporary GNUPGHOME", r.generateKeys},
		{"goreleaser release --snapshot, signed with the throwaway key", r.release},
		{"dist: SHA256SUMS covers every archive and the manifest, and its signature verifies", r.checkDist},
		{"registry: the provider registry protocol over HTTPS, with a CA made for this run", r.startRegistry},
	} {
		if err := s.run(st.name, func() error { return st.fn(ctx) }); err != nil {
			return err
		}
	}

	for _, cli := range r.clis {
		if err := r.installAndApply(ctx, s, cli); err != nil {
			return err
		}
	}
	if o.negative {
		for _, cli := range r.clis {
			if err := r.failures(ctx, s, cli); err != nil {
				return err
			}
		}
	}
	s.summary()
	r.report()
	return nil
}

// keepMark marks a directory as a rehearsal's, which the next -keep run of
// the same directory may empty.
const keepMark = ".release-rehearsal"

// keepDir makes dir the work directory: new, empty, or a previous
// rehearsal's (emptied).
func keepDir(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return "", err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, keepMark)); err != nil {
			return "", fmt.Errorf("-keep %s: not empty, and not a previous rehearsal's", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, keepMark), nil, 0o644)
}

// close stops what the run started: the registry, and the keyring's
// gpg-agent.
func (r *rehearsal) close() {
	if r.reg != nil {
		_ = r.reg.Close()
	}
	if r.keys != nil {
		r.keys.Close()
	}
}

// prepare picks the platforms to build and finds the CLIs.
func (r *rehearsal) prepare(ctx context.Context) error {
	cfg, err := readReleaseConfig()
	if err != nil {
		return err
	}
	shipped, err := cfg.providerTargets()
	if err != nil {
		return err
	}
	if !slices.Contains(shipped, r.here) {
		return fmt.Errorf("this machine's platform %s is not one .goreleaser.yml ships (%v): the CLIs could not install the release", r.here, shipped)
	}
	r.targets = []target{r.here}
	if r.opts.all {
		r.targets = shipped
	}
	say("build: %v (of the %d platforms .goreleaser.yml ships%s)", r.targets, len(shipped), map[bool]string{false: "; -all builds them all", true: ""}[r.opts.all])

	for name := range strings.SplitSeq(r.opts.clis, ",") {
		var path string
		switch strings.TrimSpace(name) {
		case "tofu":
			if path, err = clitest.Tool(ctx, "tofu"); err != nil {
				return err
			}
		case "terraform":
			if path, err = exec.LookPath("terraform"); err != nil {
				say("terraform: not on PATH, not rehearsed")
				continue
			}
		default:
			return fmt.Errorf("-cli: unknown CLI %q (tofu, terraform)", name)
		}
		cli, err := clitest.InspectCLI(ctx, path)
		if err != nil {
			return err
		}
		if why := cli.Lacks(clitest.WriteOnly); why != "" {
			return fmt.Errorf("%s: examples/demo cannot run: %s", path, why)
		}
		say("%s: %s", cli, path)
		r.clis = append(r.clis, cli)
	}
	if len(r.clis) == 0 {
		return errors.New("no CLI to rehearse with")
	}
	return nil
}

func (r *rehearsal) generateKeys(ctx context.Context) (err error) {
	if r.keys, err = newKeyring(filepath.Join(r.work, "gnupg")); err != nil {
		return err
	}
	if r.key, err = r.keys.generate(ctx, "terraform-provider-zoho release rehearsal", "rsa4096"); err != nil {
		return err
	}
	say("release key: RSA 4096, fingerprint %s (key ID %s), GNUPGHOME %s", r.key.Fingerprint, r.key.ID, r.keys.home)
	if r.other, err = r.keys.generate(ctx, "someone else", "rsa2048"); err != nil {
		return err
	}
	say("another key, for the wrong signature: key ID %s", r.other.ID)
	return nil
}

// release runs goreleaser with the derived configuration.
func (r *rehearsal) release(ctx context.Context) error {
	cfg, err := readReleaseConfig()
	if err != nil {
		return err
	}
	var only *target
	if !r.opts.all {
		only = &r.here
	}
	distDir := filepath.Join(r.work, "dist")
	derived, err := cfg.derive(r.opts.version, distDir, only)
	if err != nil {
		return err
	}
	config := filepath.Join(r.work, "goreleaser.yml")
	if err := os.WriteFile(config, derived, 0o644); err != nil {
		return err
	}
	env := append(r.keys.env(), "GPG_FINGERPRINT="+r.key.Fingerprint)
	note := "the Go build cache as it is"
	if r.opts.cold {
		cache := filepath.Join(r.work, "gocache")
		env = append(env, "GOCACHE="+cache)
		note = "an empty Go build cache (-cold): " + cache
	}
	say("config: .goreleaser.yml with builds %v, snapshot.version_template %q, dist %s (signs unchanged): %s", r.targets, r.opts.version, distDir, config)
	say("builds with %s", note)
	log := filepath.Join(r.work, "goreleaser.log")
	if err := goreleaser(ctx, r.root, config, log, env); err != nil {
		return err
	}
	say("goreleaser: %s (log: %s)", outcome(log), log)
	entries, err := os.ReadDir(distDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && !strings.HasSuffix(e.Name(), ".json") && !strings.HasSuffix(e.Name(), ".yaml") {
			say("  dist/%s (%d KB)", e.Name(), (fi.Size()+1023)/1024)
		}
	}
	return nil
}

// outcome is goreleaser's "release succeeded after ..." line.
func outcome(log string) string {
	return strings.TrimSpace(firstMatch(tail(log, 5), `release succeeded after \S+`))
}

func (r *rehearsal) checkDist(ctx context.Context) (err error) {
	if r.dist, err = readDist(filepath.Join(r.work, "dist"), r.opts.version); err != nil {
		return err
	}
	if err := r.dist.check(r.root, r.targets); err != nil {
		return err
	}
	say("%s lists %d files with their true checksums: a zip and an emulator archive per platform, and the manifest", r.dist.sums, len(r.dist.listed))
	if err := r.keys.verify(ctx, filepath.Join(r.dist.dir, r.dist.signature), filepath.Join(r.dist.dir, r.dist.sums)); err != nil {
		return err
	}
	say("%s: a good signature by key %s", r.dist.signature, r.key.ID)
	return nil
}

// startRegistry serves the release at /, and its tampered variants.
func (r *rehearsal) startRegistry(ctx context.Context) error {
	protocols, err := manifestProtocols(r.root)
	if err != nil {
		return err
	}
	release := registry.Release{
		Namespace: "cd40c554", Type: "zoho", Version: r.opts.version, Protocols: protocols,
		Dir: r.dist.dir, SHA256SUMS: r.dist.sums, Signature: r.dist.signature,
		KeyID: r.key.ID, KeyArmor: r.key.Armor,
	}
	releases := map[string]registry.Release{"": release}
	if r.opts.negative {
		variants, err := r.tamper(ctx, release)
		if err != nil {
			return err
		}
		for _, f := range failureCases {
			releases[f.prefix] = variants[f.prefix]
		}
	}
	if r.reg, err = registry.Start(filepath.Join(r.work, "registry"), releases); err != nil {
		return err
	}
	say("%s: the release (protocols %v from terraform-registry-manifest.json, signing key %s)", r.reg.ServicesURL(""), protocols, r.key.ID)
	if r.opts.negative {
		for _, f := range failureCases {
			say("%s: %s", r.reg.ServicesURL(f.prefix), f.name)
		}
	}
	say("CA: %s (trusted by the CLIs through SSL_CERT_FILE, for this run only)", r.reg.CAFile)
	return nil
}

// report prints how the CLIs reported the failure cases.
func (r *rehearsal) report() {
	if len(r.caught) == 0 {
		return
	}
	fmt.Println("\n==> how the CLIs refused the tampered releases")
	for _, c := range r.caught {
		fmt.Printf("  %s, %s:\n", c.cli, c.failure)
		for line := range strings.SplitSeq(c.message, "\n") {
			fmt.Println("    | " + line)
		}
	}
}
