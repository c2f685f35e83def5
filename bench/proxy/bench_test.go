package main

import (
	"strings"
	"testing"
)

// BenchmarkProxy and BenchmarkDirect make the same call of the same
// loopback upstream, through the proxy and straight: the difference is
// what the proxy adds. The Parallel pair does it with GOMAXPROCS callers.
func BenchmarkProxy(b *testing.B)          { benchCalls(b, (*bench).proxiedTarget, false) }
func BenchmarkDirect(b *testing.B)         { benchCalls(b, (*bench).directTarget, false) }
func BenchmarkProxyParallel(b *testing.B)  { benchCalls(b, (*bench).proxiedTarget, true) }
func BenchmarkDirectParallel(b *testing.B) { benchCalls(b, (*bench).directTarget, true) }

func (b *bench) proxiedTarget() string { return b.proxied }
func (b *bench) directTarget() string  { return b.direct }

func benchCalls(tb *testing.B, target func(*bench) string, parallel bool) {
	b, err := newBench()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(b.close)
	url := target(b)
	tb.ReportAllocs()
	if !parallel {
		for tb.Loop() {
			if err := b.call(url); err != nil {
				tb.Fatal(err)
			}
		}
		return
	}
	tb.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := b.call(url); err != nil {
				tb.Error(err)
				return
			}
		}
	})
}

// The report runs end to end and prints every row.
func TestReport(t *testing.T) {
	var out strings.Builder
	if err := run([]string{"-n", "50", "-c", "2", "-d", "100ms"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"| latency p50 |", "| latency p99 |", "| requests/s (2 callers) |"} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("no %q row in:\n%s", row, out.String())
		}
	}
}
