#!/usr/bin/env bash
# Usage: scripts/test.sh        (what `make test` and .ci/run run)
#
#   1. go vet ./... and golangci-lint (scripts/lint.sh), actionlint of
#      .github/workflows/ (scripts/workflows-check.sh)
#   2. go test -race -v ./... with TF_ACC=1 against OpenTofu (scripts/tool.sh),
#      with SeaweedFS (scripts/tool.sh weed, ZOHO_TEST_WEED), fake-gcs-server
#      (scripts/tool.sh fakegcs, ZOHO_TEST_FAKEGCS) and Azurite (scripts/tool.sh
#      azurite, ZOHO_TEST_AZURITE) as the S3, GCS and Azure servers of the
#      shared token cache tests
#   3. the acceptance tests (^TestAcc of internal/provider and
#      internal/acceptance) again against `terraform`, if on PATH (no -race:
#      step 2 ran it)
#   4. the CLI version matrix: the same again against OpenTofu 1.11 (the first
#      with ephemeral resources and write-only arguments) and 1.6 (the oldest
#      supported); tests of features a CLI lacks skip, naming the CLI and the
#      feature (clitest.Feature). No -race: step 2 ran it.
#   5. scripts/cross-check.sh for one platform of each other OS the release
#      ships, 32-bit among them (darwin/arm64, windows/amd64, freebsd/386): go
#      build and go vet of the whole module; `make cross-check` does all 12
#      (cold, 1.5 to 6 min each on a busy 2-core machine: too long here)
#   6. scripts/wine-test.sh: the unit tests of internal/zoho/... built for
#      windows/amd64 and run under Wine (installs wine64 and the mingw
#      compiler with apt-get the first time, as root)
#   7. the release rehearsal (go run ./internal/cmd/release-rehearsal):
#      goreleaser snapshot for this platform signed with a throwaway key,
#      installed by tofu (and terraform, if on PATH) init from a local
#      registry over HTTPS, the demo applied, tampered releases refused
#   8. scripts/docs-check.sh, scripts/examples-check.sh, changelog check
#   9. a summary: per-step timings, the CLIs the suites ran against, and the
#      top-level PASS/SKIP counts of each suite
#
# Every environment variable of the CLIs and the tests comes from
# scripts/env.sh.
#
# Stops at the first failure. go test output is shown and logged; when a
# suite fails, the failing tests and the log's path are printed.
#
# Knobs: ZOHO_TEST_SKIP_TERRAFORM=1 (no terraform suite); ZOHO_TEST_SKIP_MATRIX=1
# (no matrix: its two tofus take 4-7 min of CPU each to build once, 10-12 min
# on a busy 2-core machine, then are cached; the two suites take about 1.5
# min); ZOHO_TEST_SKIP_WINE=1 (no Wine step: for a machine where wine64
# cannot be installed); GO_TEST_TIMEOUT (per package, default 30m).
set -euo pipefail

