#!/usr/bin/env bash
# Usage: scripts/cross-check.sh [GOOS/GOARCH...]
#
# go build and go vet of the whole module (tests included: vet type-checks
# them) for every platform the release ships besides this machine's, whose
# tests make test runs: what code only one platform compiles (a _unix file
# without its build tag, a syscall that Windows lacks) fails here, on Linux,
# instead of in the release workflow or on a user's machine.
#
# The platforms come from .goreleaser.yml (the provider's goos x goarch, less
# its ignore list: go run ./internal/cmd/release-rehearsal -list-targets);
# arguments narrow them. All targets are checked, then the failures listed.
#
# Not checked on Windows: bench/cli and bench/fleet, Unix-only benches (they
# signal and group processes with syscall.SIGUSR1, Setpgid and Kill) that
# are not shipped; they would need a //go:build unix line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# windows_only_unix: packages that do not build for Windows, by design.
windows_only_unix='^github.com/cd40c554/terraform-provider-zoho/bench/(cli|fleet)$'

main() {
	local targets=("$@") here failed=() t started=$SECONDS
	here="$(go env GOOS)/$(go env GOARCH)"
	if [ ${#targets[@]} -eq 0 ]; then
		mapfile -t targets < <(go run ./internal/cmd/release-rehearsal -list-targets | grep -vx "$here")
	fi
	for t in "${targets[@]}"; do
		check "$t" || failed+=("$t")
	done
	echo
	if [ ${#failed[@]} -gt 0 ]; then
		echo "cross-check FAILED for: ${failed[*]} ($((SECONDS - started)) s)" >&2
		exit 1
	fi
	echo "cross-check: go build and go vet pass for ${#targets[@]} platforms ($((SECONDS - started)) s)"
}

# check GOOS/GOARCH: go build ./... and go vet ./... for that platform.
check() {
	local goos=${1%/*} goarch=${1#*/} pkgs start=$SECONDS
	export GOOS=$goos GOARCH=$goarch CGO_ENABLED=0
	mapfile -t pkgs < <(go list ./...)
	if [ "$goos" = windows ]; then
		mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | grep -Ev "$windows_only_unix")
	fi
	printf '==> %-14s go build, go vet (%d packages) ' "$1" "${#pkgs[@]}"
	if ! go build "${pkgs[@]}" || ! go vet "${pkgs[@]}"; then
		echo "FAILED"
		unset GOOS GOARCH CGO_ENABLED
		return 1
	fi
	echo "ok ($((SECONDS - start)) s)"
	unset GOOS GOARCH CGO_ENABLED
}

main "$@"
