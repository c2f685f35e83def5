#!/usr/bin/env bash
# Usage: scripts/check-examples.sh
#
# The quick, offline checks of examples/ (what `make examples-check` runs):
#   1. tofu fmt -check -recursive -diff examples/
#   2. bash -n of every shell file under examples/ (syntax only)
#   3. TestExamples_docsShowTestedFiles: every file under examples/ is
#      applied by a case of TestAccExamples; every Terraform block in
#      README.md and docs/ is byte-for-byte one of those files (README.md
#      marks each with <!-- example: PATH -->); the README's first
#      configuration is the quick start's; the tfplugindocs snippets say
#      they are partial.
#
# Validating is not enough (a configuration can validate and still fail its
# first apply), so the examples themselves are applied by TestAccExamples
# (internal/provider/examples_test.go): `init`, plan, apply, a plan that must
# show no change, and destroy, against the Zoho emulator, with the CLI named
# by TF_ACC_TERRAFORM_PATH. `make test` runs it against OpenTofu, and against
# Terraform when it is on PATH; alone: make testacc TEST_ARGS='-run TestAccExamples'.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [ ! -d examples ]; then
	echo "check-examples: no examples/ directory" >&2
	exit 1
fi

# shellcheck source=scripts/cli-env.sh
. "$root/scripts/cli-env.sh"
trap zoho_cli_cleanup EXIT

tofu=$("$root/scripts/tool.sh" tofu)
failed=0

echo "check-examples: tofu fmt -check -recursive -diff examples/"
if "$tofu" fmt -check -recursive -diff -no-color examples/; then
	echo "ok   fmt (examples/)"
else
	echo "fail fmt (examples/): run make fmt"
	failed=$((failed + 1))
fi

echo "check-examples: bash -n examples/**/*.sh"
while IFS= read -r -d '' f; do
	if bash -n "$f"; then
		echo "ok   $f"
	else
		echo "fail $f"
		failed=$((failed + 1))
	fi
done < <(find examples -name '*.sh' -type f -print0 | sort -z)

echo "check-examples: README.md and docs/ show only tested example files"
if go test -count=1 -run '^TestExamples_docsShowTestedFiles$' ./internal/provider/; then
	echo "ok   docs and examples agree"
else
	echo "fail docs and examples disagree (see above)"
	failed=$((failed + 1))
fi

if [ "$failed" != 0 ]; then
	echo "check-examples: FAILED ($failed)" >&2
	exit 1
fi
echo "check-examples: ok (the examples are applied by TestAccExamples, in make test)"
