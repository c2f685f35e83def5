package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The -proxy mode: the provider's peak RSS while a zoho_api_proxy it
// serves carries a provisioner's calls, next to the same apply where the
// provisioner calls the API straight with a zoho_oauth_access_token's
// header (the baseline: the same provider, token and load, no proxy). The
// emulator's API host answers the calls: the proxy's upstream defaults to
// the token's api_domain, which clitest.StartZoho points at it (a loopback
// upstream is allowed for the emulator).

// proxyLoad is the provisioner's script: $CALLERS loops in the background,
// each calling CRM's current-user API at $ZOHO_API for $LOAD_FOR seconds,
// 200 calls per curl (one keep-alive connection, URL globbing), with
// $ZOHO_AUTHORIZATION as the Authorization header when set (from stdin: no
// token on a command line). It writes the number of calls, of 200 answers
// and the nanoseconds the load took to load.txt: the CLI hides a
// provisioner's output when its configuration holds a sensitive value.
const proxyLoad = `#!/bin/sh
start=$(date +%s%N)
end=$(($(date +%s) + LOAD_FOR))
call() {
	url="${ZOHO_API}crm/v8/users?type=CurrentUser&call=[1-200]"
	if [ -n "${ZOHO_AUTHORIZATION:-}" ]; then
		printf 'Authorization: %s\n' "$ZOHO_AUTHORIZATION" | curl -s -w '%{stderr}%{http_code}\n' -H @- "$url"
	else
		curl -s -w '%{stderr}%{http_code}\n' "$url"
	fi
}
loop() {
	while [ "$(date +%s)" -lt "$end" ]; do
		call >/dev/null 2>>"codes.$1"
	done
}
i=0
while [ "$i" -lt "$CALLERS" ]; do
	loop "$i" &
	i=$((i + 1))
done
wait
took=$(($(date +%s%N) - start))
calls=$(cat codes.* | wc -l)
ok=$(cat codes.* | grep -c '^200$')
echo "$calls $ok $took" >load.txt
`

// The two configurations; %d is the callers, then the seconds.
const (
	proxyConfig = zohoProviderBlock + `
variable "refresh_token" {
  type      = string
  sensitive = true
}

ephemeral "zoho_api_proxy" "bench" {
  refresh_token = var.refresh_token
}

resource "terraform_data" "load" {
  provisioner "local-exec" {
    command     = "sh ./load.sh"
    environment = { CALLERS = %d, LOAD_FOR = %d, ZOHO_API = ephemeral.zoho_api_proxy.bench.url }
  }
}
`
	directConfig = zohoProviderBlock + `
variable "refresh_token" {
  type      = string
  sensitive = true
}

ephemeral "zoho_oauth_access_token" "bench" {
  refresh_token = var.refresh_token
}

resource "terraform_data" "load" {
  provisioner "local-exec" {
    command = "sh ./load.sh"
    environment = {
      CALLERS            = %d
      LOAD_FOR           = %d
      ZOHO_API           = "${ephemeral.zoho_oauth_access_token.bench.api_domain}/"
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.bench.authorization_header
    }
  }
}
`
)

// proxySample is one apply under load.
type proxySample struct {
	wall      time.Duration
	calls, ok int
	took      time.Duration // the load's own length, as the script measured it
	apiCalls  int           // as the emulator counted them
	req       requests
	rssKB     int64
	procs     int
}

func (s proxySample) rate() float64 { return float64(s.calls) / s.took.Seconds() }

type proxyRow struct {
	id, label, config string
}

var proxyRows = []proxyRow{
	{"direct", "`zoho_oauth_access_token`, calls straight to the API (baseline)", directConfig},
	{"proxy", "`zoho_api_proxy`, calls through its `url`", proxyConfig},
}

