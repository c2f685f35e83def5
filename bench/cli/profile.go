package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// runProfile profiles the provider process for an apply, a plan (N
// resources in state) and a destroy of N refresh tokens, and for a plan of N
// ephemeral instances (one refresh token). The
// provider is built with -tags zohoprofile (main_profile.go) and runs in
// debug mode, the CLI attached to it through TF_REATTACH_PROVIDERS, so the
// profile covers exactly one CLI command; then it is told to write its
// profiles (SIGUSR1), and go tool pprof prints their tops.
func runProfile(ctx context.Context, opts options) error {
	e, err := setUp(ctx, opts, "zohoprofile")
	if err != nil {
		return err
	}
	defer e.close()
	if err := os.MkdirAll(opts.profileDir, 0o700); err != nil {
		return err
	}
	n := opts.profileN
	plan := []string{"plan", "-input=false", "-no-color", e.parallelism}

	// Each command gets its own provider process, hence its own profile.
	resDir := filepath.Join(e.dir, fmt.Sprintf("profile-res-%d", n))
	if err := writeConfig(resDir, refreshTokensConfig, n, nil); err != nil {
		return err
	}
	codes, err := e.emu.codes(n)
	if err != nil {
		return err
	}
	varFile := filepath.Join(e.dir, "codes.tfvars.json")
	if err := writeVarFile(varFile, map[string]any{"codes": codes}); err != nil {
		return err
	}
	out := func(name string) string { return filepath.Join(opts.profileDir, fmt.Sprintf("%s-%d", name, n)) }
	if err := e.profiled(ctx, out("apply"), resDir, []string{"apply", "-auto-approve", "-input=false", "-no-color", e.parallelism, "-var-file=" + varFile}); err != nil {
		return err
	}
	if err := e.profiled(ctx, out("plan-state"), resDir, plan); err != nil {
		return err
	}
	if err := e.profiled(ctx, out("destroy"), resDir, []string{"destroy", "-auto-approve", "-input=false", "-no-color", e.parallelism}); err != nil {
		return err
	}
	tokens, err := e.emu.refreshTokens(1)
	if err != nil {
		return err
	}
	ephDir := filepath.Join(e.dir, fmt.Sprintf("profile-eph-%d", n))
	if err := writeConfig(ephDir, accessTokensConfig, n, map[string]any{"refresh_tokens": tokens}); err != nil {
		return err
	}
	return e.profiled(ctx, out("plan-ephemeral"), ephDir, plan)
}

// profiled runs the CLI against a debug-mode provider that profiles itself
// into prefix.{cpu,heap}.pprof, then prints the profiles' tops.
func (e *env) profiled(ctx context.Context, prefix, dir string, args []string) error {
	provider := exec.CommandContext(ctx, e.ourBin, "-debug")
	provider.Env = append(e.run.env, "ZOHO_PROFILE="+prefix)
	// Its log: every RPC at trace level, as a provider always writes it
	// (the CLI filters what it receives by TF_LOG). Kept, not shown.
	logFile, err := os.Create(prefix + ".log")
	if err != nil {
		return err
	}
	defer logFile.Close()
	provider.Stderr = logFile
	stdout, err := provider.StdoutPipe()
	if err != nil {
		return err
	}
	if err := provider.Start(); err != nil {
		return err
	}
	defer func() {
		_ = provider.Process.Kill()
		_ = provider.Wait()
	}()
	reattach, err := reattachConfig(bufio.NewScanner(stdout))
	if err != nil {
		return err
	}
	go func() { _, _ = bufio.NewReader(stdout).WriteTo(discard{}) }()

	progress("profiling: %s in %s", strings.Join(args, " "), filepath.Base(dir))
	before := e.emu.Counters()
	r := *e.run
	r.env = append(append([]string(nil), e.run.env...), "TF_REATTACH_PROVIDERS="+reattach)
	start := time.Now()
	if _, err := r.run(ctx, dir, args); err != nil {
		return err
	}
	progress("%s: %.2f s, Zoho requests: %v", filepath.Base(prefix), time.Since(start).Seconds(), since(before, e.emu.Counters()))
	if err := provider.Process.Signal(syscall.SIGUSR1); err != nil {
		return err
	}
	if err := provider.Wait(); err != nil {
		return fmt.Errorf("profiled provider: %w", err)
	}
	for _, p := range []struct{ file, index string }{
		{".cpu.pprof", ""}, {".heap.pprof", "-sample_index=alloc_space"}, {".heap.pprof", "-sample_index=alloc_objects"},
	} {
		args := []string{"tool", "pprof", "-top", "-nodecount=30"}
		if p.index != "" {
			args = append(args, p.index)
		}
		cmd := exec.CommandContext(ctx, "go", append(args, e.ourBin, prefix+p.file)...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		fmt.Printf("\n### %s%s %s\n\n", filepath.Base(prefix), p.file, p.index)
		if err := cmd.Run(); err != nil {
			return err
		}
	}
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// reattachConfig reads the debug-mode provider's TF_REATTACH_PROVIDERS
// line and names the provider under both registries' addresses.
func reattachConfig(lines *bufio.Scanner) (string, error) {
	for lines.Scan() {
		_, value, ok := strings.Cut(lines.Text(), "TF_REATTACH_PROVIDERS='")
		if !ok {
			continue
		}
		var cfg map[string]json.RawMessage
		if err := json.Unmarshal([]byte(strings.TrimSuffix(value, "'")), &cfg); err != nil {
			return "", fmt.Errorf("reattach config: %w", err)
		}
		for addr, v := range cfg {
			cfg[strings.Replace(addr, "registry.terraform.io", "registry.opentofu.org", 1)] = v
		}
		out, err := json.Marshal(cfg)
		return string(out), err
	}
	return "", fmt.Errorf("the debug-mode provider printed no TF_REATTACH_PROVIDERS (%v)", lines.Err())
}
