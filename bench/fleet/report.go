package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
)

// failures counts the failed jobs by phase and reason.
func (r runResult) failures() (n int, why string) {
	byReason := map[string]int{}
	for _, j := range r.jobs {
		if j.failedIn != "" {
			n++
			byReason[j.failedIn+": "+j.reason]++
		}
	}
	parts := make([]string, 0, len(byReason))
	for _, reason := range slices.Sorted(maps.Keys(byReason)) {
		parts = append(parts, fmt.Sprintf("%d at %s", byReason[reason], reason))
	}
	return n, strings.Join(parts, "; ")
}

// slowestJob is the longest plan+apply of the run.
func (r runResult) slowestJob() time.Duration {
	var d time.Duration
	for _, j := range r.jobs {
		d = max(d, j.wall)
	}
	return d
}

// summary is the run's progress line.
func (r runResult) summary() string {
	failed, why := r.failures()
	line := fmt.Sprintf("%d/%d jobs failed, %d mints (%d refresh requests, %d throttled), peak %d live tokens, %d killed by the cap, store requests %s, %s",
		failed, r.k, r.mints, r.refreshRequests, r.throttled, r.peakLive, r.capKills, r.storeReqs, seconds(r.wall))
	if why != "" {
		line += " [" + why + "]"
	}
	return line
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// report is the markdown the program prints: the machine, the table, and
// each of issue 8's targets that this run can judge.
func report(machine string, cfg config, results []runResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Machine: %s.\n", machine)
	parallel := "all K at once"
	if cfg.parallel > 0 {
		parallel = fmt.Sprintf("at most %d at once", cfg.parallel)
	}
	fmt.Fprintf(&b, "Jobs: `tofu plan -out=plan` then `tofu apply plan`, %s; one refresh token; %s.\n\n", parallel, limitsText(cfg.mintLimit))
	b.WriteString("| K | token_cache_url | jobs failed | Zoho mints | refresh requests | throttled | peak live tokens | killed by the cap | API calls | store requests | wall | slowest job |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n")
	for _, r := range results {
		failed, why := r.failures()
		failedCell := fmt.Sprint(failed)
		if why != "" {
			failedCell += " (" + why + ")"
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %d | %d | %d | %d | %d | %d | %s | %s | %s |\n",
			r.k, r.store, failedCell, r.mints, r.refreshRequests, r.throttled, r.peakLive, r.capKills, r.apiCalls,
			r.storeReqs, seconds(r.wall), seconds(r.slowestJob()))
	}
	// The targets assume Zoho's own limits.
	if targets := judgeTargets(results); len(targets) > 0 && cfg.mintLimit == 10 {
		b.WriteString("\nIssue 8's targets:\n\n")
		for _, t := range targets {
			b.WriteString("- " + t + "\n")
		}
	}
	return b.String()
}

// limitsText says which of Zoho's limits the emulator had.
func limitsText(mintLimit int) string {
	if mintLimit != 10 {
		return fmt.Sprintf("Zoho's limits but %d mints per 10 min (then blocked); 15 live tokens", mintLimit)
	}
	return "Zoho's limits (10 mints per 10 min, then blocked; 15 live tokens)"
}

// judgeTargets checks the targets of issue 8 against the runs that bear on
// them: with token_cache_url, K=30 mints once and is never throttled, and
// K=100 mints at most twice; without it, K=30 runs into the throttle.
func judgeTargets(results []runResult) []string {
	var out []string
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	for _, r := range results {
		switch {
		case r.k == 30 && r.store != "none":
			out = append(out, fmt.Sprintf("K=30 with token_cache_url (%s): 1 mint, 0 throttled: %d mint(s), %d throttled: %s",
				r.store, r.mints, r.throttled, verdict(r.mints == 1 && r.throttled == 0)))
		case r.k == 30:
			out = append(out, fmt.Sprintf("K=30 without token_cache_url: the throttle shows: %d throttled, %d job(s) failed: %s",
				r.throttled, failedCount(r), verdict(r.throttled > 0)))
		case r.k == 100 && r.store != "none":
			out = append(out, fmt.Sprintf("K=100 with token_cache_url (%s): at most 2 mints: %d mint(s): %s",
				r.store, r.mints, verdict(r.mints <= 2)))
		}
	}
	return out
}

func failedCount(r runResult) int {
	n, _ := r.failures()
	return n
}

// tableRun is how the fault table's runs went as a whole.
type tableRun struct {
	took                  time.Duration
	loadBefore, loadAfter string
}

// faultReport is the fault table: each fault's row with the target
// for it and whether the run met it.
func faultReport(machine string, cfg config, results []runResult, run tableRun) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fault table. Machine: %s; load average %s before, %s after; %s for the table.\n",
		machine, run.loadBefore, run.loadAfter, seconds(run.took))
	fmt.Fprintf(&b, "Jobs as above, all with token_cache_url on S3 (SeaweedFS behind a TCP fault proxy), request_timeout = %s, "+
		"max_retries 4 (so the lease lifetime is %s); the provider built with -tags zohotestclock; %s. "+
		"\"Warned\" counts the provider processes that printed %q; a job's token wait runs from the CLI's \"Opening...\" line to its \"Open complete\" line for the access token.\n\n",
		faultRequestTimeout, seconds(leaseLifetime), limitsText(cfg.mintLimit), strings.TrimPrefix(warningUnavailable, "Warning: "))
	b.WriteString("| fault | K | Zoho requests | mints | throttled | jobs failed | warned | longest token wait | p50 job | max job | target | verdict |\n")
	b.WriteString("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|\n")
	var notes []string
	for _, r := range results {
		failed, why := r.failures()
		failedCell := fmt.Sprint(failed)
		if why != "" {
			failedCell += " (" + why + ")"
		}
		wait := "–"
		if w := r.longestTokenWait(); w >= 0 {
			wait = seconds(w)
		}
		goals, verdict := judge(r.fault.target(r))
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %d | %s | %s | %s | %s | %s |\n",
			r.fault.title, r.k, r.refreshRequests, r.mints, r.throttled, failedCell, r.warned(), wait,
			seconds(r.jobPercentile(50)), seconds(r.jobPercentile(100)), goals, verdict)
		if r.note != "" {
			notes = append(notes, fmt.Sprintf("%s, K = %d: %s.", r.fault.title, r.k, r.note))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			b.WriteString("- " + n + "\n")
		}
	}
	return b.String()
}

// judge is a target's cells: its goals, and "met" or "MISSED" with what
// the run did.
func judge(checks []check) (goals, verdict string) {
	var gs, gots []string
	met := true
	for _, c := range checks {
		gs = append(gs, c.goal)
		gots = append(gots, c.got)
		met = met && c.ok
	}
	verdict = "met"
	if !met {
		verdict = "MISSED"
	}
	return strings.Join(gs, "; "), verdict + ": " + strings.Join(gots, "; ")
}

// longestTokenWait is the longest any job waited for its token, -1 when
// none got one.
func (r runResult) longestTokenWait() time.Duration {
	longest := time.Duration(-1)
	for _, j := range r.jobs {
		longest = max(longest, j.tokenWait)
	}
	return longest
}

// jobPercentile is the p-th percentile (nearest rank) of the jobs' times.
func (r runResult) jobPercentile(p int) time.Duration {
	if len(r.jobs) == 0 {
		return 0
	}
	walls := make([]time.Duration, len(r.jobs))
	for i, j := range r.jobs {
		walls[i] = j.wall
	}
	slices.Sort(walls)
	rank := (p*len(walls) + 99) / 100 // ceil(p/100 × n)
	return walls[max(rank, 1)-1]
}

// loadAverage is the machine's 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
