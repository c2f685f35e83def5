#!/usr/bin/env bash
# Usage: scripts/wine-test.sh [PACKAGE_PATTERN...] [-- GO_TEST_BINARY_FLAGS...]
#
# The unit tests of internal/zoho/... (the OAuth client, tokencache with its
# directory and file checks, objectstore's file:// store, safefile, the
# emulator), cross-compiled for windows/amd64 and run under Wine: what Windows
# users run of the code that touches the file system, checked on Linux.
#
#   scripts/wine-test.sh                          internal/zoho/... and the
#                                                 Wine workaround (testsupport/tempdir)
#   scripts/wine-test.sh ./internal/zoho/tokencache -- -test.run TestDisk
#
# What it needs, and does the first time (DESIGN.md, Toolchain):
#   - wine64 (Debian's Wine 8.0) and gcc-mingw-w64-x86-64-win32: installed with
#     apt-get when missing (as root; otherwise it says what to install).
#     Wine's wine64 loader is not on PATH: it is found with dpkg -L.
#   - bcryptprimitives.dll: Go's Windows runtime calls its ProcessPrng, which
#     Wine 8.0 lacks. scripts/wine/bcryptprimitives.c is a shim exporting it
#     (through RtlGenRandom); it is built once into
#     ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools/,
#     keyed by the hash of its source, and copied into each prefix's system32.
#
# Each run uses a throwaway WINEPREFIX (about 30 s to create on a busy
# machine), WINEDEBUG=-all, and stops its own wineserver at the end. Each test
# binary runs from its package's directory, so testdata/ resolves as under
# go test. Under Wine 8.0 os.RemoveAll fails on a directory holding files
# ("Invalid function": Wine lacks FileDispositionInformationEx, and Go falls
# back only on the statuses Windows returns), so t.TempDir's cleanup would
# fail every test that writes a file: the tests take their directories from
# internal/testsupport/tempdir, which empties them first under Wine only.
#
# Prints each package's PASS/FAIL/SKIP counts and the skipped tests with
# their reasons; exits non-zero when a package fails. WINE_TEST_TIMEOUT is
# each binary's -test.timeout (default 10m).
set -euo pipefail

