package main

import (
	"fmt"
	"maps"
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
	limits := "Zoho's limits (10 mints per 10 min, then blocked; 15 live tokens)"
	if cfg.mintLimit != 10 {
		limits = fmt.Sprintf("Zoho's limits but %d mints per 10 min (then blocked); 15 live tokens", cfg.mintLimit)
	}
	fmt.Fprintf(&b, "Jobs: `tofu plan -out=plan` then `tofu apply plan`, %s; one refresh token; %s.\n\n", parallel, limits)
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
