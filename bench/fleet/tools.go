package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// tools are the binaries every job shares read-only, as CI runners share an
// image.
type tools struct {
	root      string // repository root
	dir       string // where they are
	tofu      string
	cliConfig string // dev_overrides for zoho and restapi
}

// prepareTools builds the provider once into dir/bin, with the build tags
// given (or links the provider binary given), links the restapi provider
// beside it and writes the development-overrides CLI configuration that
// scripts/dev-provider.sh writes, plus restapi.
func prepareTools(ctx context.Context, dir, provider, tags string, logf func(string, ...any)) (*tools, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, err
	}
	providerBin := filepath.Join(bin, "provider", "terraform-provider-zoho")
	if provider != "" {
		if provider, err = filepath.Abs(provider); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(providerBin), 0o755); err != nil {
			return nil, err
		}
		if err := os.Symlink(provider, providerBin); err != nil {
			return nil, err
		}
	} else {
		logf("building the provider (go build -tags %q) into %s", tags, filepath.Dir(providerBin))
		if _, err := command(ctx, root, "go", "build", "-tags", tags, "-o", providerBin, "."); err != nil {
			return nil, err
		}
	}
	if err := writeProviderWrapper(filepath.Join(bin, "terraform-provider-zoho"), providerBin); err != nil {
		return nil, err
	}
	tofu, err := command(ctx, root, filepath.Join(root, "scripts", "tool.sh"), "tofu")
	if err != nil {
		return nil, err
	}
	restapi, err := command(ctx, root, filepath.Join(root, "scripts", "tool.sh"), "terraform-provider-restapi")
	if err != nil {
		return nil, err
	}
	if err := os.Symlink(restapi, filepath.Join(bin, "terraform-provider-restapi")); err != nil {
		return nil, err
	}
	var cfg strings.Builder
	cfg.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		for _, p := range []string{"cd40c554/zoho", "mastercard/restapi"} {
			fmt.Fprintf(&cfg, "    %q = %q\n", host+"/"+p, bin)
		}
	}
	cfg.WriteString("  }\n  direct {}\n}\n")
	cliConfig := filepath.Join(dir, "dev.tfrc")
	if err := os.WriteFile(cliConfig, []byte(cfg.String()), 0o644); err != nil {
		return nil, err
	}
	return &tools{root: root, dir: dir, tofu: tofu, cliConfig: cliConfig}, nil
}

// envTraceDir, when a job has it, makes the provider wrapper record the
// provider's file operations there (see fileStore).
const envTraceDir = "ZOHO_FLEET_TRACE_DIR"

// writeProviderWrapper puts a script where the development override looks
// for the provider: it runs the real provider, under strace when
// envTraceDir is set, so that a file:// store's operations can be counted.
// Only the four traced syscalls stop the process (seccomp-bpf), so the
// tracing costs little.
func writeProviderWrapper(path, providerBin string) error {
	script := fmt.Sprintf(`#!/bin/sh
# bench/fleet: the provider, traced when %[1]s is set.
if [ -n "$%[1]s" ]; then
	exec strace -f -qq --seccomp-bpf -e trace=openat,renameat,renameat2,unlinkat -e signal=none \
		-o "$(mktemp "$%[1]s/provider.XXXXXX")" %[2]s "$@"
fi
exec %[2]s "$@"
`, envTraceDir, shellQuote(providerBin))
	return os.WriteFile(path, []byte(script), 0o755)
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// requireTokenCacheURL fails early, and says why, when the provider built
// from this tree has no token_cache_url yet: every shared run would
// otherwise fail on an unsupported argument.
func (t *tools) requireTokenCacheURL(ctx context.Context) error {
	dir := filepath.Join(t.dir, "schema")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), jobConfig, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, t.tofu, "providers", "schema", "-json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+t.cliConfig, "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("tofu providers schema -json: %w", err)
	}
	var schema struct {
		ProviderSchemas map[string]struct {
			Provider struct {
				Block struct {
					Attributes map[string]json.RawMessage `json:"attributes"`
				} `json:"block"`
			} `json:"provider"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out, &schema); err != nil {
		return fmt.Errorf("tofu providers schema -json: %w", err)
	}
	if _, ok := schema.ProviderSchemas["registry.opentofu.org/cd40c554/zoho"].Provider.Block.Attributes["token_cache_url"]; !ok {
		return errors.New("this provider has no token_cache_url attribute yet: run with -store none for the runs without it")
	}
	return nil
}

// repoRoot is the directory of the go.mod above the working directory
// (make and `go run ./bench/fleet` run from the root).
func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run from inside the repository (no go.mod found)")
	}
	return filepath.Dir(gomod), nil
}

// command runs name args... in dir and returns its trimmed stdout; its
// stderr is shown only when it fails.
func command(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// describeMachine says where the numbers come from: cores, CPU model, tofu.
func (t *tools) describeMachine(ctx context.Context) string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if name, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
				model = strings.TrimSpace(value)
				break
			}
		}
		f.Close()
	}
	version := "tofu version unknown"
	cmd := exec.CommandContext(ctx, t.tofu, "version")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+t.cliConfig, "CHECKPOINT_DISABLE=1")
	if out, err := cmd.Output(); err == nil {
		version, _, _ = strings.Cut(string(out), "\n")
	}
	return fmt.Sprintf("%d cores (%s), %s/%s, %s, %s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH, version, runtime.Version())
}
