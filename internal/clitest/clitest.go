// Package clitest drives OpenTofu and Terraform the way a user does, for
// every piece of the project that runs a CLI as a process: the black-box
// tests (internal/acceptance), the benches (bench/), the demo
// (internal/cmd/demo), the development build and the docs' schema
// (internal/cmd/dev-provider) and the release rehearsal. It finds the
// repository and its tools, builds the provider, installs it for a CLI
// (development overrides or a filesystem mirror), tells which CLI it is and
// what it can do (cli.go), runs it with a clean, explicit environment
// (process.go), reads the state it wrote (state.go), starts an emulated
// Zoho for it (zoho.go), and finds secrets in what it printed (secrets.go).
//
// It imports nothing of package testing, since programs use it too; the
// tests wrap its errors in t.Fatal themselves.
package clitest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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

// Root is the repository's root directory: the directory of the main
// module's go.mod, found once.
var Root = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the terraform-provider-zoho module (go env GOMOD is empty)")
	}
	return filepath.Dir(gomod), nil
})

// Tool is the path of a tool scripts/tool.sh provides (tofu, tofu-1.11,
// weed, fakegcs, azurite, terraform-provider-restapi...), built and cached
// the first time.
func Tool(ctx context.Context, name string) (string, error) {
	dir, err := Root()
	if err != nil {
		return "", err
	}
	out, err := Output(ctx, dir, nil, filepath.Join(dir, "scripts", "tool.sh"), name)
	return strings.TrimSpace(out), err
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

// DevProvider builds the provider into dir and writes dir/dev.tfrc, a CLI
// configuration that takes it from there (DevOverrides), and returns that
// configuration's path.
func DevProvider(ctx context.Context, dir string, flags ...string) (Plugin, string, error) {
	plugin, err := BuildProvider(ctx, dir, flags...)
	if err != nil {
		return plugin, "", err
	}
	config := filepath.Join(dir, "dev.tfrc")
	return plugin, config, DevOverrides(config, plugin)
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
	return cliEnv(env, cliConfig, vars)
}

// RunnerEnv is Env on a fresh CI runner: of this process's environment it
// keeps PATH alone, so that nothing else of the caller's (HOME, AWS_*,
// proxies, a cloud's credentials) reaches the CLI or the provider; what a
// job needs, it says in vars.
func RunnerEnv(cliConfig string, vars map[string]string) []string {
	return cliEnv([]string{"PATH=" + os.Getenv("PATH")}, cliConfig, vars)
}

// cliEnv is base, then cliConfig, the CLI's settings and vars as Env says.
func cliEnv(base []string, cliConfig string, vars map[string]string) []string {
	env := base
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