main() {
	cd "$(dirname "${BASH_SOURCE[0]}")/.."
	local patterns=() extra=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		patterns+=("$1")
		shift
	done
	if [ "${1:-}" = -- ]; then
		shift
		extra=("$@")
	fi
	# The Wine workaround's own tests too: the others rely on it.
	[ ${#patterns[@]} -gt 0 ] || patterns=(./internal/zoho/... ./internal/testsupport/tempdir)
	local cache="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools"
	local started=$SECONDS

	# The store servers of the S3, GCS and Azure tests are Linux binaries
	# (make test exports them, scripts/env.sh stores_env): a Windows test
	# binary must not exec them, so those tests skip here, saying why.
	unset ZOHO_TEST_WEED ZOHO_TEST_FAKEGCS ZOHO_TEST_AZURITE
	need_packages
	wine=$(dpkg -L wine64 | grep -E '/wine64$' | head -n 1)
	wineserver=$(dpkg -L wine64 | grep -E '/wineserver64$|/wineserver$' | head -n 1)
	[ -x "$wine" ] || die "no wine64 loader in the wine64 package (dpkg -L wine64)"
	shim=$(build_shim "$cache")

	work=$(mktemp -d "${TMPDIR:-/tmp}/zoho-wine.XXXXXX")
	export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
	trap cleanup EXIT

	heading "Wine prefix ($("$wine" --version 2>/dev/null || echo "wine ?")): $WINEPREFIX"
	# wineboot failed once in eight runs here (load average 20), printing
	# nothing: a second try, in a new prefix, is made before giving up.
	local attempt status
	for attempt in 1 2; do
		status=0
		"$wine" wineboot -i >"$work/wineboot.log" 2>&1 || status=$?
		[ "$status" != 0 ] || break
		cat "$work/wineboot.log" >&2
		"$wineserver" -k 2>/dev/null || true
		rm -rf "$WINEPREFIX"
		[ "$attempt" = 1 ] || die "wineboot failed twice (exit $status)"
		echo "wine-test.sh: wineboot failed (exit $status); trying once more in a new prefix" >&2
	done
	cp "$shim" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
	echo "prefix ready in $((SECONDS - started)) s; shim: $shim"

	heading "go test -c (GOOS=windows GOARCH=amd64) ${patterns[*]}"
	local pkgs=() build_start=$SECONDS
	mapfile -t pkgs < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}|{{.Dir}}{{end}}' "${patterns[@]}")
	[ ${#pkgs[@]} -gt 0 ] || die "no package with tests matches ${patterns[*]}"
	local entry
	for entry in "${pkgs[@]}"; do
		GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$work/bin/$(exe_name "${entry%%|*}")" "${entry%%|*}"
	done
	echo "${#pkgs[@]} test binaries built in $((SECONDS - build_start)) s"

	local failed=() summary=() pkg dir log status
	for entry in "${pkgs[@]}"; do
		pkg=${entry%%|*} dir=${entry#*|}
		log="$work/$(exe_name "$pkg").log"
		heading "wine64 $(exe_name "$pkg") -test.v (in ${dir#"$PWD"/})"
		local run_start=$SECONDS
		status=0
		(cd "$dir" && "$wine" "$work/bin/$(exe_name "$pkg")" -test.v -test.count=1 \
			-test.timeout "${WINE_TEST_TIMEOUT:-10m}" "${extra[@]}") >"$log" 2>&1 || status=$?
		grep -E '^(=== RUN|--- (PASS|FAIL|SKIP)|PASS$|FAIL$|ok )' "$log" | grep -v '^=== RUN' | grep -E '^--- (FAIL|SKIP)|^(PASS|FAIL)$' || true
		summary+=("$(counts "$pkg" "$log" "$status" $((SECONDS - run_start)))")
		if [ "$status" != 0 ]; then
			failed+=("$pkg")
			echo "--- output of the failing tests (full log: $log):"
			failing_output "$log"
		fi
	done

	heading "skipped under Wine, and why"
	for entry in "${pkgs[@]}"; do
		skips "$work/$(exe_name "${entry%%|*}").log"
	done
	heading "summary (top-level tests; subtests are counted in their parent)"
	printf '  %s\n' "${summary[@]}"
	echo "total $((SECONDS - started)) s"
	if [ ${#failed[@]} -gt 0 ]; then
		echo "FAILED under Wine: ${failed[*]} (logs kept in $work)" >&2
		keep=1
		exit 1
	fi
	echo "all packages passed under Wine"
}

keep=0
cleanup() {
	# Only this run's wineserver (it serves one prefix), so nothing else stops.
	[ -z "${WINEPREFIX:-}" ] || [ ! -d "$WINEPREFIX" ] || "$wineserver" -k 2>/dev/null || true
	if [ "$keep" = 1 ]; then
		rm -rf "$WINEPREFIX"
	else
		rm -rf "$work"
	fi
}

heading() { printf '\n==> %s\n' "$*"; }
die() {
	echo "wine-test.sh: $*" >&2
	exit 1
}

# need_packages installs wine64 and the mingw compiler when missing.
need_packages() {
	local missing=() p
	for p in wine64 gcc-mingw-w64-x86-64-win32; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ]; then
		die "needs ${missing[*]}: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
	fi
	heading "apt-get install ${missing[*]} (first time only)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build_shim CACHE: prints the path of the shim DLL, built the first time.
build_shim() {
	local src=scripts/wine/bcryptprimitives.c hash out
	hash=$( (cat "$src" && x86_64-w64-mingw32-gcc --version | head -n 1) | sha256sum | cut -c1-12)
	out="$1/wine-bcryptprimitives-$hash.dll"
	if [ ! -f "$out" ]; then
		mkdir -p "$1"
		echo "wine-test.sh: building $src -> $out (first time only)" >&2
		x86_64-w64-mingw32-gcc -shared -O2 -s -o "$out.tmp.$$" "$src" -ladvapi32
		mv -f "$out.tmp.$$" "$out"
	fi
	echo "$out"
}

# exe_name PKG: a test binary's name, from its import path.
exe_name() {
	local rel=${1#github.com/cd40c554/terraform-provider-zoho/}
	echo "${rel//\//_}.test.exe"
}

# counts PKG LOG STATUS SECONDS: one summary line.
counts() {
	local pass fail skip
	pass=$(grep -c '^--- PASS: ' "$2" || true)
	fail=$(grep -c '^--- FAIL: ' "$2" || true)
	skip=$(grep -c '^--- SKIP: ' "$2" || true)
	local verdict=ok
	[ "$3" = 0 ] || verdict="FAIL (exit $3)"
	printf '%-58s %s: PASS %d, FAIL %d, SKIP %d (%d s)' "${1#github.com/cd40c554/terraform-provider-zoho/}" "$verdict" "$pass" "$fail" "$skip" "$4"
}

# failing_output LOG: the lines of the failing tests, and a panic if any.
failing_output() {
	awk '/^=== RUN/ {buf = ""} {buf = buf $0 "\n"} /^[[:space:]]*--- FAIL/ {printf "%s", buf; buf = ""} /^panic:|^fatal error:/ {p = 1} p' "$1" | tail -n 200
}

# skips LOG: each skipped test (subtests too) with its reason, the last line
# it logged (t.Skip's message) before "--- SKIP"; parallel tests interleave,
# so lines are attributed by the "=== RUN/NAME/CONT" line before them.
skips() {
	awk '/^=== (RUN|NAME|CONT) / {test = $3; next}
		/^[[:space:]]+[^[:space:]]+_test\.go:[0-9]+: / {m = $0; sub(/^[[:space:]]+[^[:space:]]+_test\.go:[0-9]+: /, "", m); msg[test] = m}
		/^[[:space:]]*--- SKIP: / {printf "  %s: %s\n", $3, msg[$3]}' "$1"
}

main "$@"
exit # nothing after main is read: editing this file during a run cannot derail it
