package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// startup is how long a provider binary takes from exec to the go-plugin
// handshake line, the moment the CLI can start talking to it.
type startup struct {
	name        string
	size        int64
	lo, med, hi time.Duration
	rssKB       int64 // VmHWM at the handshake (median)
}

// The handshake tf6server expects from its CLI.
var pluginEnv = []string{
	"TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
	"PLUGIN_PROTOCOL_VERSIONS=6",
}

func (b *bench) startups(ctx context.Context, reps int) ([]startup, error) {
	var out []startup
	for _, bin := range []string{b.ourBin, b.floorBin} {
		info, err := os.Stat(bin)
		if err != nil {
			return nil, err
		}
		s := startup{name: filepath.Base(bin), size: info.Size()}
		var times []time.Duration
		var rss []int64
		for range reps {
			d, kb, err := handshake(ctx, bin)
			if err != nil {
				return nil, err
			}
			times = append(times, d)
			rss = append(rss, kb)
		}
		s.med, s.rssKB = median(times), median(rss)
		s.lo, s.hi = slices.Min(times), slices.Max(times)
		out = append(out, s)
	}
	return out, nil
}

// handshake starts bin as a plugin, waits for its handshake line, reads its
// peak RSS so far, and stops it.
func handshake(ctx context.Context, bin string) (time.Duration, int64, error) {
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), pluginEnv...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	d := time.Since(start)
	if err != nil || !strings.Contains(line, "|6|") {
		return 0, 0, fmt.Errorf("%s: no plugin handshake (%q, %v)", bin, line, err)
	}
	return d, vmHWM(cmd.Process.Pid), nil
}
