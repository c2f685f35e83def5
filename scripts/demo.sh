#!/usr/bin/env bash
# Usage: scripts/demo.sh        (what `make demo` runs)
#
# The provider's whole story, offline, against the Zoho accounts emulator
# (cmd/zoho-emulator) on loopback:
#   1. builds the provider (used through dev_overrides: no `init`) and the
#      emulator; picks the CLI: a `tofu`, else a `terraform`, >= 1.11 on PATH
#      (ephemeral resources and write-only arguments), else OpenTofu from
#      scripts/tool.sh (built from the Go module proxy the first time, about
#      4 min, then cached). DEMO_CLI=PATH picks one; DEMO_CLI=build forces
#      the built OpenTofu.
#   2. starts the emulator (a Self Client) and reads its state file
#   3. generates a Self Client grant code (the API Console's "Generate Code")
#   4. `apply` of examples/demo/ in a scratch directory: grant code ->
#      refresh token -> ephemeral access token -> CRM API call from a provisioner
#   5. shows the outputs, and proves that no secret was printed and that the
#      state holds no secret but the refresh token
#   6. `destroy`, then proves the refresh token was revoked
# The provider and the emulator are built into bin/demo/ (kept, ignored by
# git: go build then skips the link when nothing changed, 4 of a warm run's
# 7 s); everything else runs in a temporary directory, removed on exit with the
# emulator. Nothing secret is printed, or passed on a command line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Step titles are bold on a terminal. The CLI runs with -no-color: its output
# is captured, scanned for secrets and trimmed before it is shown.
bold="" plain=""
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
started=$(date +%s) step_no=0
step() {
	step_no=$((step_no + 1))
	printf '\n%s%d. %s%s  (at %d s)\n' "$bold" "$step_no" "$*" "$plain" "$(($(date +%s) - started))"
}
fail() {
	printf '\ndemo: FAILED: %s\n' "$*" >&2
	exit 1
}

# The demo talks to its own emulator only: no ZOHO_* setting of the caller
# (a data center, a token cache, real credentials) may leak in.
for name in $(compgen -e | grep '^ZOHO_' || true); do unset "$name"; done
export CHECKPOINT_DISABLE=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zoho-demo.XXXXXX")
emulator_pid=""
cleanup() {
	if [ -n "$emulator_pid" ]; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# show LOG [brief]: prints a CLI log indented, without the dev_overrides
# warning (expected here, and ten lines long each time); with "brief", also
# without the plan's details.
show() {
	awk -v brief="${2:-}" '
		/Warning: Provider development overrides are in effect/ { skip = 1 }
		skip && /releases\.$/ { skip = 0; next }
		brief && /used the selected providers to generate/ { skip = 1 }
		skip && brief && /^Plan: / { print; next }
		skip && brief && /: (Destroying|Creating|Modifying)\.\.\./ { skip = 0 }
		!skip
	' "$1" | sed -e '/^[│╷╵]*[[:space:]]*$/d' -e 's/^/   | /'
}

# scan_for_secrets LABEL FILE: fails if FILE holds the client secret, the
# grant code or anything shaped like a Zoho token (1000.<hex>.<hex>). The
# secrets reach grep through a pipe, not its command line.
scan_for_secrets() {
	local hits
	hits=$(grep -nF -f <(printf '%s\n%s\n' "$client_secret" "$grant_code") "$2" | cut -d: -f1 | tr '\n' ' ' || true)
	hits+=$(grep -nE '1000\.[0-9a-f]{32}\.[0-9a-f]{32}' "$2" | cut -d: -f1 | tr '\n' ' ' || true)
	[ -z "$hits" ] || fail "SECRET FOUND in the $1 ($(basename "$2"), lines $hits); not showing it"
	echo "   ok: no client secret, grant code or token in the $1"
}

# json KEY: one field of the JSON object on stdin.
json() { python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

# cli_version CLI: the CLI's first version line ("OpenTofu v1.12.6",
# "Terraform v1.11.4"), or nothing when it does not run.
cli_version() {
	local out
	out=$("$1" version 2>/dev/null) || return 0
	printf '%s\n' "${out%%$'\n'*}"
}

# recent_enough VERSION_LINE: true for 1.11 or newer, the first versions of
# both CLIs with ephemeral resources and write-only arguments.
recent_enough() {
	[[ $1 =~ v([0-9]+)\.([0-9]+) ]] || return 1
	local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
	((major > 1 || (major == 1 && minor >= 11)))
}

# pick_cli: sets cli (a path) and cli_note (why that one). Only the built
# OpenTofu costs minutes, so a suitable CLI on PATH comes first.
pick_cli() {
	local name path version
	case "${DEMO_CLI:-}" in
	build) ;;
	"")
		for name in tofu terraform; do
			path=$(command -v "$name" || true)
			[ -n "$path" ] || continue
			version=$(cli_version "$path")
			if recent_enough "$version"; then
				cli=$path cli_note="$version on PATH"
				return
			fi
			echo "   $path (${version:-no version}) is older than 1.11: not used"
		done
		;;
	*)
		version=$(cli_version "$DEMO_CLI")
		recent_enough "$version" || fail "DEMO_CLI=$DEMO_CLI is not a tofu or terraform >= 1.11 (${version:-it does not run})"
		cli=$DEMO_CLI cli_note="$version (DEMO_CLI)"
		return
		;;
	esac
	cli=$(scripts/tool.sh tofu)
	cli_note="$(cli_version "$cli") built by scripts/tool.sh (no tofu or terraform >= 1.11 on PATH)"
	[ "${DEMO_CLI:-}" != build ] || cli_note="$(cli_version "$cli") built by scripts/tool.sh (DEMO_CLI=build)"
}

