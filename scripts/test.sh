#!/usr/bin/env bash
# Usage: scripts/test.sh        (what `make test` and .ci/run run)
#
#   1. go vet ./...
#   2. golangci-lint run (.golangci.yml)
#   3. go test -race -v ./... with TF_ACC=1 against OpenTofu (built from
#      tools/tofu by scripts/tool.sh; never downloaded)
#   4. if a `terraform` binary is on PATH: the acceptance tests (^TestAcc in
#      ./internal/provider/...) again, against it
#   5. the CLI version matrix: the acceptance tests again against each older
#      OpenTofu the docs promise (tofu-1.11: the first with ephemeral
#      resources and write-only arguments; tofu-1.6: the oldest supported),
#      built by scripts/tool.sh from tools/tofu-1.11 and tools/tofu-1.6.
#      Tests of features a CLI lacks skip, naming the CLI and the feature
#      (internal/provider/cli_versions_test.go). No -race here: the race
#      detector already ran in step 3, and the matrix is about the CLI.
#   6. docs check (scripts/docs.sh check)
#   7. examples check (scripts/check-examples.sh)
#   8. a summary: per-step timings, the CLIs the acceptance suites ran
#      against, and the top-level PASS/SKIP counts of each suite
#
# Stops at the first failing step (exit status non-zero). Test output stays
# visible and is also kept in a log under a temporary directory, whose path
# is printed on failure (the directory is kept then).
#
# Environment knobs (optional):
#   ZOHO_TEST_SKIP_TERRAFORM=1   do not run the suite against terraform
#   ZOHO_TEST_SKIP_MATRIX=1      do not build or run the CLI version matrix
#                                (step 5; its two tofus take 4-7 min of CPU
#                                each to build the first time, 10-12 min on
#                                a busy 2-core machine, then are cached; the
#                                two suites take about 1.5 min together)
#   GO_TEST_TIMEOUT              per-package go test timeout (default 30m)
set -euo pipefail

