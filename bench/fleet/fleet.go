package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// fleetSpec is one run: K jobs, one cache setting.
type fleetSpec struct {
	k          int
	store      sharedStore // nil: without token_cache_url
	tools      *tools
	work       string
	parallel   int
	jobTimeout time.Duration
	mintLimit  int
	env        []string // added to every job's environment
	fault      *fault   // a row of the fault table; nil for the main table
}

func (s fleetSpec) storeName() string {
	if s.store == nil {
		return "none"
	}
	return s.store.name()
}

// runResult is what one run did, as Zoho and the store saw it.
type runResult struct {
	k     int
	store string // "none", "file", "s3"
	jobs  []jobResult
	wall  time.Duration

	refreshRequests int // POST /oauth/v2/token with grant_type=refresh_token
	mints           int // access tokens minted from the refresh token
	throttled       int // answers refused by the mint throttle
	peakLive        int // most live access tokens of the refresh token at once
	capKills        int // live tokens silently killed by the 15-token cap
	apiCalls        int // calls of the CRM API, by data source, provisioner
	storeReqs       storeRequests
	tokenRequests   []time.Time // when token requests reached Zoho, in order
	tokenAnswers    []time.Time // when Zoho answered them, in order

	fault *fault // the fault table's row, or nil
	note  string // what the fault's action did, for the report
}

// zohoFixture is a fresh emulated Zoho (clitest.StartZoho: its accounts
// and API hosts on loopback) with one Self Client and one new refresh
// token: every run starts with a full quota.
type zohoFixture struct {
	*clitest.Zoho
	refreshToken string
}

// startZoho starts it with Zoho's limits and a real clock, apart from
// mintLimit.
func startZoho(mintLimit int) (*zohoFixture, error) {
	z, err := clitest.StartZoho(zohotest.Options{MintLimit: mintLimit}, zohotest.Client{DC: "us"})
	if err != nil {
		return nil, err
	}
	refreshToken, err := z.Emu.IssueRefreshToken(z.Client.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		_ = z.Close()
		return nil, err
	}
	return &zohoFixture{Zoho: z, refreshToken: refreshToken}, nil
}

// refreshRequests is how many refresh requests reached Zoho so far.
func (z *zohoFixture) refreshRequests() int { return z.Emu.Counters().ByGrantType["refresh_token"] }

// jobEnv is the whole environment of every job of a run, apart from what
// is private to the job (HOME, TMPDIR, token_cache_dir): a fresh runner's
// (clitest.RunnerEnv), so that nothing of the caller's ZOHO_*, TF_* or
// AWS_* leaks in.
func (z *zohoFixture) jobEnv(t *tools, storeURL string, storeEnv []string) []string {
	vars := z.Env()
	vars["TF_VAR_zoho_refresh_token"] = z.refreshToken
	if storeURL != "" {
		vars["ZOHO_TOKEN_CACHE_URL"] = storeURL
	}
	return append(clitest.RunnerEnv(t.cliConfig, vars), storeEnv...)
}

// runFleet starts K jobs together against a fresh Zoho and waits for all.
// A fault of the fault table (spec.fault) sets the run up, can add to each
// job's environment and decides how the jobs start.
func runFleet(ctx context.Context, spec fleetSpec, logf func(string, ...any)) (runResult, error) {
	name := fmt.Sprintf("k%03d-%s", spec.k, spec.storeName())
	if spec.fault != nil {
		name = fmt.Sprintf("fault-k%03d-%s", spec.k, spec.fault.name)
	}
	logf("%s: %d jobs, token_cache_url: %s", name, spec.k, spec.storeName())
	zoho, err := startZoho(spec.mintLimit)
	if err != nil {
		return runResult{}, err
	}
	defer zoho.Close()
	r := &fleetRun{spec: spec, name: name, zoho: zoho, ctx: ctx}
	var storeEnv []string
	if spec.store != nil {
		if r.storeURL, storeEnv, err = spec.store.location(ctx, name); err != nil {
			return runResult{}, err
		}
	}
	env := append(zoho.jobEnv(spec.tools, r.storeURL, storeEnv), spec.env...)

	r.jobs = make([]*job, spec.k)
	for i := range r.jobs {
		jobEnv := append(slices.Clip(env), spec.fault.envOf(i, spec.k)...)
		if r.jobs[i], err = newJob(filepath.Join(spec.work, name, fmt.Sprintf("job-%03d", i+1)), jobEnv); err != nil {
			return runResult{}, err
		}
	}
	r.results = make([]jobResult, spec.k)
	r.slots = make(chan struct{}, concurrency(spec.parallel, spec.k))
	if err := spec.fault.setUp(ctx, r); err != nil {
		return runResult{}, fmt.Errorf("%s: setting up the fault: %w", name, err)
	}
	began := time.Now()
	note := spec.fault.act(ctx, r)
	r.wg.Wait()
	wall := time.Since(began)
	if err := ctx.Err(); err != nil {
		return runResult{}, errors.Join(errors.New("interrupted"), err)
	}

	c := zoho.Emu.Counters()
	res := runResult{
		k: spec.k, store: spec.storeName(), jobs: r.results, wall: wall,
		refreshRequests: c.ByGrantType["refresh_token"],
		mints:           zoho.Emu.MintsFor(zoho.refreshToken),
		throttled:       c.Throttled,
		peakLive:        zoho.Emu.PeakLiveAccessTokens(zoho.refreshToken),
		capKills:        c.CapEvictions,
		apiCalls:        c.APICalls,
		fault:           spec.fault,
		note:            note,
	}
	res.tokenRequests, res.tokenAnswers = zoho.TokenTimes()
	if spec.store != nil {
		res.storeReqs = spec.store.count()
	}
	return res, nil
}

// fleetRun is a run in progress: what a fault acts on.
type fleetRun struct {
	ctx      context.Context
	spec     fleetSpec
	name     string // the run's directory and store prefix
	zoho     *zohoFixture
	storeURL string
	jobs     []*job
	results  []jobResult
	slots    chan struct{}
	wg       sync.WaitGroup
}

// start runs job i in the background (when a -parallel slot is free).
func (r *fleetRun) start(i int) {
	r.wg.Go(func() {
		r.slots <- struct{}{}
		defer func() { <-r.slots }()
		ctx, cancel := context.WithTimeout(r.ctx, r.spec.jobTimeout)
		defer cancel()
		r.results[i] = r.jobs[i].run(ctx, r.spec.tools.tofu)
	})
}

// concurrency is how many of k jobs run at once: all of them unless
// -parallel asks for fewer.
func concurrency(parallel, k int) int {
	if parallel == 0 || parallel > k {
		return k
	}
	return parallel
}
