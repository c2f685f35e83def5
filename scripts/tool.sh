#!/usr/bin/env bash
# Usage: scripts/tool.sh NAME
#
# Prints the absolute path of a build tool binary (and nothing else on
# stdout), building it first from its own tools module when it is missing:
#
#   tofu           tools/tofu     github.com/opentofu/opentofu/cmd/tofu
#   tofu-1.11      tools/tofu-1.11  the same at v1.11.6 } the CLI version matrix
#   tofu-1.6       tools/tofu-1.6   the same at v1.6.3  } of scripts/test.sh
#                  (built with GOTOOLCHAIN=local: this Go, never a downloaded
#                  one; what each needed is in its README.md)
#   tfplugindocs   tools/docs     github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs
#   golangci-lint  tools/lint     github.com/golangci/golangci-lint/v2/cmd/golangci-lint
#   goreleaser     tools/release  github.com/goreleaser/goreleaser/v2
#   terraform-provider-restapi
#                  tools/restapi  github.com/Mastercard/terraform-provider-restapi
#                  (only for validating examples/use-cases/provider-configuration)
#
# Binaries are cached outside the work tree, in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools/<name>-<hash>
# where <hash> is the first 12 hex digits of the SHA-256 of the module's
# go.mod followed by its go.sum: a second run reuses the binary, a version
# bump (which changes go.mod/go.sum) builds a new one. Builds write to a
# temporary name in the cache directory and are renamed into place, so an
# interrupted build never leaves a broken binary behind. Build output goes
# to stderr.
set -euo pipefail

# The whole script is one function, called on the last line: bash parses it
# completely before running, so editing this file while a (minutes-long)
# build runs cannot break that run.
main() {
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

	usage() {
		echo "usage: $0 tofu|tofu-1.11|tofu-1.6|tfplugindocs|golangci-lint|goreleaser|terraform-provider-restapi" >&2
		exit 2
	}

	[ $# -eq 1 ] || usage
	name=$1
	goenv=() # extra environment for the build, per tool
	case "$name" in
	tofu)
		module=tofu
		pkg=github.com/opentofu/opentofu/cmd/tofu
		# Exactly the flags from DESIGN.md: version.dev=no makes `tofu version`
		# print a plain "OpenTofu v1.12.6", which terraform-plugin-testing parses.
		ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"
		estimate="about 3.5 min cold, 10-40 s with a warm Go build cache"
		;;
	tofu-1.11)
		# The CLI version matrix (scripts/test.sh): the first OpenTofu with
		# ephemeral resources and write-only arguments. Built like tofu
		# (tools/tofu-1.11/README.md).
		module=tofu-1.11
		pkg=github.com/opentofu/opentofu/cmd/tofu
		ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"
		goenv=(GOTOOLCHAIN=local)
		estimate="about 7 min of CPU cold: 12 min measured on 2 busy cores; seconds warm"
		;;
	tofu-1.6)
		# The CLI version matrix: the oldest OpenTofu the docs promise. What
		# it took to build it with this Go is in tools/tofu-1.6/README.md.
		module=tofu-1.6
		pkg=github.com/opentofu/opentofu/cmd/tofu
		ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"
		goenv=(GOTOOLCHAIN=local)
		estimate="about 4 min of CPU cold: 10 min measured on 2 busy cores; 11 s warm"
		;;
	tfplugindocs)
		module=docs
		pkg=github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs
		ldflags="-s -w"
		estimate="about 30 s cold"
		;;
	golangci-lint)
		module=lint
		pkg=github.com/golangci/golangci-lint/v2/cmd/golangci-lint
		ldflags="-s -w"
		estimate="about 75 s cold on an idle 2-core machine, 3.5 min under load"
		;;
	goreleaser)
		module=release
		pkg=github.com/goreleaser/goreleaser/v2
		ldflags="-s -w"
		estimate="about 3 min cold on an idle 2-core machine, much more under load"
		;;
	terraform-provider-restapi)
		module=restapi
		pkg=github.com/Mastercard/terraform-provider-restapi
		ldflags="-s -w"
		estimate="about 2 min cold"
		;;
	*)
		usage
		;;
	esac

	moddir="$root/tools/$module"
	for f in go.mod go.sum; do
		if [ ! -f "$moddir/$f" ]; then
			echo "tool.sh: $moddir/$f is missing" >&2
			exit 1
		fi
	done

	hash=$(cat "$moddir/go.mod" "$moddir/go.sum" | sha256sum | cut -c1-12)
	cachedir="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools"
	bin="$cachedir/$name-$hash"

	if [ -x "$bin" ]; then
		echo "$bin"
		exit 0
	fi

	mkdir -p "$cachedir"

	# Serialise concurrent builds of the same tool (e.g. `make -j`), so that two
	# callers do not both spend minutes building it. flock is optional.
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$bin.lock"
		flock 9
		if [ -x "$bin" ]; then
			echo "$bin"
			exit 0
		fi
	fi

	tmp="$bin.tmp.$$"
	cleanup() { rm -f "$tmp"; }
	trap cleanup EXIT

	echo "tool.sh: building $name from tools/$module ($estimate) -> $bin" >&2
	start=$(date +%s)
	# GOWORK=off: a go.work at the repository root must not pull the provider
	# (or anything else) into the tool's build list.
	env GOWORK=off "${goenv[@]}" go -C "$moddir" build -trimpath -ldflags "$ldflags" -o "$tmp" "$pkg" >&2
	mv -f "$tmp" "$bin"
	echo "tool.sh: built $name in $(($(date +%s) - start)) s" >&2

	echo "$bin"
}

main "$@"
