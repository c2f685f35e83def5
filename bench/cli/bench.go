package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A sample is one measured run.
type sample struct {
	wall  time.Duration
	rssKB int64 // highest VmHWM among the run's provider processes; 0: none
	procs int   // provider processes the CLI started
	req   requests
	reqOK bool // req is meaningful (the row talks to the emulator)
}

// row is one line of the table: what it measures and what it is compared
// with.
type row struct {
	id, label string
	floors    []string // ids of the floor rows of the same N
}

var rows = []row{
	{"apply/zoho", "apply: `zoho_oauth_refresh_token` × N", []string{"apply/data", "apply/floor", "apply/net"}},
	{"apply/data", "apply: `terraform_data` × N", nil},
	{"apply/floor", "apply: `floor_noop` × N", nil},
	{"apply/net", "bare HTTP exchange × N", nil},
	{"plan/zoho", "plan: `zoho_oauth_refresh_token` × N in state", []string{"plan/data", "plan/floor"}},
	{"plan/data", "plan: `terraform_data` × N in state", nil},
	{"plan/floor", "plan: `floor_noop` × N in state", nil},
	{"destroy/zoho", "destroy: `zoho_oauth_refresh_token` × N", []string{"destroy/data", "destroy/floor", "destroy/net"}},
	{"destroy/data", "destroy: `terraform_data` × N", nil},
	{"destroy/floor", "destroy: `floor_noop` × N", nil},
	{"destroy/net", "bare HTTP revoke × N", nil},
	{"eph1/zoho", "plan: ephemeral `zoho_oauth_access_token` × N, 1 refresh token", []string{"eph/floor", "eph/empty"}},
	{"eph100/zoho", "plan: ephemeral `zoho_oauth_access_token` × N, 100 refresh tokens", []string{"eph/floor", "eph/empty", "eph/net"}},
	{"eph/floor", "plan: ephemeral `floor_noop` × N", nil},
	{"eph/empty", "plan: empty configuration", nil},
	{"eph/net", "bare HTTP refresh × min(N, 100)", nil},
}

// short names of floor rows in the ratio column.
var floorNames = map[string]string{
	"data": "terraform_data", "floor": "floor_noop", "net": "bare HTTP", "empty": "empty plan",
}

type bench struct {
	*env
	results  map[string][]sample // by N/id
	problems []string
}

func runBench(ctx context.Context, opts options) error {
	e, err := setUp(ctx, opts, "")
	if err != nil {
		return err
	}
	defer e.close()
	b := &bench{env: e, results: map[string][]sample{}}
	progress("%s: %s; emulator %s", e.cli, e.run.cli, e.emu.url)

	starts, err := b.startups(ctx, max(opts.reps, 10))
	if err != nil {
		return err
	}
	oneToken, err := e.emu.refreshTokens(1)
	if err != nil {
		return err
	}
	hundredTokens, err := e.emu.refreshTokens(100)
	if err != nil {
		return err
	}
	for rep := 1; rep <= opts.reps; rep++ {
		for _, n := range opts.ns {
			progress("repetition %d/%d, N = %d", rep, opts.reps, n)
			if err := b.resources(ctx, n); err != nil {
				return err
			}
			if err := b.ephemerals(ctx, n, oneToken, hundredTokens); err != nil {
				return err
			}
			if err := b.network(ctx, n, opts.parallelism, hundredTokens); err != nil {
				return err
			}
		}
	}
	progress("done")
	b.print(opts, e.cli.String(), starts)
	if len(b.problems) > 0 {
		return fmt.Errorf("%d wrong request counts:\n  %s", len(b.problems), strings.Join(b.problems, "\n  "))
	}
	return nil
}

func (b *bench) record(n int, id string, s sample) {
	key := fmt.Sprintf("%d/%s", n, id)
	b.results[key] = append(b.results[key], s)
}

// expect records a wrong request count; the bench goes on.
func (b *bench) expect(n int, id string, got requests, want requests) {
	if got != want {
		b.problems = append(b.problems, fmt.Sprintf("N = %d, %s: %v requests, want %v", n, id, got, want))
	}
}

// measure runs the CLI and records the sample under id.
func (b *bench) measure(ctx context.Context, n int, id, dir string, args []string, okCodes ...int) (sample, error) {
	before := b.emu.Counters()
	res, err := b.run.run(ctx, dir, args, okCodes...)
	if err != nil {
		return sample{}, err
	}
	s := sample{wall: res.wall, req: since(before, b.emu.Counters()), reqOK: true}
	for name, kb := range res.peakRSS {
		s.rssKB = max(s.rssKB, kb)
		s.procs += res.processes[name]
	}
	if res.exitCode == 2 {
		b.problems = append(b.problems, fmt.Sprintf("N = %d, %s: the plan has changes (exit 2), want none", n, id))
	}
	b.record(n, id, s)
	return s, nil
}

