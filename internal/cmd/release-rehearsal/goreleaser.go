package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

// releaseConfig is .goreleaser.yml, decoded (anchors resolved).
type releaseConfig map[string]any

func readReleaseConfig() (releaseConfig, error) {
	root, err := clitest.Root()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yml"))
	if err != nil {
		return nil, err
	}
	// Into a plain map: yaml.v3 decodes nested maps into the outer map's
	// type, and the builds are read as map[string]any.
	var cfg map[string]any
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf(".goreleaser.yml: %w", err)
	}
	return cfg, nil
}

// target is a platform: GOOS/GOARCH.
type target struct{ OS, Arch string }

func (t target) String() string { return t.OS + "/" + t.Arch }

// builds are the config's builds, as maps.
func (c releaseConfig) builds() ([]map[string]any, error) {
	list, ok := c["builds"].([]any)
	if !ok {
		return nil, errors.New(".goreleaser.yml has no builds list")
	}
	var builds []map[string]any
	for _, b := range list {
		m, ok := b.(map[string]any)
		if !ok {
			return nil, errors.New(".goreleaser.yml: a build is not a map")
		}
		builds = append(builds, m)
	}
	return builds, nil
}

// providerTargets are the platforms the provider's build ships: its goos
// times its goarch, less its ignore list.
func (c releaseConfig) providerTargets() ([]target, error) {
	builds, err := c.builds()
	if err != nil {
		return nil, err
	}
	for _, b := range builds {
		if b["id"] != "provider" {
			continue
		}
		ignored := map[target]bool{}
		for _, i := range asList(b["ignore"]) {
			m, _ := i.(map[string]any)
			ignored[target{fmt.Sprint(m["goos"]), fmt.Sprint(m["goarch"])}] = true
		}
		var targets []target
		for _, goos := range asList(b["goos"]) {
			for _, goarch := range asList(b["goarch"]) {
				if t := (target{fmt.Sprint(goos), fmt.Sprint(goarch)}); !ignored[t] {
					targets = append(targets, t)
				}
			}
		}
		slices.SortFunc(targets, func(a, b target) int { return strings.Compare(a.String(), b.String()) })
		return targets, nil
	}
	return nil, errors.New(`.goreleaser.yml has no build with id "provider"`)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// derive is the configuration the rehearsal runs goreleaser with: this one,
// with the version as the snapshot's, dist moved, and each build narrowed to
// one platform when only is set. Nothing else changes (signs included).
func (c releaseConfig) derive(version, dist string, only *target) ([]byte, error) {
	builds, err := c.builds()
	if err != nil {
		return nil, err
	}
	if only != nil {
		for _, b := range builds {
			b["goos"], b["goarch"] = []string{only.OS}, []string{only.Arch}
			delete(b, "ignore")
		}
	}
	c["snapshot"] = map[string]any{"version_template": version}
	c["dist"] = dist
	return yaml.Marshal(map[string]any(c))
}

// goreleaser runs `goreleaser release --snapshot --clean` with the derived
// configuration in the repository's root, logging to log. GNUPGHOME and
// GPG_FINGERPRINT reach the signs section's gpg through the environment.
func goreleaser(ctx context.Context, root, config, log string, env []string) error {
	bin, err := exec.CommandContext(ctx, "go", "tool", "-n", "-modfile=tools/release/go.mod", "goreleaser").Output()
	if err != nil {
		return fmt.Errorf("go tool -n goreleaser (tools/release): %w", err)
	}
	out, err := os.Create(log)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, strings.TrimSpace(string(bin)), "release", "--snapshot", "--clean", "--config", config)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = root, env, out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("goreleaser: %w; its log ends:\n%s", err, tail(log, 25))
	}
	return nil
}

// tail is the last n lines of a file.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// dist is what goreleaser left: the names the registry and the checks need.
type dist struct {
	dir       string
	version   string
	sums      string            // terraform-provider-zoho_VERSION_SHA256SUMS
	signature string            // its .sig
	listed    map[string]string // SHA256SUMS: name -> hex SHA-256
}

func readDist(dir, version string) (*dist, error) {
	d := &dist{dir: dir, version: version, listed: map[string]string{}}
	d.sums = fmt.Sprintf("terraform-provider-zoho_%s_SHA256SUMS", version)
	d.signature = d.sums + ".sig"
	f, err := os.Open(filepath.Join(dir, d.sums))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			return nil, fmt.Errorf("%s: not a checksum line: %q", d.sums, sc.Text())
		}
		d.listed[name] = sum
	}
	return d, sc.Err()
}

// zip is the provider's zip for a platform.
func (d *dist) zip(t target) string {
	return fmt.Sprintf("terraform-provider-zoho_%s_%s_%s.zip", d.version, t.OS, t.Arch)
}

// check verifies that SHA256SUMS lists, with their true checksums, each
// target's provider zip and emulator archive, and the registry manifest
// under its release name with the repository's content.
func (d *dist) check(root string, targets []target) error {
	want := map[string]string{ // name in SHA256SUMS -> file whose checksum it must be
		fmt.Sprintf("terraform-provider-zoho_%s_manifest.json", d.version): filepath.Join(root, "terraform-registry-manifest.json"),
	}
	for _, t := range targets {
		want[d.zip(t)] = filepath.Join(d.dir, d.zip(t))
		emulator := fmt.Sprintf("zoho-emulator_%s_%s_%s.tar.gz", d.version, t.OS, t.Arch)
		want[emulator] = filepath.Join(d.dir, emulator)
	}
	for name, file := range want {
		sum, err := sha256File(file)
		if err != nil {
			return err
		}
		if d.listed[name] != sum {
			return fmt.Errorf("%s lists %s as %q, want %s (the SHA-256 of %s)", d.sums, name, d.listed[name], sum, file)
		}
	}
	if len(d.listed) != len(want) {
		return fmt.Errorf("%s lists %d files, want %d (a zip, an archive per platform and the manifest)", d.sums, len(d.listed), len(want))
	}
	return nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// manifestProtocols are terraform-registry-manifest.json's protocol
// versions, which the registry serves for the release.
func manifestProtocols(root string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(root, "terraform-registry-manifest.json"))
	if err != nil {
		return nil, err
	}
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("terraform-registry-manifest.json: %w", err)
	}
	if m.Version != 1 || len(m.Metadata.ProtocolVersions) == 0 {
		return nil, errors.New("terraform-registry-manifest.json: want version 1 and metadata.protocol_versions")
	}
	return m.Metadata.ProtocolVersions, nil
}
