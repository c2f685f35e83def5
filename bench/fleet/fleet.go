package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

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

// zohoFixture is a fresh emulator serving "us" on loopback with one Self
// Client and one new refresh token: every run starts with a full quota.
type zohoFixture struct {
	emu          *zohotest.Emulator
	srv          *http.Server
	url          string
	client       zohotest.Client
	refreshToken string

	mu       sync.Mutex
	arrived  []time.Time // when each token request reached Zoho
	answered []time.Time // when each was answered (or its client left)
}

// startZoho starts it with Zoho's limits and a real clock, apart from
// mintLimit.
func startZoho(mintLimit int) (*zohoFixture, error) {
	emu := zohotest.New(zohotest.Options{MintLimit: mintLimit})
	// IPv4 loopback explicitly: the provider allows plain http only there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	z := &zohoFixture{emu: emu, url: "http://" + ln.Addr().String()}
	handler := emu.Handler("us")
	z.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != tokenPath {
				handler.ServeHTTP(w, r)
				return
			}
			z.record(&z.arrived)
			handler.ServeHTTP(w, r)
			z.record(&z.answered)
		}),
		ReadHeaderTimeout: 30 * time.Second,
	}
	go func() { _ = z.srv.Serve(ln) }()
	emu.SetAPIDomain("us", z.url) // the CRM API calls come back here
	z.client = emu.RegisterClient(zohotest.Client{DC: "us"})
	if z.refreshToken, err = emu.IssueRefreshToken(z.client.ID, []string{"ZohoCRM.users.READ"}); err != nil {
		_ = z.srv.Close()
		return nil, err
	}
	return z, nil
}

// tokenPath is Zoho's token endpoint.
const tokenPath = "/oauth/v2/token"

func (z *zohoFixture) record(times *[]time.Time) {
	z.mu.Lock()
	*times = append(*times, time.Now())
	z.mu.Unlock()
}

// tokenTimes is when token requests reached Zoho and when Zoho answered
// them (or gave up on a client that left), each in order.
func (z *zohoFixture) tokenTimes() (arrived, answered []time.Time) {
	z.mu.Lock()
	defer z.mu.Unlock()
	return slices.Clone(z.arrived), slices.Clone(z.answered)
}

// refreshRequests is how many refresh requests reached Zoho so far.
func (z *zohoFixture) refreshRequests() int { return z.emu.Counters().ByGrantType["refresh_token"] }

// jobEnv is the whole environment of every job of a run, apart from what
// is private to the job (HOME, TMPDIR, token_cache_dir): nothing of the
// caller's ZOHO_*, TF_* or AWS_* leaks in.
func (z *zohoFixture) jobEnv(t *tools, storeURL string, storeEnv []string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"TF_CLI_CONFIG_FILE=" + t.cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"ZOHO_ACCOUNTS_URL=" + z.url,
		"ZOHO_CLIENT_ID=" + z.client.ID,
		"ZOHO_CLIENT_SECRET=" + z.client.Secret,
		"TF_VAR_zoho_refresh_token=" + z.refreshToken,
	}
	if storeURL != "" {
		env = append(env, "ZOHO_TOKEN_CACHE_URL="+storeURL)
		env = append(env, storeEnv...)
	}
	return env
}

func (z *zohoFixture) close() { _ = z.srv.Close() }

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
	defer zoho.close()
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

	c := zoho.emu.Counters()
	res := runResult{
		k: spec.k, store: spec.storeName(), jobs: r.results, wall: wall,
		refreshRequests: c.ByGrantType["refresh_token"],
		mints:           zoho.emu.MintsFor(zoho.refreshToken),
		throttled:       c.Throttled,
		peakLive:        zoho.emu.PeakLiveAccessTokens(zoho.refreshToken),
		capKills:        c.CapEvictions,
		apiCalls:        c.APICalls,
		fault:           spec.fault,
		note:            note,
	}
	res.tokenRequests, res.tokenAnswers = zoho.tokenTimes()
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
