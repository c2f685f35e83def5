#!/usr/bin/env bash
# Usage: scripts/check-examples.sh
#
# Checks every example under examples/, offline:
#   1. tofu fmt -check -recursive -diff examples/
#   2. `tofu validate` in every directory under examples/ holding .tf files,
#      under a dev_overrides CLI config pointing at a freshly built provider.
#
# Each directory is validated in its own scratch copy of the whole examples/
# tree (so relative module sources keep working and nothing is written into
# the work tree). A directory whose .tf files declare no required_providers
# (the tfplugindocs snippets: provider/, resources/<type>/, data-sources/<type>/,
# ephemeral-resources/<type>/) gets a zz_check_examples_providers.tf declaring
# zoho = { source = "cd40c554/zoho" } in that copy.
#
# Without `init` (which fails offline, even under dev_overrides), validate
# sees the zoho provider and the built-in terraform provider (terraform_data).
# When a directory needs more:
#   - local modules: `tofu get` in the scratch copy, then validate again;
#   - another provider (e.g. hashicorp/null): it is looked up, unpacked, in
#     the local provider directories (TF_PLUGIN_CACHE_DIR, ~/.terraform.d/plugins,
#     the XDG and /usr/(local/)share opentofu|terraform/plugins directories,
#     and ZOHO_EXAMPLES_PLUGIN_DIRS, colon-separated); if found, it is added
#     to the dev_overrides for that directory; if absent, the directory is
#     skipped, with the reason printed. The network is never used.
#   - mastercard/restapi (examples/use-cases/provider-configuration) is, when
#     not found locally, built from tools/restapi by scripts/tool.sh (from the
#     Go module proxy, cached like the other tools) and added the same way.
# Any other error is a failure (its output is printed).
#
# Prints one line per directory (ok / fail / skip) and exits non-zero if the
# format check or any directory failed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [ ! -d examples ]; then
	echo "check-examples: no examples/ directory" >&2
	exit 1
fi

# shellcheck source=scripts/cli-env.sh
. "$root/scripts/cli-env.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/zoho-examples.XXXXXX")
cleanup() {
	zoho_cli_cleanup
	rm -rf "$work"
}
trap cleanup EXIT

tofu=$("$root/scripts/tool.sh" tofu)

failed=0

echo "check-examples: tofu fmt -check -recursive -diff examples/"
if "$tofu" fmt -check -recursive -diff -no-color examples/; then
	echo "ok   fmt (examples/)"
else
	echo "fail fmt (examples/): run make fmt"
	failed=$((failed + 1))
fi

echo "check-examples: building the provider"
mkdir -p "$work/bin"
go build -o "$work/bin/terraform-provider-zoho" .
zoho_cli_dev_overrides "$work/bin"
overrides_config=$TF_CLI_CONFIG_FILE

os_arch="$(go env GOOS)_$(go env GOARCH)"

# Local provider directories (unpacked layout: HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/).
plugin_dirs=()
IFS=: read -r -a extra_dirs <<<"${ZOHO_EXAMPLES_PLUGIN_DIRS:-}"
for d in "${extra_dirs[@]}" \
	"${TF_PLUGIN_CACHE_DIR:-}" \
	"$HOME/.terraform.d/plugins" \
	"${XDG_DATA_HOME:-$HOME/.local/share}/opentofu/plugins" \
	"${XDG_DATA_HOME:-$HOME/.local/share}/terraform/plugins" \
	/usr/local/share/opentofu/plugins /usr/share/opentofu/plugins \
	/usr/local/share/terraform/plugins /usr/share/terraform/plugins; do
	if [ -n "$d" ] && [ -d "$d" ]; then
		plugin_dirs+=("$d")
	fi
done

# find_provider ADDR (host/namespace/type): prints the directory holding the
# newest local build of that provider for this platform, if any. A provider
# mirrored under the other public registry host is the same binary.
find_provider() {
	local addr=$1 ns_type host alt d found
	host=${addr%%/*}
	ns_type=${addr#*/}
	case "$host" in
	registry.opentofu.org) alt=registry.terraform.io ;;
	registry.terraform.io) alt=registry.opentofu.org ;;
	*) alt=$host ;;
	esac
	for d in "${plugin_dirs[@]}"; do
		for h in "$host" "$alt"; do
			[ -d "$d/$h/$ns_type" ] || continue
			found=$(find "$d/$h/$ns_type" -mindepth 3 -maxdepth 3 -type f \
				-path "*/$os_arch/terraform-provider-${ns_type##*/}*" -perm -u+x -print 2>/dev/null |
				sort -V | tail -n 1)
			if [ -n "$found" ]; then
				dirname "$found"
				return 0
			fi
		done
	done
	case "$ns_type" in
	mastercard/restapi)
		# Built (once, then cached) from its tools module; dev_overrides
		# wants a directory holding terraform-provider-restapi.
		local bin
		bin=$("$root/scripts/tool.sh" terraform-provider-restapi) || return 1
		d="$work/providers/restapi"
		mkdir -p "$d"
		ln -sf "$bin" "$d/terraform-provider-restapi"
		echo "$d"
		return 0
		;;
	esac
	return 1
}

