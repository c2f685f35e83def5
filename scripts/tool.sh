#!/usr/bin/env bash
# Usage: scripts/tool.sh tofu|tofu-1.11|tofu-1.6|weed|fakegcs|azurite|terraform-provider-restapi
#
# Prints the absolute path of a CLI that the tests need as a file
# (TF_ACC_TERRAFORM_PATH, a provider mirror), building it the first time;
# build output goes to stderr. The other tools run straight from their
# modules' `tool` directives: go tool -modfile=tools/<module>/go.mod <tool>.
#
#   tofu        tools/tofu       OpenTofu 1.12, what the tests and the demo use
#   tofu-1.11   tools/tofu-1.11  } the CLI version matrix of scripts/test.sh
#   tofu-1.6    tools/tofu-1.6   } (what each needed: its README.md)
#   weed        tools/seaweedfs  SeaweedFS, the S3 server the token_cache_url
#                                tests start (ZOHO_TEST_WEED); its README.md
#                                has the build's cost and how it runs
#   fakegcs     tools/fakegcs    fake-gcs-server, the GCS server of the gs://
#                                tests (ZOHO_TEST_FAKEGCS); its README.md has
#                                the costs and what it does of GCS
#   azurite     (npm)            Azurite's Blob service, the Azure server of the
#                                azblob:// tests (ZOHO_TEST_AZURITE): prints the
#                                path of its azurite-blob entry point, a Node
#                                script (tools/fakegcs/README.md says more)
#   changie     npm changie, the changelog tool (scripts/changelog-check.sh)
#   terraform-provider-restapi   tools/restapi, for the examples test
#
# OpenTofu needs -ldflags "-X .../version.dev=no" (else `tofu version` says
# v1.12.6-dev, a prerelease to terraform-plugin-testing), which `go tool`
# cannot pass, so it is built with `go build` (with this Go: GOTOOLCHAIN=local)
# into ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools/<name>-<hash>,
# <hash> being that of the module's go.mod and go.sum; a new version builds
# anew. weed and fake-gcs-server are built the same way (the tests exec them
# as files; they take only "-s -w"). Azurite is installed from the npm
# registry with `npm install` (install scripts off) into
# <cache>/azurite-<version>-<hash>, <hash> being that of the install
# command, pinned version included. The restapi provider needs nothing
# special: `go tool -n` prints where the Go cache keeps it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=${1:-}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools"

# npm_tool PACKAGE VERSION ENTRY COST: npm install of the pinned version,
# once, into the cache; prints the path of ENTRY (relative to the install).
npm_tool() {
	local package=$1 version=$2 entry=$3 cost=$4 hash dir
	local args=(install --ignore-scripts --no-audit --no-fund --no-save --loglevel=error "$package@$version")
	hash=$(echo "${args[*]}" | sha256sum | cut -c1-12)
	dir="$cache/$package-$version-$hash"
	if [ ! -f "$dir/$entry" ]; then
		command -v npm >/dev/null || {
			echo "tool.sh: $package needs node and npm on PATH" >&2
			exit 1
		}
		mkdir -p "$cache"
		rm -rf "$dir.tmp.$$"
		# shellcheck disable=SC2064 # expanded now: $dir is local
		trap "rm -rf '$dir.tmp.$$'" EXIT # an interrupted install leaves nothing
		echo "tool.sh: installing $package@$version from the npm registry (first time only: $cost) -> $dir" >&2
		npm "${args[@]}" --prefix "$dir.tmp.$$" >&2
		rm -rf "$dir"
		mv "$dir.tmp.$$" "$dir"
		trap - EXIT
	fi
	echo "$dir/$entry"
}

case "$name" in
tofu | tofu-1.11 | tofu-1.6)
	module="$root/tools/$name" pkg=github.com/opentofu/opentofu/cmd/tofu
	ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no" cost="4 to 7 min of CPU"
	;;
weed)
	module="$root/tools/seaweedfs" pkg=github.com/seaweedfs/seaweedfs/weed
	ldflags="-s -w" cost="about 11 min of CPU, 6 min on 2 idle cores, 2.2 GB of memory"
	;;
fakegcs)
	module="$root/tools/fakegcs" pkg=github.com/fsouza/fake-gcs-server
	ldflags="-s -w" cost="about 4 min of CPU, 560 MB of memory"
	;;
azurite)
	# Azurite 3.37.0 declares node >= 22 but runs on the Node 20 of these
	# machines (npm only warns).
	npm_tool azurite 3.37.0 node_modules/azurite/dist/src/blob/main.js "about 2 min, 360 MB"
	exit
	;;
changie)
	# The changelog tool CONTRIBUTING.md names; its npm package carries the
	# binaries, so no install script runs.
	npm_tool changie 1.26.0 node_modules/.bin/changie "about 10 s, 58 MB"
	exit
	;;
terraform-provider-restapi) exec go -C "$root" tool -n -modfile=tools/restapi/go.mod "$name" ;;
*)
	echo "usage: $0 tofu|tofu-1.11|tofu-1.6|weed|fakegcs|azurite|changie|terraform-provider-restapi" >&2
	exit 2
	;;
esac

hash=$(cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -c1-12)
bin="$cache/$name-$hash"
if [ ! -x "$bin" ]; then
	mkdir -p "$(dirname "$bin")"
	trap 'rm -f "$bin.tmp.$$"' EXIT # an interrupted build leaves no binary
	echo "tool.sh: building $name from tools/${module##*/}, from the Go module proxy (first time only: $cost) -> $bin" >&2
	GOWORK=off GOTOOLCHAIN=local go -C "$module" build -trimpath -ldflags "$ldflags" -o "$bin.tmp.$$" "$pkg" >&2
	mv -f "$bin.tmp.$$" "$bin"
fi
echo "$bin"
