#!/usr/bin/env bash
# Usage: scripts/bench.sh [BENCH_REGEXP]   (what `make bench` runs)
#
# Runs the Go benchmarks (client round trip against the emulator, token cache
# memory and disk hits, sealing) with allocation counts. Speed is measured
# here, never asserted in tests. Compare two runs with benchstat:
#   scripts/bench.sh > old.txt; (change); scripts/bench.sh > new.txt
#   go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go test -run '^$' -bench "${1:-.}" -benchmem -count "${BENCH_COUNT:-5}" ./internal/...
