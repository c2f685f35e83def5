package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

// cliRun is what one CLI command cost.
type cliRun struct {
	wall time.Duration
	// peakRSS is the highest VmHWM seen per provider binary (base name),
	// over every process of it that the CLI started.
	peakRSS map[string]int64
	// processes counts the provider processes started, per binary.
	processes map[string]int
	exitCode  int
}

// runner runs the CLI in a configuration directory with the bench's
// environment.
type runner struct {
	cli       string
	env       []string
	providers map[string]bool // absolute paths of the provider binaries to watch
}

// run runs cli args... in dir, sampling the providers' peak RSS while it
// runs. A non-zero exit fails, unless it is in okCodes.
func (r *runner) run(ctx context.Context, dir string, args []string, okCodes ...int) (cliRun, error) {
	cmd := exec.CommandContext(ctx, r.cli, args...)
	cmd.Dir = dir
	cmd.Env = r.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return cliRun{}, err
	}
	s := newSampler(cmd.Process.Pid, r.providers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { s.loop(stop) })
	err := cmd.Wait()
	wall := time.Since(start)
	close(stop)
	wg.Wait()
	res := cliRun{wall: wall, peakRSS: s.peak, processes: s.count()}
	if err != nil {
		res.exitCode = cmd.ProcessState.ExitCode()
		for _, ok := range okCodes {
			if res.exitCode == ok {
				return res, nil
			}
		}
		return res, fmt.Errorf("%s %s in %s: %v\n%s", filepath.Base(r.cli), strings.Join(args, " "), dir, err, clitest.Tail(out.String(), 40))
	}
	return res, nil
}

// sampler polls /proc for the CLI's child processes running a watched
// provider binary and keeps each one's VmHWM (the kernel's own peak RSS
// of that process), so the figure is the provider's, not the CLI's. The
// last sample before a provider exits is at most one period old; VmHWM
// only grows, so what is missed is the growth of that last period.
type sampler struct {
	cliPID  int
	watched map[string]bool
	peak    map[string]int64
	seen    map[int]string // pid -> binary base name
}

const samplePeriod = 5 * time.Millisecond

func newSampler(cliPID int, watched map[string]bool) *sampler {
	return &sampler{cliPID: cliPID, watched: watched, peak: map[string]int64{}, seen: map[int]string{}}
}

func (s *sampler) loop(stop <-chan struct{}) {
	t := time.NewTicker(samplePeriod)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

func (s *sampler) sample() {
	for _, pid := range childrenOf(s.cliPID) {
		name, known := s.seen[pid]
		if !known {
			exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
			if err != nil || !s.watched[exe] {
				continue
			}
			name = filepath.Base(exe)
			s.seen[pid] = name
		}
		if kb := vmHWM(pid); kb > s.peak[name] {
			s.peak[name] = kb
		}
	}
}

func (s *sampler) count() map[string]int {
	n := map[string]int{}
	for _, name := range s.seen {
		n[name]++
	}
	return n
}

// childrenOf lists the direct children of pid (the CLI starts its
// providers itself). The kernel lists children per thread that forked
// them, and a Go program forks from any of its threads.
func childrenOf(pid int) []int {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil
	}
	var pids []int
	for _, t := range tasks {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		for _, f := range strings.Fields(string(data)) {
			if p, err := strconv.Atoi(f); err == nil {
				pids = append(pids, p)
			}
		}
	}
	return pids
}

// vmHWM is the process's peak resident set size in KiB, or 0 once it is
// gone.
func vmHWM(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
