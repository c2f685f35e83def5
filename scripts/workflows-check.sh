#!/usr/bin/env bash
# Usage: scripts/workflows-check.sh        (make workflows-check, scripts/test.sh)
#
# actionlint of .github/workflows/ (tools/actionlint pins the version); it
# runs shellcheck on the run: scripts when shellcheck is on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go tool -modfile=tools/actionlint/go.mod actionlint