# ---------------------------------------------------------------------------
step "Building the provider and the emulator; picking the CLI"
# The CLI reads this configuration (dev_overrides), never the caller's.
bindir="$PWD/bin/demo"
mkdir -p "$bindir"
export TF_CLI_CONFIG_FILE="$bindir/dev.tfrc"
# The emulator builds beside the provider: the two share most packages.
go build -o "$bindir/zoho-emulator" ./cmd/zoho-emulator &
emulator_build=$!
scripts/dev-provider.sh "$bindir"
wait "$emulator_build" || fail "could not build the emulator"
pick_cli
cli_name=$(basename "$cli")
cli_name=${cli_name%%-*} # tofu-<hash> in the tools cache
echo "   provider: $bindir/terraform-provider-zoho (dev_overrides, no init)"
echo "   CLI: $cli_note: $cli"

# ---------------------------------------------------------------------------
step "Starting the Zoho accounts emulator on loopback"
state_file="$tmp/emulator.json"
"$bindir/zoho-emulator" -state-file "$state_file" >"$tmp/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do
	[ -s "$state_file" ] && break
	kill -0 "$emulator_pid" 2>/dev/null || break # it exited
	sleep 0.1
done
if [ ! -s "$state_file" ]; then
	cat "$tmp/emulator.log" >&2
	fail "the emulator wrote no state file"
fi
accounts_url=$(json accounts_url <"$state_file")
client_id=$(json client_id <"$state_file")
client_secret=$(json client_secret <"$state_file")
echo "   accounts URL: $accounts_url (also its api_domain)"
echo "   Self Client:  $client_id (its secret stays in $state_file, mode 0600)"

# ---------------------------------------------------------------------------
step "Generating a Self Client grant code (API Console: Self Client -> Generate Code)"
scopes="ZohoCRM.users.READ,ZohoCRM.modules.READ"
code_json=$(printf '%s' "$client_secret" | curl --silent --show-error --noproxy '*' --fail-with-body \
	-X POST "$accounts_url/_emulator/self-client/code" --data-urlencode "client_id=$client_id" \
	--data-urlencode "client_secret@-" --data-urlencode "scope=$scopes") ||
	fail "could not generate a grant code: $code_json"
grant_code=$(json code <<<"$code_json")
echo "   scopes $scopes; single use, valid $(json expires_in <<<"$code_json") s (not shown)"

# ---------------------------------------------------------------------------
step "$cli_name apply: grant code -> refresh token -> ephemeral access token -> CRM API call"
work="$tmp/work"
cp -R examples/demo "$work"
export ZOHO_ACCOUNTS_URL="$accounts_url" ZOHO_CLIENT_ID="$client_id" ZOHO_CLIENT_SECRET="$client_secret"
apply_rc=0
(cd "$work" && TF_VAR_grant_code="$grant_code" "$cli" apply -auto-approve -input=false -no-color) \
	>"$tmp/apply.log" 2>&1 || apply_rc=$?
