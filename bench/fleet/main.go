package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

// config is what the flags ask for.
type config struct {
	ks         []int
	stores     []string // shared stores to run with: "file", "s3"
	without    bool     // also run without token_cache_url
	parallel   int      // jobs running at once; 0 = all K
	jobTimeout time.Duration
	workDir    string
	keep       bool
	provider   string // a provider binary to use instead of building one
	mintLimit  int    // the emulator's mints per refresh token per 10 minutes
	traceFile  bool   // count the file:// store's requests with strace
	faults     []*fault
	faultKs    []int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ks := fs.String("k", "1,10,30,100", "comma-separated fleet sizes (concurrent CI jobs) of the main table; none = no main table")
	store := fs.String("store", "auto", "shared stores for the token_cache_url runs, comma-separated: file, s3; "+
		"auto = s3 when ZOHO_TEST_WEED names a weed binary, else file; none = only the runs without token_cache_url")
	without := fs.Bool("without", true, "also run each K without token_cache_url (each job keeps its own token_cache_dir)")
	parallel := fs.Int("parallel", 0, "most jobs running at once (0: all K start together, as a fleet does)")
	jobTimeout := fs.Duration("job-timeout", 5*time.Minute, "bound on one job's plan and apply together")
	workDir := fs.String("workdir", "", "where the jobs run (default: a new temporary directory)")
	keep := fs.Bool("keep", false, "keep the work directory (job logs, stores) instead of removing it")
	mintLimit := fs.Int("mint-limit", 10, "Zoho's mints per refresh token per 10 minutes; raise it to see the 15-live-token cap kill tokens in use")
	traceFile := fs.Bool("trace-file", true, "count the file:// store's requests by running the providers under strace (when on PATH)")
	provider := fs.String("provider", "", "use this terraform-provider-zoho binary for the main table instead of building the tree's with go build")
	faultList := fs.String("faults", "auto", "rows of the fault table, comma-separated: "+faultNames()+"; all, none; "+
		"auto = all when ZOHO_TEST_WEED names a weed binary (the faults need S3), else none")
	faultKs := fs.String("fault-k", "10,100", "comma-separated fleet sizes of the fault table")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q (see -h)", fs.Args())
	}
	cfg := config{without: *without, parallel: *parallel, jobTimeout: *jobTimeout, workDir: *workDir, keep: *keep, provider: *provider, mintLimit: *mintLimit, traceFile: *traceFile}
	var err error
	if *ks != "none" {
		if cfg.ks, err = parseKs("k", *ks); err != nil {
			return config{}, err
		}
	}
	if cfg.faultKs, err = parseKs("fault-k", *faultKs); err != nil {
		return config{}, err
	}
	weed := os.Getenv(envWeed)
	if *faultList == "auto" {
		*faultList = "none"
		if weed != "" {
			*faultList = "all"
		}
	}
	if cfg.faults, err = parseFaults(*faultList); err != nil {
		return config{}, err
	}
	if len(cfg.faults) > 0 && weed == "" {
		return config{}, fmt.Errorf("-faults: the fault table runs on S3 and needs a SeaweedFS weed binary: set %s to its path", envWeed)
	}
	if len(cfg.ks) == 0 && len(cfg.faults) == 0 {
		return config{}, errors.New("-k none with no faults leaves nothing to run")
	}
	if cfg.stores, err = parseStores(*store, weed); err != nil {
		return config{}, err
	}
	if len(cfg.ks) > 0 && !cfg.without && len(cfg.stores) == 0 {
		return config{}, errors.New("-without=false with -store none leaves nothing to run")
	}
	if cfg.mintLimit < 1 {
		return config{}, errors.New("-mint-limit must be 1 or more")
	}
	if cfg.parallel < 0 {
		return config{}, errors.New("-parallel must be 0 (all at once) or more")
	}
	return cfg, nil
}

// parseKs reads flag's "1,10,30,100".
func parseKs(flag, s string) ([]int, error) {
	var ks []int
	for f := range strings.SplitSeq(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			return nil, fmt.Errorf("-%s: %q is not a fleet size (a whole number from 1)", flag, f)
		}
		ks = append(ks, k)
	}
	return ks, nil
}

