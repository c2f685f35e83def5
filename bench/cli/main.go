// Command cli is the CLI-level bench (make bench): it times OpenTofu plans,
// applies and destroys of N zoho_oauth_refresh_token resources and plans of
// N zoho_oauth_access_token ephemeral instances, side by side in one run
// with their floors (terraform_data, a no-op framework provider, an empty
// plan, bare net/http requests against the same emulator), and prints a
// Markdown table: wall time min / median / max over the repetitions, the
// ratio of medians to each floor, the Zoho requests the emulator counted,
// the provider processes' peak RSS, and the providers' start-up time.
//
// The Zoho accounts emulator runs in this process on loopback; the
// providers are built with the release flags and used through development
// overrides (no init). Expected request counts are checked on every run: a
// plan of resources in state must make none, an apply one exchange per
// resource, a destroy one revoke per resource, a plan of ephemeral
// instances one refresh per distinct refresh token. A wrong count fails the
// bench (exit 1) after the table is printed. Times are never asserted.
//
// With -proxy, instead of the table: the provider's peak RSS during an
// apply whose local-exec provisioner calls the emulator's API through an
// ephemeral zoho_api_proxy (-proxy-callers concurrent curl loops for
// -proxy-for), next to the same apply calling the API straight with an
// ephemeral zoho_oauth_access_token's header (proxy.go). Every call must
// be answered 200 and reach the API once.
//
//	go run ./bench/cli [-n 1,100,1000] [-reps 3] [-cli PATH]
//	go run ./bench/cli -proxy [-proxy-callers 1,8] [-proxy-for 10s] [-reps 3]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

type options struct {
	ns           []int
	reps         int
	cli          string
	parallelism  int
	workDir      string
	profileDir   string
	profileN     int
	extraEnv     []string
	proxy        bool
	proxyCallers []int
	proxyFor     time.Duration
}

func main() {
	opts, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch {
	case opts.profileDir != "":
		err = runProfile(ctx, opts)
	case opts.proxy:
		err = runProxy(ctx, opts)
	default:
		err = runBench(ctx, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1) //nolint:gocritic // stop() ran: nothing else is deferred
	}
}

func parseFlags() (options, error) {
	var opts options
	ns := flag.String("n", "1,100,1000", "comma-separated instance counts")
	flag.IntVar(&opts.reps, "reps", 3, "repetitions of each measurement")
	flag.StringVar(&opts.cli, "cli", "", "OpenTofu binary (default: scripts/tool.sh tofu)")
	flag.IntVar(&opts.parallelism, "parallelism", 10, "the CLI's -parallelism, and the network floor's concurrency")
	flag.StringVar(&opts.workDir, "workdir", "", "keep the configurations, state and binaries here (default: a temporary directory, removed)")
	flag.StringVar(&opts.profileDir, "profile", "", "instead of the table: CPU and heap profiles of the provider for a plan of -profile-n resources in state and of -profile-n ephemeral instances, written to this directory (needs main_profile.go, build tag zohoprofile)")
	flag.IntVar(&opts.profileN, "profile-n", 1000, "instances in the -profile runs")
	flag.BoolVar(&opts.proxy, "proxy", false, "instead of the table: the provider's peak RSS during an apply whose provisioner calls the API through a zoho_api_proxy, next to the same apply calling it straight with a zoho_oauth_access_token (-reps of each)")
	callers := flag.String("proxy-callers", "1,8", "-proxy: comma-separated counts of the provisioner's concurrent curl loops")
	flag.DurationVar(&opts.proxyFor, "proxy-for", 10*time.Second, "-proxy: how long the provisioner calls the API (whole seconds)")
	flag.Func("env", "NAME=VALUE for the CLI and the providers, to try a setting (repeatable)", func(kv string) error {
		if !strings.Contains(kv, "=") {
			return fmt.Errorf("%q is not NAME=VALUE", kv)
		}
		opts.extraEnv = append(opts.extraEnv, kv)
		return nil
	})
	flag.Parse()
	for f := range strings.SplitSeq(*ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return opts, fmt.Errorf("-n: %q is not a positive count", f)
		}
		opts.ns = append(opts.ns, n)
	}
	for f := range strings.SplitSeq(*callers, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 1 {
			return opts, fmt.Errorf("-proxy-callers: %q is not a positive count", f)
		}
		opts.proxyCallers = append(opts.proxyCallers, c)
	}
	if opts.proxyFor < time.Second {
		return opts, errors.New("-proxy-for must be at least 1s")
	}
	if opts.reps < 1 || opts.parallelism < 1 {
		return opts, errors.New("-reps and -parallelism must be positive")
	}
	return opts, nil
}