# One function, called on the last line: bash parses the whole file first,
# so editing this script during a run cannot derail that run.
main() {
	cd "$(dirname "${BASH_SOURCE[0]}")/.."
	. scripts/env.sh
	logdir=$(mktemp -d "${TMPDIR:-/tmp}/zoho-test.XXXXXX")
	trap 'rm -rf "$logdir"' EXIT # kept when a suite fails (see suite)
	timings=() ran_against=() counts=() step_start=$(date +%s)

	# The CLI and the store servers the suites need build (first time only)
	# while vet and the linters run: on a fresh machine their downloads and
	# compiles overlap.
	scripts/tool.sh tofu >"$logdir/tofu.path" 2>"$logdir/tofu.build" &
	tofu_build=$!
	scripts/tool.sh weed >"$logdir/weed.path" 2>"$logdir/weed.build" &
	weed_build=$!
	scripts/tool.sh fakegcs >"$logdir/fakegcs.path" 2>"$logdir/fakegcs.build" &
	fakegcs_build=$!
	scripts/tool.sh azurite >"$logdir/azurite.path" 2>"$logdir/azurite.build" &
	azurite_build=$!
	if [ "${ZOHO_TEST_SKIP_MATRIX:-0}" != 1 ]; then
		scripts/tool.sh tofu-1.11 >"$logdir/tofu-1.11.path" 2>"$logdir/tofu-1.11.build" &
		tofu111_build=$!
		scripts/tool.sh tofu-1.6 >"$logdir/tofu-1.6.path" 2>"$logdir/tofu-1.6.build" &
		tofu16_build=$!
	fi

	heading "go vet ./..., golangci-lint run"
	scripts/lint.sh
	timed "vet and golangci-lint"
	heading "actionlint (.github/workflows/)"
	scripts/workflows-check.sh
	timed actionlint

	heading "tools: OpenTofu, SeaweedFS, fake-gcs-server, Azurite (built or installed once, then cached)"
	waitfor tofu "$tofu_build"
	waitfor weed "$weed_build"
	waitfor fakegcs "$fakegcs_build"
	waitfor azurite "$azurite_build"
	tofu=$(<"$logdir/tofu.path")
	stores_env # built above: cached now
	echo "tofu: $tofu"
	echo "weed: $ZOHO_TEST_WEED"
	echo "fake-gcs-server: $ZOHO_TEST_FAKEGCS"
	echo "azurite-blob: $ZOHO_TEST_AZURITE"
	timed "tools (after vet and lint)"

	suite tofu "$tofu" "(all packages)" -race ./...
	terraform=$(command -v terraform || true)
	if [ -n "$terraform" ] && [ "${ZOHO_TEST_SKIP_TERRAFORM:-0}" != 1 ]; then
		suite terraform "$terraform" "(^TestAcc)" -run '^TestAcc' ./internal/provider/... ./internal/acceptance/...
	elif [ -n "$terraform" ]; then
		echo "(terraform on PATH, skipped: ZOHO_TEST_SKIP_TERRAFORM=1)"
	fi
	if [ "${ZOHO_TEST_SKIP_MATRIX:-0}" != 1 ]; then
		waitfor tofu-1.11 "$tofu111_build"
		waitfor tofu-1.6 "$tofu16_build"
		for name in tofu-1.11 tofu-1.6; do
			suite "$name" "$(<"$logdir/$name.path")" "(^TestAcc)" -run '^TestAcc' ./internal/provider/... ./internal/acceptance/...
		done
	fi

	heading "cross-check: go build and go vet for darwin, windows and freebsd (make cross-check: every platform)"
	scripts/cross-check.sh darwin/arm64 windows/amd64 freebsd/386
	timed cross-check
	if [ "${ZOHO_TEST_SKIP_WINE:-0}" != 1 ]; then
		heading "Windows: internal/zoho/... unit tests under Wine (scripts/wine-test.sh)"
		scripts/wine-test.sh
		timed "Wine (windows/amd64 unit tests)"
	fi
	heading "release rehearsal (internal/cmd/release-rehearsal)"
	local clis=tofu
	if [ -n "$terraform" ] && [ "${ZOHO_TEST_SKIP_TERRAFORM:-0}" != 1 ]; then
		clis=tofu,terraform
	fi
	go run ./internal/cmd/release-rehearsal -cli "$clis"
	timed "release rehearsal"

	heading "docs check"
	scripts/docs-check.sh
	timed docs
	heading "examples check"
	scripts/examples-check.sh
	timed examples
	heading "changelog check (changie)"
	scripts/changelog-check.sh
	timed changelog

	heading summary
	printf '  %s\n' "${timings[@]}"
	joined=$(printf ', %s' "${ran_against[@]}")
	echo "acceptance suites ran against: ${joined#, }"
	echo "top-level tests per suite:"
	printf '  %s\n' "${counts[@]}"
	if [ "${ZOHO_TEST_SKIP_MATRIX:-0}" = 1 ]; then
		echo "(CLI version matrix not run: ZOHO_TEST_SKIP_MATRIX=1)"
	fi
	if [ -z "$terraform" ]; then
		echo "(no terraform binary on PATH: Terraform suite not run)"
	fi
	if [ "${ZOHO_TEST_SKIP_WINE:-0}" = 1 ]; then
		echo "(Windows unit tests under Wine not run: ZOHO_TEST_SKIP_WINE=1)"
	fi
	echo "all checks passed"
}

heading() { printf '\n==> %s\n' "$*"; }

# waitfor NAME PID: waits for a background tool build, showing its output
# (build progress, or why it failed).
waitfor() {
	local status=0
	wait "$2" || status=$?
	cat "$logdir/$1.build" >&2
	if [ "$status" != 0 ]; then
		echo "building $1 failed (scripts/tool.sh $1, exit $status)" >&2
		exit "$status"
	fi
}

# timed LABEL: records the time since the previous step ended.
timed() {
	local now
	now=$(date +%s)
	timings+=("$1: $((now - step_start)) s")
	step_start=$now
}

# suite NAME CLI LABEL GO_TEST_ARGS...: go test -v with the acceptance
# tests on against CLI (acc_env), logged to NAME.log, then its top-level
# PASS/SKIP counts (subtests are indented, so not counted). -count=1: results
# depend on the CLI binary and the emulator, which the go test cache does
# not track.
suite() {
	local name=$1 cli=$2 label=$3 version short
	local log="$logdir/$1.log"
	shift 3
	version=$("$cli" version) # no `| head`: under pipefail, SIGPIPE fails it
	version=${version%%$'\n'*} # "OpenTofu v1.12.6" or "Terraform v1.11.4"
	short=${version/OpenTofu/tofu}
	short=${short/Terraform/terraform}
	heading "go test $* (TF_ACC=1, $version: $cli)"
	if ! (acc_env "$cli" && go test -v -count=1 -timeout "${GO_TEST_TIMEOUT:-30m}" "$@") 2>&1 | tee "$log"; then
		echo >&2
		echo "go test failed; failing tests:" >&2
		grep -E '^[[:space:]]*--- FAIL|^FAIL' "$log" >&2 || true
		echo "full log: $log" >&2
		trap - EXIT
		exit 1
	fi
	ran_against+=("$short")
	counts+=("$short $label: PASS $(grep -c '^--- PASS: ' "$log" || true), SKIP $(grep -c '^--- SKIP: ' "$log" || true)")
	timed "go test ($name)"
}

main "$@"
