#!/usr/bin/env bash
# Usage: scripts/lint.sh        (make lint, scripts/test.sh)
#
# go vet, then golangci-lint (.golangci.yml; tools/lint pins the version).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go vet ./...
go tool -modfile=tools/lint/go.mod golangci-lint run ./...
