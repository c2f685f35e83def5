#!/usr/bin/env bash
# Usage: scripts/examples-check.sh        (make examples-check, scripts/test.sh)
#
# tofu fmt -check and bash -n of examples/; README.md and docs/ show only
# tested example files (TestExamples_docsShowTestedFiles, which needs no
# CLI). The examples themselves are applied end to end by TestAccExamples
# (internal/acceptance).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh
"$(scripts/tool.sh tofu)" fmt -check -recursive -diff -no-color examples/
find examples -name '*.sh' -type f -print0 | xargs -0 -r -n 1 bash -n
go test -count=1 -run '^TestExamples_docsShowTestedFiles$' ./internal/acceptance/