// env is what the bench needs around it: the repository, a scratch
// directory, the providers, the CLI and the emulator.
type env struct {
	root, dir   string
	pluginDir   string
	ourBin      string
	floorBin    string
	cli         clitest.CLI
	emu         *emulator
	run         *runner
	parallelism string
	cleanup     func()
}

func setUp(ctx context.Context, opts options, profileTags string) (*env, error) {
	root, err := clitest.Root()
	if err != nil {
		return nil, err
	}
	e := &env{root: root, parallelism: "-parallelism=" + strconv.Itoa(opts.parallelism), cleanup: func() {}}
	e.dir = opts.workDir
	if e.dir == "" {
		if e.dir, err = os.MkdirTemp("", "zoho-bench-"); err != nil {
			return nil, err
		}
		e.cleanup = func() { os.RemoveAll(e.dir) }
	} else if err := os.MkdirAll(e.dir, 0o700); err != nil {
		return nil, err
	}
	fail := func(err error) (*env, error) { e.close(); return nil, err }

	e.pluginDir = filepath.Join(e.dir, "plugins")
	ours := clitest.Plugin{Source: clitest.ProviderSource, Binary: filepath.Join(e.pluginDir, "terraform-provider-zoho")}
	floor := clitest.Plugin{Source: "bench/floor", Binary: filepath.Join(e.pluginDir, "terraform-provider-floor")}
	e.ourBin, e.floorBin = ours.Binary, floor.Binary
	progress("building the providers with the release flags (-trimpath -ldflags \"-s -w\")")
	releaseFlags := []string{"-trimpath", "-ldflags", "-s -w"}
	if profileTags != "" {
		releaseFlags = append(releaseFlags, "-tags", profileTags)
	}
	if err := clitest.Build(ctx, ours.Binary, ".", releaseFlags...); err != nil {
		return fail(err)
	}
	if err := clitest.Build(ctx, floor.Binary, "./bench/floorprovider", releaseFlags[:3]...); err != nil {
		return fail(err)
	}
	tfrc := filepath.Join(e.dir, "dev.tfrc")
	if err := clitest.DevOverrides(tfrc, ours, floor); err != nil {
		return fail(err)
	}
	path := opts.cli
	if path == "" {
		if path, err = clitest.Tool(ctx, "tofu"); err != nil {
			return fail(err)
		}
	}
	if e.cli, err = clitest.InspectCLI(ctx, path); err != nil {
		return fail(err)
	}
	if e.emu, err = startEmulator(); err != nil {
		return fail(err)
	}
	vars := map[string]string{"ZOHO_ACCOUNTS_URL": e.emu.url, "ZOHO_CLIENT_ID": e.emu.client.ID, "ZOHO_CLIENT_SECRET": e.emu.client.Secret}
	for _, kv := range opts.extraEnv {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	e.run = &runner{cli: path, env: clitest.Env(tfrc, vars), providers: map[string]bool{e.ourBin: true, e.floorBin: true}}
	return e, nil
}

func (e *env) close() {
	if e.emu != nil {
		_ = e.emu.close()
	}
	e.cleanup()
}

var benchStart = time.Now()

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%4.0f s] %s\n", time.Since(benchStart).Seconds(), fmt.Sprintf(format, args...))
}
