package main

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/registry"
)

// failure is a tampered variant of the release that init must refuse, and
// what the CLI's error must say.
type failure struct {
	prefix string // where the registry serves it
	name   string
	want   *regexp.Regexp
}

// failureCases: the registry stays honest about what the maintainer
// published (its shasum is the release's, its key the release key); what it
// serves is not. The messages are the CLIs' own (Terraform 1.11, OpenTofu
// 1.12), matched with their line wrapping undone.
//
// For protocols, a list without any version the CLI speaks is what fails
// init ("Incompatible provider version": the registry client's
// ErrProtocolNotSupported, with no compatible version to suggest). A
// version listed with no protocols at all is NOT refused: both CLIs check
// the list only when it is not empty (tried: Terraform 1.11.4 and OpenTofu
// 1.12.6 install it). The public registries derive the list from the
// release's terraform-registry-manifest.json (SHA256SUMS must cover it, which
// the dist step checks), and default to 5.0 without one, which today's CLIs
// also accept: they negotiate protocol 6 with the binary when they start it
// (tried: init and validate succeed with both), so only CLIs that speak 5
// alone (Terraform 0.12 to 0.15) would break.
var failureCases = []failure{
	{"tampered-zip", "a tampered zip (the registry's shasum and the signed SHA256SUMS are the release's)",
		regexp.MustCompile(`Error while installing cd40c554/zoho v[^:]+: archive has incorrect checksum zh:[0-9a-f]{64} \(expected zh:[0-9a-f]{64}\)`)},
	{"wrong-signature", "SHA256SUMS signed by another key than the registry's",
		regexp.MustCompile(`Error while installing cd40c554/zoho v[^:]+: .*authentication signature from unknown issuer`)},
	{"protocols", "protocols the CLIs do not speak (the manifest's 6.0 missing: 4.0 only)",
		regexp.MustCompile(`Incompatible provider version No compatible versions of provider registry\.(terraform\.io|opentofu\.org)/cd40c554/zoho were found\.`)},
}

// tamper makes the variants of release that failureCases serve.
func (r *rehearsal) tamper(ctx context.Context, release registry.Release) (map[string]registry.Release, error) {
	dir := filepath.Join(r.work, "tampered")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	zipName := r.dist.zip(r.here)
	tamperedZip := filepath.Join(dir, zipName)
	if err := tamperZip(filepath.Join(r.dist.dir, zipName), tamperedZip); err != nil {
		return nil, err
	}
	wrongSig := filepath.Join(dir, r.dist.signature)
	if err := r.keys.sign(ctx, r.other, filepath.Join(r.dist.dir, r.dist.sums), wrongSig); err != nil {
		return nil, err
	}
	variants := map[string]registry.Release{}
	v := release
	v.Replace = map[string]string{zipName: tamperedZip}
	variants["tampered-zip"] = v
	v = release
	v.Replace = map[string]string{r.dist.signature: wrongSig}
	variants["wrong-signature"] = v
	v = release
	v.Protocols = []string{"4.0"}
	variants["protocols"] = v
	say("tampered: %s (its executable one byte longer), %s (signed by key %s)", tamperedZip, wrongSig, r.other.ID)
	return variants, nil
}

// tamperZip writes a valid zip with the same names as src, whose executable
// has one more byte: what a swapped download looks like.
func tamperZip(src, dst string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer zr.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		_, err = io.Copy(w, rc)
		_ = rc.Close()
		if err != nil {
			return err
		}
		if strings.HasPrefix(f.Name, "terraform-provider-zoho") {
			if _, err := w.Write([]byte{0}); err != nil {
				return err
			}
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return out.Close()
}

// failures runs init against each tampered variant: it must fail, saying
// why, and install nothing.
func (r *rehearsal) failures(ctx context.Context, s *steps, cli clitest.CLI) error {
	for _, f := range failureCases {
		err := s.run(fmt.Sprintf("%s init refuses %s", cli.Name(), f.name), func() error {
			dir, config, err := r.cliDir(cli, f.prefix, f.prefix)
			if err != nil {
				return err
			}
			res, err := clitest.Run(ctx, dir, r.env(dir, config, r.reg.CAFile, nil), "", cli.Path, "init", "-input=false", "-no-color")
			if err != nil {
				return err
			}
			if res.Code == 0 {
				return fmt.Errorf("%s init succeeded:\n%s", cli.Name(), res.Out)
			}
			// The CLIs wrap their messages at 78 columns: matched unwrapped.
			if !f.want.MatchString(strings.Join(strings.Fields(res.Out), " ")) {
				return fmt.Errorf("%s init failed, but its message does not match %q:\n%s", cli.Name(), f.want, res.Out)
			}
			// (OpenTofu leaves its install lock, <platform>.lock, beside where
			// the package would be: not a package.)
			installed := filepath.Join(dir, ".terraform", "providers", cli.Registry(), clitest.ProviderSource, r.opts.version, r.here.OS+"_"+r.here.Arch)
			for _, left := range []string{installed, filepath.Join(dir, ".terraform.lock.hcl")} {
				if _, err := os.Stat(left); err == nil {
					return fmt.Errorf("%s init failed but left %s", cli.Name(), left)
				}
			}
			msg := errorBlock(res.Out)
			r.caught = append(r.caught, caught{cli.Name(), f.name, msg})
			say("exit %d: %s", res.Code, strings.ReplaceAll(msg, "\n", "\n  "))
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// errorBlock is the CLI's error: from its first "Error:" line on, without
// the box-drawing margin and blank lines.
func errorBlock(out string) string {
	i := strings.Index(out, "Error:")
	if i < 0 {
		return strings.TrimSpace(out)
	}
	var lines []string
	for line := range strings.SplitSeq(out[i:], "\n") {
		line = strings.TrimSpace(strings.TrimLeft(line, "│╷╵ "))
		if line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}