// parseStores reads the -store list; weed is the value of ZOHO_TEST_WEED.
func parseStores(s, weed string) ([]string, error) {
	switch s {
	case "none":
		return nil, nil
	case "auto":
		if weed != "" {
			return []string{storeS3}, nil
		}
		return []string{storeFile}, nil
	}
	var stores []string
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f != storeFile && f != storeS3:
			return nil, fmt.Errorf("-store: unknown store %q (file, s3, auto or none)", f)
		case f == storeS3 && weed == "":
			return nil, fmt.Errorf("-store s3 needs a SeaweedFS weed binary: set %s to its path", envWeed)
		case !slices.Contains(stores, f):
			stores = append(stores, f)
		}
	}
	return stores, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	began := time.Now()

	work := cfg.workDir
	if work == "" {
		if work, err = os.MkdirTemp("", "zoho-fleet-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(work, 0o700); err != nil {
		return err
	}
	if cfg.keep {
		logf("work directory (kept): %s", work)
	} else {
		defer os.RemoveAll(work)
	}

	// The fault table runs on S3, whatever -store says.
	names := slices.Clone(cfg.stores)
	if len(cfg.faults) > 0 && !slices.Contains(names, storeS3) {
		names = append(names, storeS3)
	}
	stores, err := openStores(ctx, names, work, cfg.traceFile, logf)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range stores {
			s.close()
		}
	}()

	var out strings.Builder
	if len(cfg.ks) > 0 {
		tools, err := prepareTools(ctx, filepath.Join(work, "tools"), cfg.provider, "", logf)
		if err != nil {
			return err
		}
		if len(cfg.stores) > 0 {
			if err := tools.requireTokenCacheURL(ctx); err != nil {
				return err
			}
		}
		var results []runResult
		for _, k := range cfg.ks {
			var settings []sharedStore
			if cfg.without {
				settings = append(settings, nil)
			}
			for _, s := range stores {
				if slices.Contains(cfg.stores, s.name()) {
					settings = append(settings, s)
				}
			}
			for _, store := range settings {
				res, err := runFleet(ctx, fleetSpec{
					k: k, store: store, tools: tools, work: work,
					parallel: cfg.parallel, jobTimeout: cfg.jobTimeout, mintLimit: cfg.mintLimit,
				}, logf)
				if err != nil {
					return err
				}
				logf("  %s", res.summary())
				results = append(results, res)
			}
		}
		out.WriteString(report(tools.describeMachine(ctx), cfg, results))
	}

	if len(cfg.faults) > 0 {
		// ZOHO_TEST_CLOCK_SKEW works only in a provider built with this tag;
		// every fault row uses that build, so that they compare.
		tools, err := prepareTools(ctx, filepath.Join(work, "tools-testclock"), "", "zohotestclock", logf)
		if err != nil {
			return err
		}
		if err := tools.requireTokenCacheURL(ctx); err != nil {
			return err
		}
		s3 := stores[slices.IndexFunc(stores, func(s sharedStore) bool { return s.name() == storeS3 })].(*s3Store)
		loadBefore := loadAverage()
		faultsBegan := time.Now()
		var results []runResult
		for _, k := range cfg.faultKs {
			for _, f := range cfg.faults {
				store := &faultyS3{s3Store: s3, mode: f.store}
				res, err := runFleet(ctx, fleetSpec{
					k: k, store: store, tools: tools, work: work, env: faultEnv, fault: f,
					parallel: cfg.parallel, jobTimeout: cfg.jobTimeout, mintLimit: cfg.mintLimit,
				}, logf)
				store.close()
				if err != nil {
					return err
				}
				logf("  %s", res.summary())
				results = append(results, res)
			}
		}
		if out.Len() > 0 {
			out.WriteString("\n")
		}
		out.WriteString(faultReport(tools.describeMachine(ctx), cfg, results, tableRun{
			took: time.Since(faultsBegan), loadBefore: loadBefore, loadAfter: loadAverage(),
		}))
	}
	fmt.Fprintf(&out, "\nTotal run time: %s.\n", time.Since(began).Round(time.Second))
	_, err = io.WriteString(stdout, out.String())
	return err
}
