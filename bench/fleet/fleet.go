package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
}

// zohoFixture is a fresh emulator serving "us" on loopback with one Self
// Client and one new refresh token: every run starts with a full quota.
type zohoFixture struct {
	emu          *zohotest.Emulator
	srv          *http.Server
	url          string
	client       zohotest.Client
	refreshToken string
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
	srv := &http.Server{Handler: emu.Handler("us"), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	emu.SetAPIDomain("us", url) // the CRM API calls come back here
	client := emu.RegisterClient(zohotest.Client{DC: "us"})
	rt, err := emu.IssueRefreshToken(client.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	return &zohoFixture{emu: emu, srv: srv, url: url, client: client, refreshToken: rt}, nil
}

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
func runFleet(ctx context.Context, spec fleetSpec, logf func(string, ...any)) (runResult, error) {
	name := fmt.Sprintf("k%03d-%s", spec.k, spec.storeName())
	logf("%s: %d jobs, token_cache_url: %s", name, spec.k, spec.storeName())
	zoho, err := startZoho(spec.mintLimit)
	if err != nil {
		return runResult{}, err
	}
	defer zoho.close()
	var storeURL string
	var storeEnv []string
	if spec.store != nil {
		if storeURL, storeEnv, err = spec.store.location(ctx, name); err != nil {
			return runResult{}, err
		}
	}
	env := zoho.jobEnv(spec.tools, storeURL, storeEnv)

	jobs := make([]*job, spec.k)
	for i := range jobs {
		if jobs[i], err = newJob(filepath.Join(spec.work, name, fmt.Sprintf("job-%03d", i+1)), env); err != nil {
			return runResult{}, err
		}
	}
	results := make([]jobResult, spec.k)
	slots := make(chan struct{}, concurrency(spec.parallel, spec.k))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			<-start
			slots <- struct{}{}
			defer func() { <-slots }()
			jobCtx, cancel := context.WithTimeout(ctx, spec.jobTimeout)
			defer cancel()
			results[i] = j.run(jobCtx, spec.tools.tofu)
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	wall := time.Since(began)
	if err := ctx.Err(); err != nil {
		return runResult{}, errors.Join(errors.New("interrupted"), err)
	}

	c := zoho.emu.Counters()
	res := runResult{
		k: spec.k, store: spec.storeName(), jobs: results, wall: wall,
		refreshRequests: c.ByGrantType["refresh_token"],
		mints:           zoho.emu.MintsFor(zoho.refreshToken),
		throttled:       c.Throttled,
		peakLive:        zoho.emu.PeakLiveAccessTokens(zoho.refreshToken),
		capKills:        c.CapEvictions,
		apiCalls:        c.APICalls,
	}
	if spec.store != nil {
		res.storeReqs = spec.store.count()
	}
	return res, nil
}

// concurrency is how many of k jobs run at once: all of them unless
// -parallel asks for fewer.
func concurrency(parallel, k int) int {
	if parallel == 0 || parallel > k {
		return k
	}
	return parallel
}
