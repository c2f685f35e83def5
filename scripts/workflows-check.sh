#!/usr/bin/env bash
# Usage: scripts/workflows-check.sh        (make workflows-check, scripts/test.sh)
#
# actionlint (tools/actionlint pins the version) of .github/workflows/ and of
# the workflow the CI example gives users (examples/use-cases/ci-fleet); it
# runs shellcheck on the run: scripts when shellcheck is on PATH. The GitLab
# pipeline, the issue forms and Dependabot's file are checked by
# internal/repocheck (go test).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go tool -modfile=tools/actionlint/go.mod actionlint
go tool -modfile=tools/actionlint/go.mod actionlint examples/use-cases/ci-fleet/github-actions.yml
