package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/faultproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// The fault table: K jobs sharing token_cache_url on S3 on a CI fleet's bad
// day, one fault at a time. Every job has request_timeout = 5 s (and
// max_retries' default, 4) and reaches SeaweedFS through a fault proxy
// (internal/testsupport/faultproxy), which passes everything unless the
// fault is the store's.
const faultRequestTimeout = 5 * time.Second

// faultEnv is added to every job of the fault table.
var faultEnv = []string{"ZOHO_REQUEST_TIMEOUT=" + faultRequestTimeout.String()}

// leaseLifetime is how long a lease holder of the fault table promises the
// fleet an outcome: its mint budget (every attempt and backoff) plus one
// store request, as the provider computes it.
var leaseLifetime = zoho.Config{RequestTimeout: faultRequestTimeout, MaxRetries: zoho.DefaultMaxRetries}.MintBudget() + faultRequestTimeout

// fault is one row of the fault table: what goes wrong, set up before the
// jobs start (before), acted out while they run (during; nil: every job
// starts at once), and the target for it, judged from the run.
type fault struct {
	name   string          // its -faults name
	title  string          // the table's
	store  faultproxy.Mode // what the proxy between the jobs and S3 does
	jobEnv func(i, k int) []string
	before func(ctx context.Context, r *fleetRun) error
	during func(ctx context.Context, r *fleetRun) (note string)
	target func(res runResult) []check
}

// check is one part of a target: the goal, what the run did, and whether
// that meets it.
type check struct {
	goal, got string
	ok        bool
}

var faults = []*fault{
	{
		name: "healthy", title: "healthy", store: faultproxy.Pass(),
		target: func(res runResult) []check { return []check{zohoRequests(res, 1, "exactly")} },
	},
	{
		// Each job's provider waits one store deadline, warns, and mints
		// alone: Zoho's throttle, not the cache, decides K = 100.
		name: "hung", title: "store hung (black hole)", store: faultproxy.BlackHole(),
		target: func(res runResult) []check {
			return []check{
				zohoRequests(res, res.warned(), "processes that warned"),
				everyJobWarnedOnce(res),
				tokenWaitAtMost(res.jobs, 2*faultRequestTimeout, "request_timeout + one store deadline"),
				{goal: "at K = 10, every job succeeds", got: fmt.Sprintf("%d failed", failedCount(res)), ok: res.k != 10 || failedCount(res) == 0},
			}
		},
	},
	{
		name: "erroring", title: "store erroring half the time", store: faultproxy.FailFraction(0.5, 7),
		target: func(res runResult) []check {
			return []check{zohoRequests(res, 1+res.warned(), "1 + processes that warned")}
		},
	},
	{
		// Zoho refuses the refresh token: the lease holder asks once and
		// publishes the refusal; every waiter fails with it, without asking.
		name: "throttled", title: "winner throttled", store: faultproxy.Pass(),
		before: func(_ context.Context, r *fleetRun) error {
			r.zoho.Emu.Throttle(r.zoho.refreshToken)
			return nil
		},
		target: func(res runResult) []check {
			return []check{zohoRequests(res, 1, "exactly"), everyJobThrottledSoonAfter(res, faultRequestTimeout)}
		},
	},
	{
		// The holder's first attempt outlives request_timeout; its retry
		// succeeds, and the waiters wait for it.
		name: "slow", title: "winner slow (first refresh 8 s)", store: faultproxy.Pass(),
		before: func(_ context.Context, r *fleetRun) error {
			r.zoho.Emu.InjectFault(zohotest.Fault{Path: zohotest.TokenPath, GrantType: "refresh_token", Kind: zohotest.FaultDelay, Delay: 8 * time.Second})
			return nil
		},
		target: func(res runResult) []check { return []check{zohoRequests(res, 2, "at most")} },
	},
	{
		name: "killed", title: "winner killed mid-mint", store: faultproxy.Pass(),
		before: func(_ context.Context, r *fleetRun) error {
			// Held until the client leaves: the holder's first attempt.
			r.zoho.Emu.InjectFault(zohotest.Fault{Path: zohotest.TokenPath, GrantType: "refresh_token", Kind: zohotest.FaultDelay, Delay: time.Hour})
			return nil
		},
		during: killTheWinner,
		target: func(res runResult) []check {
			return []check{
				zohoRequests(res, 2, "at most"),
				{goal: "1 mint (a waiter's)", got: fmt.Sprintf("%d mint(s), %s", res.mints, takeover(res)), ok: res.mints == 1},
				tokenWaitAtMost(res.jobs[1:], leaseLifetime, "the lease lifetime"),
			}
		},
	},
	{
		// Each job's provider (built with -tags zohotestclock) reads a clock
		// off by -2 to +2 minutes, spread over the fleet.
		name: "skewed", title: "clocks skewed ±2 min", store: faultproxy.Pass(),
		jobEnv: func(i, k int) []string {
			skew := -2 * time.Minute
			if k > 1 {
				skew += 4 * time.Minute * time.Duration(i) / time.Duration(k-1)
			}
			return []string{"ZOHO_TEST_CLOCK_SKEW=" + skew.Round(time.Second).String()}
		},
		target: func(res runResult) []check {
			return []check{
				zohoRequests(res, 2, "at most"),
				{goal: "1 mint", got: fmt.Sprintf("%d mint(s)", res.mints), ok: res.mints == 1},
			}
		},
	},
	{
		// Garbage where the fleet's entry goes: the next mint overwrites it.
		name: "corrupt", title: "one corrupt entry", store: faultproxy.Pass(),
		before: func(ctx context.Context, r *fleetRun) error {
			z := r.zoho
			id := tokencache.Key{AccountsURL: z.AccountsURL, ClientID: z.Client.ID, ClientSecret: z.Client.Secret, RefreshToken: z.refreshToken}.ID()
			return r.spec.store.put(ctx, r.name, id+".token", []byte("not a sealed entry: garbage from a broken upload"))
		},
		target: func(res runResult) []check { return []check{zohoRequests(res, 2, "at most")} },
	},
}