// runProxy applies each configuration -reps times per caller count,
// interleaved, and prints the table.
func runProxy(ctx context.Context, opts options) error {
	e, err := setUp(ctx, opts, "")
	if err != nil {
		return err
	}
	defer e.close()
	progress("%s: %s; emulator %s", e.cli, e.run.cli, e.emu.url)
	// curl goes straight to loopback whatever proxy the machine has.
	e.run.env = append(e.run.env, "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
	tokens, err := e.emu.refreshTokens(1)
	if err != nil {
		return err
	}
	seconds := int(opts.proxyFor / time.Second)
	results := map[string][]proxySample{}
	var problems []string
	for rep := 1; rep <= opts.reps; rep++ {
		for _, callers := range opts.proxyCallers {
			for _, r := range proxyRows {
				progress("repetition %d/%d, %d callers for %d s: %s", rep, opts.reps, callers, seconds, r.id)
				dir := filepath.Join(e.dir, fmt.Sprintf("proxy-%s-%d-%d", r.id, callers, rep))
				if err := writeConfig(dir, fmt.Sprintf(r.config, callers, seconds), -1, map[string]any{"refresh_token": tokens[0]}); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dir, "load.sh"), []byte(proxyLoad), 0o600); err != nil {
					return err
				}
				s, err := e.loadApply(ctx, dir)
				if err != nil {
					return err
				}
				progress("  %.1f s, %d calls (%d ok) in %.1f s = %.0f/s, %v, provider peak RSS %.1f MB",
					s.wall.Seconds(), s.calls, s.ok, s.took.Seconds(), s.rate(), s.req, float64(s.rssKB)/1024)
				key := fmt.Sprintf("%d/%s", callers, r.id)
				results[key] = append(results[key], s)
				if s.ok != s.calls || s.calls == 0 {
					problems = append(problems, fmt.Sprintf("%s, %d callers, repetition %d: %d of %d calls answered 200", r.id, callers, rep, s.ok, s.calls))
				}
				if s.apiCalls != s.calls {
					problems = append(problems, fmt.Sprintf("%s, %d callers, repetition %d: the API saw %d calls for the script's %d", r.id, callers, rep, s.apiCalls, s.calls))
				}
			}
		}
	}
	progress("done")
	printProxy(opts, e.cli.String(), seconds, results)
	if len(problems) > 0 {
		return fmt.Errorf("%d failed checks:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// loadApply applies the configuration in dir (the provisioner runs the
// load) and reads what the load script wrote.
func (e *env) loadApply(ctx context.Context, dir string) (proxySample, error) {
	before := e.emu.Counters()
	res, err := e.run.run(ctx, dir, []string{"apply", "-auto-approve", "-input=false", "-no-color", e.parallelism})
	if err != nil {
		return proxySample{}, err
	}
	after := e.emu.Counters()
	s := proxySample{wall: res.wall, req: since(before, after), apiCalls: after.APICalls - before.APICalls}
	for name, kb := range res.peakRSS {
		s.rssKB = max(s.rssKB, kb)
		s.procs += res.processes[name]
	}
	raw, err := os.ReadFile(filepath.Join(dir, "load.txt"))
	if err != nil {
		return s, fmt.Errorf("the load script left no load.txt: %w", err)
	}
	f := strings.Fields(string(raw))
	if len(f) != 3 {
		return s, fmt.Errorf("load.txt: %q", raw)
	}
	var ns int64
	s.calls, _ = strconv.Atoi(f[0])
	s.ok, _ = strconv.Atoi(f[1])
	ns, _ = strconv.ParseInt(f[2], 10, 64)
	s.took = time.Duration(ns)
	return s, nil
}

func printProxy(opts options, version string, seconds int, results map[string][]proxySample) {
	w := os.Stdout
	fmt.Fprintf(w, "\n%s, -parallelism=%d, %d repetitions; one apply each, its provisioner calling the API for %d s; median (min–max) over the repetitions\n\n",
		version, opts.parallelism, opts.reps, seconds)
	fmt.Fprintln(w, "| callers | apply | calls | calls/s | wall (s) | Zoho token requests | provider processes | provider peak RSS |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---|---:|---:|")
	for _, callers := range opts.proxyCallers {
		rss := map[string]int64{}
		for _, r := range proxyRows {
			ss := results[fmt.Sprintf("%d/%s", callers, r.id)]
			if len(ss) == 0 {
				continue
			}
			calls, rates, walls, kbs, procs := make([]int, len(ss)), make([]float64, len(ss)), make([]time.Duration, len(ss)), make([]int64, len(ss)), make([]int, len(ss))
			reqs := map[string]bool{}
			for i, s := range ss {
				calls[i], rates[i], walls[i], kbs[i], procs[i] = s.calls, s.rate(), s.wall, s.rssKB, s.procs
				reqs[s.req.String()] = true
			}
			rss[r.id] = median(kbs)
			fmt.Fprintf(w, "| %d | %s | %d | %.0f (%.0f–%.0f) | %.2f (%.2f–%.2f) | %s | %s | %.1f MB (%.1f–%.1f) |\n",
				callers, r.label, median(calls), median(rates), slices.Min(rates), slices.Max(rates),
				median(walls).Seconds(), slices.Min(walls).Seconds(), slices.Max(walls).Seconds(),
				strings.Join(slices.Sorted(maps.Keys(reqs)), "; "), intRange(procs),
				float64(median(kbs))/1024, float64(slices.Min(kbs))/1024, float64(slices.Max(kbs))/1024)
		}
		if rss["direct"] > 0 && rss["proxy"] > 0 {
			fmt.Fprintf(w, "| %d | the proxy's cost (medians) | | | | | | %+.1f MB |\n", callers, float64(rss["proxy"]-rss["direct"])/1024)
		}
	}
}

func intRange(v []int) string {
	if slices.Min(v) == slices.Max(v) {
		return strconv.Itoa(v[0])
	}
	return fmt.Sprintf("%d–%d", slices.Min(v), slices.Max(v))
}
