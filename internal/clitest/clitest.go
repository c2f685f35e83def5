// Package clitest drives OpenTofu and Terraform the way a user does, for
// every piece of the project that runs a CLI as a process: the black-box
// tests (internal/acceptance), the benches (bench/), the demo and the
// release rehearsal. It builds the provider, installs it for a CLI
// (development overrides or a filesystem mirror), runs the CLI with a clean,
// explicit environment, and finds secrets in what the CLI printed.
//
// It imports nothing of package testing, since programs use it too; the
// tests wrap its errors in t.Fatal themselves.
package clitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The provider's source address, and the registries the CLIs resolve it
// at: Terraform's, and OpenTofu's (where `cd40c554/zoho` means
// registry.opentofu.org/cd40c554/zoho).
const (
	ProviderSource     = "cd40c554/zoho"
	TerraformRegistry  = "registry.terraform.io"
	OpenTofuRegistry   = "registry.opentofu.org"
	providerBinaryName = "terraform-provider-zoho"
)

var (
	rootOnce sync.Once
	root     string
	rootErr  error
)

// Root is the repository's root directory: the directory of the main
// module's go.mod, found once.
func Root() (string, error) {
	rootOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			rootErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			rootErr = errors.New("not inside the terraform-provider-zoho module (go env GOMOD is empty)")
			return
		}
		root = filepath.Dir(gomod)
	})
	return root, rootErr
}

// Tool is the path of a tool scripts/tool.sh provides (tofu, tofu-1.11,
// weed, fakegcs, azurite, terraform-provider-restapi...), built and cached
// the first time.
func Tool(ctx context.Context, name string) (string, error) {
	dir, err := Root()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "scripts", "tool.sh"), name)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/tool.sh %s: %w\n%s", name, err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// Build builds the main package pkg (a path in this module, such as "." or
// "./cmd/zoho-emulator") into the file out, with extra go build flags
// (-race, -tags, -ldflags...).
func Build(ctx context.Context, out, pkg string, flags ...string) error {
	dir, err := Root()
	if err != nil {
		return err
	}
	args := append(append([]string{"build"}, flags...), "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// BuildProvider builds the provider into dir/terraform-provider-zoho and
// returns it as a Plugin.
func BuildProvider(ctx context.Context, dir string, flags ...string) (Plugin, error) {
	bin := filepath.Join(dir, providerBinaryName)
	if err := Build(ctx, bin, ".", flags...); err != nil {
		return Plugin{}, err
	}
	return Plugin{Source: ProviderSource, Binary: bin}, nil
}

// CLI is a tofu or terraform binary and the version it reports.
type CLI struct {
	Path    string
	Product string // "OpenTofu" or "Terraform"
	Version string // "1.12.6": no "v", no prerelease
}

var versionLine = regexp.MustCompile(`^(OpenTofu|Terraform) v(\d+\.\d+\.\d+)`)

// InspectCLI runs `path version` in a clean environment and reads which
// CLI it is from its first line ("OpenTofu v1.12.6", "Terraform v1.11.4").
func InspectCLI(ctx context.Context, path string) (CLI, error) {
	if path == "" {
		return CLI{}, errors.New("no CLI named")
	}
	cmd := exec.CommandContext(ctx, path, "version")
	cmd.Env = Env("", nil)
	out, err := cmd.Output()
	if err != nil {
		return CLI{}, fmt.Errorf("%s version: %w", path, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	m := versionLine.FindStringSubmatch(first)
	if m == nil {
		return CLI{}, fmt.Errorf("%s version printed %q, which names neither OpenTofu nor Terraform", path, first)
	}
	return CLI{Path: path, Product: m[1], Version: m[2]}, nil
}

func (c CLI) String() string { return c.Product + " v" + c.Version }

// Name is the command a user types: tofu or terraform.
func (c CLI) Name() string {
	if c.Product == "OpenTofu" {
		return "tofu"
	}
	return "terraform"
}

// Registry is where this CLI resolves the provider's source address.
func (c CLI) Registry() string {
	if c.Product == "OpenTofu" {
		return OpenTofuRegistry
	}
	return TerraformRegistry
}

// AtLeast reports whether the CLI is version major.minor or later.
func (c CLI) AtLeast(major, minor int) bool {
	v := numbers(c.Version)
	return slices.Compare(v[:2], []int{major, minor}) >= 0
}

func numbers(version string) []int {
	var v []int
	for part := range strings.SplitSeq(version, ".") {
		n, _ := strconv.Atoi(part)
		v = append(v, n)
	}
	for len(v) < 3 {
		v = append(v, 0)
	}
	return v
}

// Plugin is a provider binary and how a CLI finds it.
type Plugin struct {
	Source  string // "cd40c554/zoho", "mastercard/restapi"
	Version string // its version in a filesystem mirror ("0.0.1" when empty)
	Binary  string // the executable, named terraform-provider-<type>
}

// DevOverrides writes to configPath a CLI configuration that takes each
// plugin from its binary's directory under both registries' names
// (development overrides: no `init` needed, none possible offline), and
// installs every other provider as usual.
func DevOverrides(configPath string, plugins ...Plugin) error {
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, p := range plugins {
		for _, host := range []string{TerraformRegistry, OpenTofuRegistry} {
			fmt.Fprintf(&b, "    %q = %q\n", host+"/"+p.Source, filepath.Dir(p.Binary))
		}
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return os.WriteFile(configPath, []byte(b.String()), 0o644)
}

// FilesystemMirror lays the plugins out under dir as an unpacked
// filesystem mirror, under both registries' names and this platform, and
// writes to configPath a CLI configuration that installs from it alone:
// `init` works, offline, as it would from the registry.
func FilesystemMirror(configPath, dir, platform string, plugins ...Plugin) error {
	for _, host := range []string{TerraformRegistry, OpenTofuRegistry} {
		for _, p := range plugins {
			version := p.Version
			if version == "" {
				version = "0.0.1"
			}
			target := filepath.Join(dir, host, p.Source, version, platform)
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			if err := os.Symlink(p.Binary, filepath.Join(target, filepath.Base(p.Binary))); err != nil {
				return err
			}
		}
	}
	cfg := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", dir)
	return os.WriteFile(configPath, []byte(cfg), 0o644)
}

// Env is the environment of a CLI process: this process's, without any
// variable that would change what the CLI or the provider does behind the
// test's back (TF_*, ZOHO_*, CHECKPOINT_*: a caller's TF_LOG,
// TF_CLI_CONFIG_FILE or token cache must not leak in), then the CLI
// configuration cliConfig (when set), no network version check and
// TF_IN_AUTOMATION as in CI, then vars, sorted.
func Env(cliConfig string, vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "ZOHO_") && !strings.HasPrefix(kv, "CHECKPOINT_") {
			env = append(env, kv)
		}
	}
	if cliConfig != "" {
		env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig)
	}
	env = append(env, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		env = append(env, k+"="+vars[k])
	}
	return env
}

// Result is what a command printed (stdout and stderr together), its exit
// code and how long it took.
type Result struct {
	Out  string
	Code int
	Took time.Duration
}

// Run runs name args in dir with env and stdin. A command that ran and
// exited non-zero is a Result with its Code, not an error; the error is for
// a command that could not run at all.
func Run(ctx context.Context, dir string, env []string, stdin, name string, args ...string) (Result, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env, cmd.Stdin = dir, env, strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	res := Result{Out: out.String(), Took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
	case err != nil:
		return res, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return res, nil
}