// resources applies, plans and destroys N of each resource kind.
func (b *bench) resources(ctx context.Context, n int) error {
	kinds := []struct {
		name, config string
		zoho         bool
	}{
		{"zoho", refreshTokensConfig, true},
		{"data", terraformDataConfig, false},
		{"floor", floorResourceConfig, false},
	}
	for _, k := range kinds {
		dir := filepath.Join(b.dir, fmt.Sprintf("res-%s-%d", k.name, n))
		if err := writeConfig(dir, k.config, n, nil); err != nil {
			return err
		}
		apply := []string{"apply", "-auto-approve", "-input=false", "-no-color", b.parallelism}
		if k.zoho {
			codes, err := b.emu.codes(n)
			if err != nil {
				return err
			}
			varFile := filepath.Join(b.dir, "codes.tfvars.json")
			if err := writeVarFile(varFile, map[string]any{"codes": codes}); err != nil {
				return err
			}
			apply = append(apply, "-var-file="+varFile)
		}
		s, err := b.measure(ctx, n, "apply/"+k.name, dir, apply)
		if err != nil {
			return err
		}
		if k.zoho {
			b.expect(n, "apply", s.req, requests{exchanges: n})
		}
		s, err = b.measure(ctx, n, "plan/"+k.name, dir,
			[]string{"plan", "-input=false", "-no-color", "-detailed-exitcode", b.parallelism}, 2)
		if err != nil {
			return err
		}
		b.expect(n, "plan/"+k.name, s.req, requests{})
		s, err = b.measure(ctx, n, "destroy/"+k.name, dir,
			[]string{"destroy", "-auto-approve", "-input=false", "-no-color", b.parallelism})
		if err != nil {
			return err
		}
		if k.zoho {
			b.expect(n, "destroy", s.req, requests{revokes: n})
		}
	}
	return nil
}

// ephemerals plans N ephemeral instances of ours (with one and with 100
// refresh tokens) and of the floor provider, and an empty configuration.
func (b *bench) ephemerals(ctx context.Context, n int, oneToken, hundredTokens []string) error {
	plan := []string{"plan", "-input=false", "-no-color", b.parallelism}
	for _, c := range []struct {
		id     string
		tokens []string
	}{{"eph1/zoho", oneToken}, {"eph100/zoho", hundredTokens}} {
		dir := filepath.Join(b.dir, fmt.Sprintf("eph-%d-%d", len(c.tokens), n))
		if err := writeConfig(dir, accessTokensConfig, n, map[string]any{"refresh_tokens": c.tokens}); err != nil {
			return err
		}
		s, err := b.measure(ctx, n, c.id, dir, plan)
		if err != nil {
			return err
		}
		// One mint per distinct refresh token: of the provider processes a
		// plan starts, only the last is configured and opens them.
		b.expect(n, c.id, s.req, requests{refreshes: min(n, len(c.tokens))})
	}
	for _, c := range []struct{ id, config string }{{"eph/floor", floorEphemeralConfig}, {"eph/empty", emptyConfig}} {
		dir := filepath.Join(b.dir, fmt.Sprintf("%s-%d", strings.ReplaceAll(c.id, "/", "-"), n))
		arg := n
		if c.config == emptyConfig {
			arg = -1
		}
		if err := writeConfig(dir, c.config, arg, nil); err != nil {
			return err
		}
		if _, err := b.measure(ctx, n, c.id, dir, plan); err != nil {
			return err
		}
	}
	return nil
}

// network sends the bare requests: N exchanges, min(N, 100) refreshes, N
// revokes.
func (b *bench) network(ctx context.Context, n, concurrency int, hundredTokens []string) error {
	f := newNetworkFloor(b.emu.url, b.emu.client.ID, b.emu.client.Secret, concurrency)
	codes, err := b.emu.codes(n)
	if err != nil {
		return err
	}
	before := b.emu.Counters()
	d, tokens, err := f.exchange(ctx, codes)
	if err != nil {
		return fmt.Errorf("network floor: %w", err)
	}
	b.record(n, "apply/net", sample{wall: d, req: since(before, b.emu.Counters()), reqOK: true})
	before = b.emu.Counters()
	if d, err = f.refresh(ctx, hundredTokens[:min(n, len(hundredTokens))]); err != nil {
		return fmt.Errorf("network floor: %w", err)
	}
	b.record(n, "eph/net", sample{wall: d, req: since(before, b.emu.Counters()), reqOK: true})
	before = b.emu.Counters()
	if d, err = f.revoke(ctx, tokens); err != nil {
		return fmt.Errorf("network floor: %w", err)
	}
	b.record(n, "destroy/net", sample{wall: d, req: since(before, b.emu.Counters()), reqOK: true})
	return nil
}