# One function, called on the last line: bash parses the whole file before
# running it, so editing this script during a run cannot derail that run.
main() {
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	cd "$root"

	# shellcheck source=scripts/cli-env.sh
	. "$root/scripts/cli-env.sh"

	logdir=$(mktemp -d "${TMPDIR:-/tmp}/zoho-test.XXXXXX")
	keep_logs=0
	cleanup() {
		zoho_cli_cleanup
		if [ "$keep_logs" = 0 ]; then
			rm -rf "$logdir"
		fi
	}
	trap cleanup EXIT

	step() { printf '\n==> %s\n' "$*"; }

	step_start=$(date +%s)
	timings=()
	done_step() {
		local now
		now=$(date +%s)
		timings+=("$1: $((now - step_start)) s")
		step_start=$now
	}

	# The acceptance tests must never download a CLI: every go test run below
	# names one explicitly, and TF_ACC_TERRAFORM_VERSION (which downloads from
	# releases.hashicorp.com) must not leak in from the caller's environment.
	unset TF_ACC_TERRAFORM_VERSION TF_ACC_TERRAFORM_PATH TF_ACC_PROVIDER_HOST TF_ACC_PROVIDER_NAMESPACE

	step "building tools (cached after the first run)"
	tofu=$("$root/scripts/tool.sh" tofu)
	golangci_lint=$("$root/scripts/tool.sh" golangci-lint)
	"$root/scripts/tool.sh" tfplugindocs >/dev/null
	# The CLI version matrix, oldest last: NAME for scripts/tool.sh.
	matrix=(tofu-1.11 tofu-1.6)
	if [ "${ZOHO_TEST_SKIP_MATRIX:-0}" = 1 ]; then
		matrix=()
	fi
	matrix_bins=()
	for name in "${matrix[@]}"; do
		matrix_bins+=("$("$root/scripts/tool.sh" "$name")")
	done
	done_step tools

	# cli_version BIN: first line of `BIN version`, e.g. "OpenTofu v1.12.6".
	# (No `| head`: under pipefail its early exit would fail the pipeline with
	# SIGPIPE.)
	cli_version() {
		local out
		out=$("$1" version)
		echo "${out%%$'\n'*}"
	}

	# run_go_test LOGNAME ARGS...: go test with the output shown and logged; on
	# failure, lists the failing tests and fails.
	run_go_test() {
		local log="$logdir/$1.log"
		shift
		local rc=0
		go test "$@" 2>&1 | tee "$log" || rc=$?
		if [ "$rc" != 0 ]; then
			keep_logs=1
			echo >&2
			echo "go test failed (exit $rc); failing tests:" >&2
			grep -E '^[[:space:]]*--- FAIL|^FAIL' "$log" >&2 || true
			echo "full log: $log" >&2
			exit "$rc"
		fi
	}

	step "go vet ./..."
	go vet ./...
	done_step "go vet"

	step "golangci-lint run ($("$golangci_lint" version --short 2>/dev/null || echo v2))"
	"$golangci_lint" run ./...
	done_step golangci-lint

	tofu_version=$(cli_version "$tofu")
	ran_against=()
	counts=()

	# count_tests LABEL LOGNAME: the top-level PASS/SKIP counts of a go test
	# -v log, for the summary (subtests are indented, so not counted).
	count_tests() {
		local log="$logdir/$2.log" pass skip
		pass=$(grep -c '^--- PASS: ' "$log" || true)
		skip=$(grep -c '^--- SKIP: ' "$log" || true)
		counts+=("$1: PASS $pass, SKIP $skip")
	}

	# -count=1: acceptance results depend on the CLI binary and the emulator,
	# which the go test cache does not track.
	step "go test -race -v ./... (TF_ACC=1, $tofu_version)"
	TF_ACC=1 \
		TF_ACC_TERRAFORM_PATH="$tofu" \
		TF_ACC_PROVIDER_HOST=registry.opentofu.org \
		TF_ACC_PROVIDER_NAMESPACE=cd40c554 \
		run_go_test tofu -race -v -count=1 -timeout "${GO_TEST_TIMEOUT:-30m}" ./...
	ran_against+=("tofu ${tofu_version#OpenTofu }")
	count_tests "tofu ${tofu_version#OpenTofu } (all packages)" tofu
	done_step "go test (tofu)"

	terraform_bin=$(command -v terraform || true)
	if [ -n "$terraform_bin" ] && [ "${ZOHO_TEST_SKIP_TERRAFORM:-0}" != 1 ]; then
		terraform_version=$(cli_version "$terraform_bin")
		step "acceptance tests again against $terraform_version ($terraform_bin)"
		# No TF_ACC_PROVIDER_HOST: Terraform's default, registry.terraform.io.
		TF_ACC=1 \
			TF_ACC_TERRAFORM_PATH="$terraform_bin" \
			TF_ACC_PROVIDER_NAMESPACE=cd40c554 \
			run_go_test terraform -race -v -count=1 -timeout "${GO_TEST_TIMEOUT:-30m}" \
			-run '^TestAcc' ./internal/provider/...
		ran_against+=("terraform ${terraform_version#Terraform }")
		count_tests "terraform ${terraform_version#Terraform } (^TestAcc)" terraform
		done_step "go test (terraform)"
	elif [ -n "$terraform_bin" ]; then
		echo "(terraform on PATH, skipped: ZOHO_TEST_SKIP_TERRAFORM=1)"
	fi

	local i bin version short
	for i in "${!matrix[@]}"; do
		bin=${matrix_bins[$i]}
		version=$(cli_version "$bin")
		short="tofu ${version#OpenTofu }"
		step "acceptance tests again against $version (CLI version matrix: ${matrix[$i]})"
		TF_ACC=1 \
			TF_ACC_TERRAFORM_PATH="$bin" \
			TF_ACC_PROVIDER_HOST=registry.opentofu.org \
			TF_ACC_PROVIDER_NAMESPACE=cd40c554 \
			run_go_test "${matrix[$i]}" -v -count=1 -timeout "${GO_TEST_TIMEOUT:-30m}" \
			-run '^TestAcc' ./internal/provider/...
		ran_against+=("$short")
		count_tests "$short (^TestAcc)" "${matrix[$i]}"
		done_step "go test (${matrix[$i]})"
	done
	if [ "${ZOHO_TEST_SKIP_MATRIX:-0}" = 1 ]; then
		echo "(CLI version matrix skipped: ZOHO_TEST_SKIP_MATRIX=1)"
	fi

	step "docs check"
	"$root/scripts/docs.sh" check
	done_step docs

	step "examples check"
	"$root/scripts/check-examples.sh"
	done_step examples

	step "summary"
	for t in "${timings[@]}"; do
		echo "  $t"
	done
	joined=$(printf ', %s' "${ran_against[@]}")
	echo "acceptance suites ran against: ${joined#, }"
	echo "top-level tests per suite:"
	for c in "${counts[@]}"; do
		echo "  $c"
	done
	if [ "${ZOHO_TEST_SKIP_MATRIX:-0}" = 1 ]; then
		echo "(CLI version matrix not run: ZOHO_TEST_SKIP_MATRIX=1)"
	fi
	if [ -z "$terraform_bin" ]; then
		echo "(no terraform binary on PATH: Terraform suite not run)"
	fi
	echo "all checks passed"
}

main "$@"
