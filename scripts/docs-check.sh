#!/usr/bin/env bash
# Usage: scripts/docs-check.sh        (make docs-check, scripts/test.sh)
#
# As the hashicorp providers do: generate, then fail on any difference from
# git. docs/ edited by hand fails first, before generating would overwrite
# it. go generate (main.go) renders docs/ with tfplugindocs from the schema
# that internal/cmd/dev-provider writes, then validates it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
git diff --exit-code -- docs/ || {
	echo 'docs/ has uncommitted changes: commit them, or edit templates/ and run make docs' >&2
	exit 1
}
go generate ./...
if ! git diff --exit-code -- docs/ || git ls-files --others --exclude-standard -- docs/ | grep . >&2; then
	echo 'docs/ is stale: run make docs, and commit docs/' >&2
	exit 1
fi
echo 'docs/ is up to date'
