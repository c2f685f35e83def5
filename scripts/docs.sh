#!/usr/bin/env bash
# Usage: scripts/docs.sh [check]
#
# Regenerates docs/ with tfplugindocs (tools/docs) from templates/ and
# examples/, fully offline:
#   1. go build -o <tmp>/terraform-provider-zoho .
#   2. writes a dev_overrides CLI config for that binary (scripts/cli-env.sh)
#   3. `tofu providers schema -json` in a scratch configuration that only
#      requires cd40c554/zoho (no `tofu init`: it fails offline, and under
#      dev_overrides it is not needed)
#   4. tfplugindocs generate --provider-name zoho --providers-schema <file>
#      (--providers-schema makes tfplugindocs skip building the provider and
#      never look for, or download, a terraform binary)
#
# With `check`, docs/ must already be up to date; it fails with
# "docs/ is stale: run make docs" when
#   - generating changed anything under docs/ on disk (compared with a copy
#     taken before generating), or
#   - the repository has commits and docs/ differs from the git index
#     (`git diff --exit-code -- docs/`) or holds untracked files.
# Both modes end with `tfplugindocs validate` (same schema file).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mode=${1:-generate}
case "$mode" in
generate | check) ;;
*)
	echo "usage: $0 [check]" >&2
	exit 2
	;;
esac

# shellcheck source=scripts/cli-env.sh
. "$root/scripts/cli-env.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/zoho-docs.XXXXXX")
cleanup() {
	zoho_cli_cleanup
	rm -rf "$work"
}
trap cleanup EXIT

tofu=$("$root/scripts/tool.sh" tofu)
tfplugindocs=$("$root/scripts/tool.sh" tfplugindocs)

echo "docs: building the provider"
mkdir -p "$work/bin"
go build -o "$work/bin/terraform-provider-zoho" .
zoho_cli_dev_overrides "$work/bin"

tofu_version=$("$tofu" version)
echo "docs: exporting the provider schema with ${tofu_version%%$'\n'*}"
mkdir -p "$work/schema"
cat >"$work/schema/main.tf" <<'EOF'
terraform {
  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}
EOF
if ! (cd "$work/schema" && "$tofu" providers schema -json) >"$work/schema.raw.json" 2>"$work/schema.err"; then
	cat "$work/schema.err" >&2
	echo "docs: tofu providers schema -json failed" >&2
	exit 1
fi

# tfplugindocs looks the provider up under the key "zoho" (or
# "registry.terraform.io/hashicorp/zoho"), while tofu names it
# "registry.opentofu.org/cd40c554/zoho": rename the key.
key='registry.opentofu.org/cd40c554/zoho'
if command -v jq >/dev/null 2>&1; then
	jq --arg k "$key" '
		if (.provider_schemas | has($k)) | not then
			error("no schema for \($k) in tofu output")
		else
			.provider_schemas = {zoho: .provider_schemas[$k]}
		end' "$work/schema.raw.json" >"$work/schema.json"
else
	if ! grep -q "\"$key\"" "$work/schema.raw.json"; then
		echo "docs: no schema for $key in tofu output" >&2
		exit 1
	fi
	sed "s|\"$key\"|\"zoho\"|" "$work/schema.raw.json" >"$work/schema.json"
fi

if [ "$mode" = check ]; then
	mkdir -p "$work/before"
	if [ -d docs ]; then
		cp -a docs "$work/before/docs"
	fi
fi

echo "docs: tfplugindocs generate"
"$tfplugindocs" generate \
	--provider-name zoho \
	--providers-schema "$work/schema.json"

if [ "$mode" = check ]; then
	stale=0
	if ! diff -r "$work/before/docs" docs >"$work/docs.diff" 2>&1; then
		if [ -d "$work/before/docs" ]; then
			cat "$work/docs.diff" >&2
		else
			echo "docs/ did not exist before generating" >&2
		fi
		stale=1
	fi
	if git rev-parse --verify -q HEAD >/dev/null 2>&1; then
		if ! git diff --exit-code -- docs/ >&2; then
			stale=1
		fi
		untracked=$(git ls-files --others --exclude-standard -- docs/)
		if [ -n "$untracked" ]; then
			echo "untracked files under docs/:" >&2
			echo "$untracked" >&2
			stale=1
		fi
	else
		echo "docs: (no git commits yet: compared docs/ with its state before generating only)"
	fi
	if [ "$stale" != 0 ]; then
		echo "docs/ is stale: run make docs" >&2
		exit 1
	fi
	echo "docs: docs/ is up to date"
fi

echo "docs: tfplugindocs validate"
"$tfplugindocs" validate \
	--provider-name zoho \
	--providers-schema "$work/schema.json"
echo "docs: ok"
