#!/usr/bin/env bash
# Usage: scripts/tool.sh tofu|tofu-1.11|tofu-1.6|weed|terraform-provider-restapi
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
#   terraform-provider-restapi   tools/restapi, for the examples test
#
# OpenTofu needs -ldflags "-X .../version.dev=no" (else `tofu version` says
# v1.12.6-dev, a prerelease to terraform-plugin-testing), which `go tool`
# cannot pass, so it is built with `go build` (with this Go: GOTOOLCHAIN=local)
# into ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools/<name>-<hash>,
# <hash> being that of the module's go.mod and go.sum; a new version builds
# anew. weed is built the same way (the tests exec it as a file; it takes
# only "-s -w"). The restapi provider needs nothing special: `go tool -n` prints where
# the Go cache keeps it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=${1:-}
case "$name" in
tofu | tofu-1.11 | tofu-1.6)
	module="$root/tools/$name" pkg=github.com/opentofu/opentofu/cmd/tofu
	ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no" cost="4 to 7 min of CPU"
	;;
weed)
	module="$root/tools/seaweedfs" pkg=github.com/seaweedfs/seaweedfs/weed
	ldflags="-s -w" cost="about 11 min of CPU, 6 min on 2 idle cores, 2.2 GB of memory"
	;;
terraform-provider-restapi) exec go -C "$root" tool -n -modfile=tools/restapi/go.mod "$name" ;;
*)
	echo "usage: $0 tofu|tofu-1.11|tofu-1.6|weed|terraform-provider-restapi" >&2
	exit 2
	;;
esac

hash=$(cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -c1-12)
bin="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools/$name-$hash"
if [ ! -x "$bin" ]; then
	mkdir -p "$(dirname "$bin")"
	trap 'rm -f "$bin.tmp.$$"' EXIT # an interrupted build leaves no binary
	echo "tool.sh: building $name from tools/${module##*/}, from the Go module proxy (first time only: $cost) -> $bin" >&2
	GOWORK=off GOTOOLCHAIN=local go -C "$module" build -trimpath -ldflags "$ldflags" -o "$bin.tmp.$$" "$pkg" >&2
	mv -f "$bin.tmp.$$" "$bin"
fi
echo "$bin"