// stats are min, median and max of the samples' wall times.
func stats(samples []sample) (lo, med, hi time.Duration) {
	walls := make([]time.Duration, len(samples))
	for i, s := range samples {
		walls[i] = s.wall
	}
	slices.Sort(walls)
	return walls[0], median(walls), walls[len(walls)-1]
}

func median[T int64 | time.Duration | int | float64](v []T) T {
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func (b *bench) print(opts options, version string, starts []startup) {
	w := os.Stdout
	fmt.Fprintf(w, "\n%s, -parallelism=%d, %d repetitions; wall time min / median / max; ratio = median / the floor's median in this run\n\n",
		version, opts.parallelism, opts.reps)
	fmt.Fprintln(w, "| N | what | wall (s) | ratio to floors | Zoho requests | provider processes | provider peak RSS |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, n := range opts.ns {
		for _, r := range rows {
			samples := b.results[fmt.Sprintf("%d/%s", n, r.id)]
			if len(samples) == 0 {
				continue
			}
			lo, med, hi := stats(samples)
			var ratios []string
			for _, f := range r.floors {
				fs := b.results[fmt.Sprintf("%d/%s", n, f)]
				if len(fs) == 0 {
					continue
				}
				_, fmed, _ := stats(fs)
				if !strings.HasSuffix(f, "/net") {
					ratios = append(ratios, fmt.Sprintf("%.2f× %s", float64(med)/float64(fmed), floorNames[strings.Split(f, "/")[1]]))
				}
			}
			if excess := b.excessOverNetwork(n, r, med); excess != "" {
				ratios = append(ratios, excess)
			}
			fmt.Fprintf(w, "| %d | %s | %.2f / %.2f / %.2f | %s | %s | %s | %s |\n", n,
				strings.ReplaceAll(r.label, "× N", fmt.Sprintf("× %d", n)),
				lo.Seconds(), med.Seconds(), hi.Seconds(), orDash(strings.Join(ratios, ", ")),
				requestsCell(r.id, samples), procsCell(samples), rssCell(samples))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| provider | binary size | start-up to handshake (ms) min / median / max | RSS at handshake |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, s := range starts {
		fmt.Fprintf(w, "| %s | %.1f MB | %.1f / %.1f / %.1f | %.1f MB |\n", s.name, float64(s.size)/1e6,
			ms(s.lo), ms(s.med), ms(s.hi), float64(s.rssKB)/1024)
	}
	if len(b.problems) > 0 {
		fmt.Fprintf(w, "\nWRONG REQUEST COUNTS:\n  %s\n", strings.Join(b.problems, "\n  "))
	}
}

// excessOverNetwork compares what the row costs beyond the floor provider's
// same run (the provider's own time, CLI costs removed) with the bare HTTP
// requests it makes: the target is an excess within 20% of the network floor.
func (b *bench) excessOverNetwork(n int, r row, med time.Duration) string {
	var floor, net []sample
	for _, f := range r.floors {
		switch {
		case strings.HasSuffix(f, "/floor"):
			floor = b.results[fmt.Sprintf("%d/%s", n, f)]
		case strings.HasSuffix(f, "/net"):
			net = b.results[fmt.Sprintf("%d/%s", n, f)]
		}
	}
	if len(floor) == 0 || len(net) == 0 {
		return ""
	}
	_, fmed, _ := stats(floor)
	_, nmed, _ := stats(net)
	return fmt.Sprintf("beyond floor_noop %+.2f s = %.1f× bare HTTP", (med - fmed).Seconds(), float64(med-fmed)/float64(nmed))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// requestsCell is the requests of the row's runs when they all agree.
func requestsCell(id string, samples []sample) string {
	if strings.HasSuffix(id, "/data") || strings.HasSuffix(id, "/floor") || strings.HasSuffix(id, "/empty") {
		return "—"
	}
	first := samples[0].req.String()
	for _, s := range samples[1:] {
		if s.req.String() != first {
			return "varies: " + first + ", " + s.req.String()
		}
	}
	return first
}

func procsCell(samples []sample) string {
	procs := make([]int, len(samples))
	for i, s := range samples {
		procs[i] = s.procs
	}
	if slices.Max(procs) == 0 {
		return "—"
	}
	if slices.Min(procs) == slices.Max(procs) {
		return fmt.Sprint(procs[0])
	}
	return fmt.Sprintf("%d–%d", slices.Min(procs), slices.Max(procs))
}

// rssCell is the median over the runs of each run's highest provider VmHWM.
func rssCell(samples []sample) string {
	rss := make([]int64, len(samples))
	for i, s := range samples {
		rss[i] = s.rssKB
	}
	if slices.Max(rss) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", float64(median(rss))/1024)
}