scan_for_secrets "apply output" "$tmp/apply.log" # before showing anything
show "$tmp/apply.log"
[ "$apply_rc" = 0 ] || fail "$cli_name apply failed (exit $apply_rc)"

echo
echo "   The provisioner's own output (Terraform hides it, since its environment"
echo "   holds an ephemeral value; examples/demo/main.tf writes it to api-call.log):"
[ -s "$work/api-call.log" ] || fail "the provisioner wrote no api-call.log"
scan_for_secrets "provisioner output" "$work/api-call.log"
sed 's/^/   > /' "$work/api-call.log"
grep -q '^Zoho API call succeeded as ' "$work/api-call.log" || fail "the CRM API call did not succeed"

# ---------------------------------------------------------------------------
step "$cli_name output (nothing secret)"
(cd "$work" && "$cli" output -no-color) >"$tmp/output.log" 2>&1
scan_for_secrets "outputs" "$tmp/output.log"
show "$tmp/output.log"

# ---------------------------------------------------------------------------
step "What the state holds: the refresh token (sensitive) and nothing else secret"
# Prints a summary only; the refresh token goes to a 0600 file for step 6.
(umask 077 && DEMO_GRANT_CODE="$grant_code" DEMO_CLIENT_SECRET="$client_secret" \
	python3 - "$work/terraform.tfstate" "$tmp/refresh_token" <<'EOF'
import json, os, re, sys

raw = open(sys.argv[1]).read()
(res,) = [r for r in json.loads(raw)["resources"] if r["type"] == "zoho_oauth_refresh_token"]
attrs = res["instances"][0]["attributes"]
others = set(re.findall(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}", raw)) - {attrs["refresh_token"]}
problems = [text for text, found in [
    ("the grant code is in the state", os.environ["DEMO_GRANT_CODE"] in raw),
    ("the client secret is in the state", os.environ["DEMO_CLIENT_SECRET"] in raw),
    ("grant_code_wo is not null", attrs.get("grant_code_wo") is not None),
    (f"{len(others)} token(s) besides the refresh token (an access token?)", others),
] if found]
if problems:
    sys.exit("state check failed: " + "; ".join(problems))
print(f"   ok: zoho_oauth_refresh_token.{res['name']} id={attrs['id']} holds the refresh token;")
print("   grant_code_wo is null, and no grant code, client secret or access token is stored")
open(sys.argv[2], "w").write(attrs["refresh_token"])
EOF
) || fail "the state holds more than it should"

# ---------------------------------------------------------------------------
step "$cli_name destroy: revokes the refresh token at Zoho"
destroy_rc=0
(cd "$work" && "$cli" destroy -auto-approve -input=false -no-color) >"$tmp/destroy.log" 2>&1 || destroy_rc=$?
scan_for_secrets "destroy output" "$tmp/destroy.log"
show "$tmp/destroy.log" brief
[ "$destroy_rc" = 0 ] || fail "$cli_name destroy failed (exit $destroy_rc)"

echo
echo "   Refreshing with the old refresh token must now fail:"
# Secrets go in through stdin and a pipe, never on curl's command line.
refresh_json=$(curl --silent --show-error --noproxy '*' -X POST "$accounts_url/oauth/v2/token" \
	--data-urlencode "grant_type=refresh_token" --data-urlencode "client_id=$client_id" \
	--data-urlencode "client_secret@"<(printf '%s' "$client_secret") \
	--data-urlencode "refresh_token@-" <"$tmp/refresh_token")
if [ -n "$(json access_token <<<"$refresh_json")" ]; then
	fail "the old refresh token still mints access tokens: destroy did not revoke it"
fi
refresh_error=$(json error <<<"$refresh_json")
[ "$refresh_error" = invalid_code ] || fail "unexpected answer to the refresh: error ${refresh_error:-?}"
echo "   ok: Zoho answers invalid_code: the token is revoked"

# ---------------------------------------------------------------------------
step "Stopping the emulator"
kill "$emulator_pid"
wait "$emulator_pid" 2>/dev/null || true
emulator_pid=""

printf '\n%sDemo passed in %d s.%s\n' "$bold" "$(($(date +%s) - started))" "$plain"