# validate_dir DIR CONFIG OUT: tofu validate in DIR under CONFIG.
validate_dir() {
	(cd "$1" && TF_CLI_CONFIG_FILE=$2 "$tofu" validate -no-color) >"$3" 2>&1
}

# Directories holding .tf files (not inside .terraform/).
mapfile -t dirs < <(
	find examples -name .terraform -prune -o -type f \( -name '*.tf' -o -name '*.tf.json' \) -print0 |
		while IFS= read -r -d '' f; do dirname "$f"; done | sort -u
)
if [ "${#dirs[@]}" = 0 ]; then
	echo "check-examples: no .tf files under examples/" >&2
	exit 1
fi

n=0
passed=0
skipped=0
for dir in "${dirs[@]}"; do
	n=$((n + 1))
	copy="$work/run-$n"
	mkdir -p "$copy"
	cp -R examples "$copy/"
	find "$copy" \( -name .terraform -o -name .terraform.lock.hcl -o -name '*.tfstate*' \) -prune -exec rm -rf {} +
	wd="$copy/$dir"
	out="$copy/out.txt"
	note=""

	if ! grep -qs 'required_providers' "$wd"/*.tf "$wd"/*.tf.json; then
		cat >"$wd/zz_check_examples_providers.tf" <<'EOF'
terraform {
  required_providers {
    zoho = {
      source = "cd40c554/zoho"
    }
  }
}
EOF
		note=" (added required_providers)"
	fi

	# This directory's CLI config: the zoho dev_overrides, plus any other
	# provider found locally.
	config="$copy/cli.tfrc"
	cp "$overrides_config" "$config"

	status=fail
	fetched_modules=0
	added_providers=0
	for _ in 1 2 3; do
		if validate_dir "$wd" "$config" "$out"; then
			status=ok
			break
		fi
		flat=$(tr -s '[:space:]' ' ' <"$out")
		if [ "$fetched_modules" = 0 ] && grep -q 'Module not installed' <<<"$flat"; then
			fetched_modules=1
			note+=" (tofu get)"
			if ! (cd "$wd" && TF_CLI_CONFIG_FILE=$config "$tofu" get -no-color) >"$out" 2>&1; then
				break
			fi
			continue
		fi
		if [ "$added_providers" = 0 ] && grep -q 'Missing required provider' <<<"$flat"; then
			added_providers=1
			mapfile -t wanted < <(grep -oE 'requires provider [^ ,]+' <<<"$flat" | awk '{print $3}' | sort -u)
			absent=()
			for addr in "${wanted[@]}"; do
				if pdir=$(find_provider "$addr"); then
					# A public registry's provider goes under both public
					# hosts, as zoho does.
					hosts=("${addr%%/*}")
					case "${hosts[0]}" in
					registry.terraform.io | registry.opentofu.org)
						hosts=(registry.terraform.io registry.opentofu.org)
						;;
					esac
					for h in "${hosts[@]}"; do
						awk -v line="    \"$h/${addr#*/}\" = \"$pdir\"" \
							'{ print } /^  dev_overrides \{/ { print line }' "$config" >"$config.new"
						mv "$config.new" "$config"
					done
					note+=" (local $addr)"
				else
					absent+=("$addr")
				fi
			done
			if [ "${#absent[@]}" != 0 ]; then
				status=skip
				note=" (needs provider $(printf '%s, ' "${absent[@]}" | sed 's/, $//'), not available offline)"
				break
			fi
			continue
		fi
		break
	done

	case "$status" in
	ok)
		passed=$((passed + 1))
		echo "ok   $dir$note"
		;;
	skip)
		skipped=$((skipped + 1))
		echo "skip $dir$note"
		;;
	*)
		failed=$((failed + 1))
		echo "fail $dir$note"
		sed 's/^/     | /' "$out"
		;;
	esac
	rm -rf "$copy"
done

echo "check-examples: ${#dirs[@]} directories: $passed ok, $skipped skipped, $((${#dirs[@]} - passed - skipped)) failed"
if [ "$failed" != 0 ]; then
	echo "check-examples: FAILED" >&2
	exit 1
fi
