package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

// tools are the binaries every job shares read-only, as CI runners share an
// image.
type tools struct {
	dir       string // where they are
	tofu      string
	cliConfig string // dev_overrides for zoho and restapi
}

// prepareTools builds the provider once into dir/bin/provider, with the
// build tags given (or links the provider binary given), puts its strace
// wrapper in dir/bin with the restapi provider beside it, and writes the
// development overrides (clitest.DevOverrides) that take both from there.
func prepareTools(ctx context.Context, dir, provider, tags string, logf func(string, ...any)) (*tools, error) {
	bin := filepath.Join(dir, "bin")
	providerBin := filepath.Join(bin, "provider", "terraform-provider-zoho")
	if err := os.MkdirAll(filepath.Dir(providerBin), 0o755); err != nil {
		return nil, err
	}
	if provider != "" {
		abs, err := filepath.Abs(provider)
		if err != nil {
			return nil, err
		}
		if err := os.Symlink(abs, providerBin); err != nil {
			return nil, err
		}
	} else {
		logf("building the provider (go build -tags %q) into %s", tags, filepath.Dir(providerBin))
		if _, err := clitest.BuildProvider(ctx, filepath.Dir(providerBin), "-tags", tags); err != nil {
			return nil, err
		}
	}
	zoho := clitest.Plugin{Source: clitest.ProviderSource, Binary: filepath.Join(bin, "terraform-provider-zoho")}
	if err := writeProviderWrapper(zoho.Binary, providerBin); err != nil {
		return nil, err
	}
	tofu, err := clitest.Tool(ctx, "tofu")
	if err != nil {
		return nil, err
	}
	restapiBin, err := clitest.Tool(ctx, "terraform-provider-restapi")
	if err != nil {
		return nil, err
	}
	restapi := clitest.Plugin{Source: "mastercard/restapi", Binary: filepath.Join(bin, "terraform-provider-restapi")}
	if err := os.Symlink(restapiBin, restapi.Binary); err != nil {
		return nil, err
	}
	cliConfig := filepath.Join(dir, "dev.tfrc")
	if err := clitest.DevOverrides(cliConfig, zoho, restapi); err != nil {
		return nil, err
	}
	return &tools{dir: dir, tofu: tofu, cliConfig: cliConfig}, nil
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
	out, err := clitest.Output(ctx, dir, clitest.Env(t.cliConfig, nil), t.tofu, "providers", "schema", "-json")
	if err != nil {
		return err
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
	if err := json.Unmarshal([]byte(out), &schema); err != nil {
		return fmt.Errorf("tofu providers schema -json: %w", err)
	}
	if _, ok := schema.ProviderSchemas[clitest.OpenTofuRegistry+"/"+clitest.ProviderSource].Provider.Block.Attributes["token_cache_url"]; !ok {
		return errors.New("this provider has no token_cache_url attribute yet: run with -store none for the runs without it")
	}
	return nil
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
	if cli, err := clitest.InspectCLI(ctx, t.tofu); err == nil {
		version = cli.String()
	}
	return fmt.Sprintf("%d cores (%s), %s/%s, %s, %s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH, version, runtime.Version())
}