// parseFaults reads the -faults list: all, none, or names.
func parseFaults(s string) ([]*fault, error) {
	switch s {
	case "all":
		return faults, nil
	case "none":
		return nil, nil
	}
	var out []*fault
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(faults, func(f *fault) bool { return f.name == name })
		if i < 0 {
			return nil, fmt.Errorf("-faults: unknown fault %q (%s, all or none)", name, faultNames())
		}
		if !slices.Contains(out, faults[i]) {
			out = append(out, faults[i])
		}
	}
	return out, nil
}

func faultNames() string {
	names := make([]string, len(faults))
	for i, f := range faults {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// setUp prepares the run for the fault (nothing for the main table's runs).
func (f *fault) setUp(ctx context.Context, r *fleetRun) error {
	if f == nil || f.before == nil {
		return nil
	}
	return f.before(ctx, r)
}

// envOf is what the fault adds to job i's environment.
func (f *fault) envOf(i, k int) []string {
	if f == nil || f.jobEnv == nil {
		return nil
	}
	return f.jobEnv(i, k)
}

// act starts the jobs: all at once, unless the fault does it its own way.
func (f *fault) act(ctx context.Context, r *fleetRun) string {
	if f == nil || f.during == nil {
		for i := range r.jobs {
			r.start(i)
		}
		return ""
	}
	return f.during(ctx, r)
}

// killTheWinner starts one job alone, waits until its refresh request (the
// lease holder's, held by the emulator) reaches Zoho, starts the others,
// and two seconds later SIGKILLs the first job's process group: the holder
// dies mid-mint, before its attempt's request_timeout, holding the lease.
func killTheWinner(ctx context.Context, r *fleetRun) string {
	r.start(0)
	asked := time.Now()
	for r.zoho.refreshRequests() == 0 {
		if ctx.Err() != nil || time.Since(asked) > r.spec.jobTimeout {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	asked = time.Now()
	for i := 1; i < len(r.jobs); i++ {
		r.start(i)
	}
	_ = sleep(ctx, 2*time.Second)
	requests := r.zoho.refreshRequests()
	r.jobs[0].kill()
	return fmt.Sprintf("job 1 killed %.1f s after its refresh request reached Zoho (%d request(s) by then)",
		time.Since(asked).Seconds(), requests)
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// zohoRequests: the refresh requests that reached Zoho, against a limit:
// "exactly" or "at most" it, or else at most the limit that how names.
func zohoRequests(res runResult, limit int, how string) check {
	got := fmt.Sprintf("%d Zoho requests", res.refreshRequests)
	switch how {
	case "exactly":
		return check{goal: fmt.Sprintf("Zoho requests = %d", limit), got: got, ok: res.refreshRequests == limit}
	case "at most":
		return check{goal: fmt.Sprintf("Zoho requests ≤ %d", limit), got: got, ok: res.refreshRequests <= limit}
	}
	return check{goal: fmt.Sprintf("Zoho requests ≤ %s (%d)", how, limit), got: got, ok: res.refreshRequests <= limit}
}

// warned counts the provider processes that warned that the shared cache
// failed them.
func (r runResult) warned() int {
	n := 0
	for _, j := range r.jobs {
		n += j.warnings
	}
	return n
}

// everyJobWarnedOnce: each job's provider said once that the store failed
// (the plan's; the apply reads the job's own token_cache_dir).
func everyJobWarnedOnce(res runResult) check {
	once := 0
	for _, j := range res.jobs {
		if j.warnings == 1 {
			once++
		}
	}
	return check{goal: "one warning per job", got: fmt.Sprintf("%d of %d jobs warned once", once, res.k), ok: once == res.k}
}

// tokenWaitAtMost: none of jobs waited longer than limit for its token;
// jobs that got none do not count.
func tokenWaitAtMost(jobs []jobResult, limit time.Duration, what string) check {
	longest := time.Duration(-1)
	for _, j := range jobs {
		longest = max(longest, j.tokenWait)
	}
	got := "no token opened"
	if longest >= 0 {
		got = "longest token wait " + seconds(longest)
	}
	return check{goal: fmt.Sprintf("every token within %s (%s)", what, seconds(limit)), got: got, ok: longest <= limit}
}

// takeover says when, after the killed holder's refresh request, the
// first waiter began opening its token and the takeover's request came.
func takeover(res runResult) string {
	if len(res.tokenRequests) == 0 {
		return "no request from the holder"
	}
	holder := res.tokenRequests[0]
	var first time.Time
	for _, j := range res.jobs[1:] {
		if !j.opening.IsZero() && (first.IsZero() || j.opening.Before(first)) {
			first = j.opening
		}
	}
	text := "no waiter opened a token"
	if !first.IsZero() {
		text = fmt.Sprintf("the first waiter opened %s after the holder's request", seconds(first.Sub(holder)))
	}
	if len(res.tokenRequests) > 1 {
		text += fmt.Sprintf(", the takeover's request %s after it", seconds(res.tokenRequests[1].Sub(holder)))
	}
	return text
}

// everyJobThrottledSoonAfter: every job failed with Zoho's throttle
// diagnostic, each within limit of Zoho's (first) answer or, for a job
// that only began opening its token after it, of that beginning.
func everyJobThrottledSoonAfter(res runResult, limit time.Duration) check {
	goal := fmt.Sprintf("every job fails with Zoho's throttle diagnostic within %s of the winner's answer (or of its own start, if later)", seconds(limit))
	if len(res.tokenAnswers) == 0 {
		return check{goal: goal, got: "Zoho never answered", ok: false}
	}
	answer := res.tokenAnswers[0]
	throttled := 0
	var lag time.Duration
	for _, j := range res.jobs {
		if j.reason == reasonThrottled {
			throttled++
		}
		from := answer
		if j.opening.After(from) {
			from = j.opening
		}
		lag = max(lag, j.ended.Sub(from))
	}
	return check{goal: goal, got: fmt.Sprintf("%d of %d throttled, the slowest %s after", throttled, res.k, seconds(lag)),
		ok: throttled == res.k && lag <= limit}
}
