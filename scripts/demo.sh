#!/usr/bin/env bash
# Usage: scripts/demo.sh        (what `make demo` runs)
#
# The provider's whole story, offline, against the Zoho accounts emulator
# (cmd/zoho-emulator) on loopback:
#   1. builds the provider and the emulator; gets tofu (scripts/tool.sh:
#      built from the Go module proxy the first time, about 4 min, then cached)
#   2. starts the emulator (a Self Client) and reads its state file
#   3. generates a Self Client grant code (the API Console's "Generate Code")
#   4. `tofu apply` of examples/demo/ in a scratch directory, under
#      dev_overrides (no `tofu init`): grant code -> refresh token ->
#      ephemeral access token -> CRM API call from a provisioner
#   5. shows the outputs, and proves that no secret was printed and that the
#      state holds no secret but the refresh token
#   6. `tofu destroy`, then proves the refresh token was revoked
# Everything runs in a temporary directory, removed on exit with the
# emulator. Nothing secret is printed, or passed on a command line.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Step titles are bold on a terminal. tofu runs with -no-color: its output
# is captured, scanned for secrets and trimmed before it is shown.
if [ -t 1 ]; then
	bold=$'\033[1m' plain=$'\033[0m'
else
	bold="" plain=""
fi

started=$(date +%s)
step_no=0
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
while IFS= read -r name; do
	unset "$name"
done < <(compgen -e | grep '^ZOHO_' || true)

# shellcheck source=scripts/cli-env.sh
. "$root/scripts/cli-env.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zoho-demo.XXXXXX")
emulator_pid=""
cleanup() {
	if [ -n "$emulator_pid" ]; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	zoho_cli_cleanup
	rm -rf "$tmp"
}
trap cleanup EXIT

# show LOG [brief]: prints a tofu log indented, without the dev_overrides
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

# curl_local ...: curl against the emulator, never through a proxy.
curl_local() {
	curl --silent --show-error --noproxy '*' "$@"
}

# ---------------------------------------------------------------------------
step "Building the provider and the emulator; getting tofu"
mkdir -p "$tmp/bin"
go build -o "$tmp/bin/terraform-provider-zoho" .
go build -o "$tmp/zoho-emulator" ./cmd/zoho-emulator
if [ -z "$(find "${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-zoho/tools" -maxdepth 1 -name 'tofu-*' -type f 2>/dev/null)" ]; then
	echo "   first run: building OpenTofu from source, from the Go module proxy (4 to 6 minutes on 2 cores; cached afterwards)"
fi
tofu=$("$root/scripts/tool.sh" tofu)
zoho_cli_dev_overrides "$tmp/bin"
echo "   provider: $tmp/bin/terraform-provider-zoho (dev_overrides, no tofu init)"
echo "   $("$tofu" version | head -n 1): $tofu"

# ---------------------------------------------------------------------------
step "Starting the Zoho accounts emulator on loopback"
state_file="$tmp/emulator.json"
"$tmp/zoho-emulator" -state-file "$state_file" >"$tmp/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
	[ -s "$state_file" ] && break
	if ! kill -0 "$emulator_pid" 2>/dev/null; then
		cat "$tmp/emulator.log" >&2
		fail "the emulator exited before writing $state_file"
	fi
	sleep 0.1
done
[ -s "$state_file" ] || fail "the emulator wrote no state file within 10 s"

# state_value KEY: one field of the emulator's state file.
state_value() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$state_file" "$1"
}
accounts_url=$(state_value accounts_url)
client_id=$(state_value client_id)
client_secret=$(state_value client_secret)
echo "   accounts URL: $accounts_url (also its api_domain)"
echo "   Self Client:  $client_id (its secret stays in $state_file, mode 0600)"

# ---------------------------------------------------------------------------
step "Generating a Self Client grant code (API Console: Self Client -> Generate Code)"
scopes="ZohoCRM.users.READ,ZohoCRM.modules.READ"
code_json=$(printf '%s' "$client_secret" | curl_local --fail-with-body -X POST \
	"$accounts_url/_emulator/self-client/code" \
	--data-urlencode "client_id=$client_id" \
	--data-urlencode "client_secret@-" \
	--data-urlencode "scope=$scopes") || fail "could not generate a grant code: $code_json"
grant_code=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["code"])' <<<"$code_json")
code_ttl=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["expires_in"])' <<<"$code_json")
echo "   scopes $scopes; single use, valid $code_ttl s (not shown)"

# ---------------------------------------------------------------------------
step "tofu apply: grant code -> refresh token -> ephemeral access token -> CRM API call"
work="$tmp/work"
cp -R examples/demo "$work"
export ZOHO_ACCOUNTS_URL="$accounts_url" ZOHO_CLIENT_ID="$client_id" ZOHO_CLIENT_SECRET="$client_secret"
apply_rc=0
(cd "$work" && TF_VAR_grant_code="$grant_code" "$tofu" apply -auto-approve -input=false -no-color) \
	>"$tmp/apply.log" 2>&1 || apply_rc=$?

# Scan before showing anything: a secret in the log must not reach the screen.
# scan_for_secrets LABEL FILE...: fails if any file holds the client secret,
# the grant code or anything shaped like a Zoho token (1000.<hex>.<hex>).
scan_for_secrets() {
	local label=$1 f hits
	shift
	for f in "$@"; do
		# The secrets reach grep through a pipe, not its command line.
		hits=$(grep -nF -f <(printf '%s\n%s\n' "$client_secret" "$grant_code") "$f" | cut -d: -f1 | tr '\n' ' ' || true)
		hits+=$(grep -nE '1000\.[0-9a-f]{32}\.[0-9a-f]{32}' "$f" | cut -d: -f1 | tr '\n' ' ' || true)
		if [ -n "$hits" ]; then
			fail "SECRET FOUND in the $label ($(basename "$f"), lines $hits); not showing it"
		fi
	done
	echo "   ok: no client secret, grant code or token in the $label"
}
scan_for_secrets "apply output" "$tmp/apply.log"
show "$tmp/apply.log"
[ "$apply_rc" = 0 ] || fail "tofu apply failed (exit $apply_rc)"

echo
echo "   The provisioner's own output (Terraform hides it, since its environment"
echo "   holds an ephemeral value; examples/demo/main.tf writes it to api-call.log):"
[ -s "$work/api-call.log" ] || fail "the provisioner wrote no api-call.log"
scan_for_secrets "provisioner output" "$work/api-call.log"
sed 's/^/   > /' "$work/api-call.log"
grep -q '^Zoho API call succeeded as ' "$work/api-call.log" || fail "the CRM API call did not succeed"

# ---------------------------------------------------------------------------
step "tofu output (nothing secret)"
(cd "$work" && "$tofu" output -no-color) >"$tmp/output.log" 2>&1
scan_for_secrets "outputs" "$tmp/output.log"
show "$tmp/output.log"

# ---------------------------------------------------------------------------
step "What the state holds: the refresh token (sensitive) and nothing else secret"
# Prints a summary only; the refresh token goes to a 0600 file for step 6.
(
	umask 077
	DEMO_GRANT_CODE="$grant_code" DEMO_CLIENT_SECRET="$client_secret" \
		python3 - "$work/terraform.tfstate" "$tmp/refresh_token" <<'EOF'
import json, os, re, sys

state_path, token_out = sys.argv[1:3]
grant_code, client_secret = os.environ["DEMO_GRANT_CODE"], os.environ["DEMO_CLIENT_SECRET"]
raw = open(state_path).read()
state = json.loads(raw)
token_shape = re.compile(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}")

(res,) = [r for r in state["resources"] if r["type"] == "zoho_oauth_refresh_token"]
attrs = res["instances"][0]["attributes"]
refresh_token = attrs["refresh_token"]
problems = []
if grant_code in raw:
    problems.append("the grant code is in the state")
if client_secret in raw:
    problems.append("the client secret is in the state")
if attrs.get("grant_code_wo") is not None:
    problems.append("grant_code_wo is not null")
others = set(token_shape.findall(raw)) - {refresh_token}
if others:
    problems.append(f"{len(others)} token(s) besides the refresh token (an access token?)")
if problems:
    sys.exit("state check failed: " + "; ".join(problems))
print(f"   ok: zoho_oauth_refresh_token.{res['name']} id={attrs['id']} holds the refresh token;")
print("   grant_code_wo is null, and no grant code, client secret or access token is stored")
with open(token_out, "w") as f:
    f.write(refresh_token)
EOF
) || fail "the state holds more than it should"

# ---------------------------------------------------------------------------
step "tofu destroy: revokes the refresh token at Zoho"
destroy_rc=0
(cd "$work" && "$tofu" destroy -auto-approve -input=false -no-color) >"$tmp/destroy.log" 2>&1 || destroy_rc=$?
scan_for_secrets "destroy output" "$tmp/destroy.log"
show "$tmp/destroy.log" brief
[ "$destroy_rc" = 0 ] || fail "tofu destroy failed (exit $destroy_rc)"

echo
echo "   Refreshing with the old refresh token must now fail:"
# Secrets go in through stdin and a pipe, never on curl's command line.
refresh_json=$(curl_local -X POST "$accounts_url/oauth/v2/token" \
	--data-urlencode "grant_type=refresh_token" \
	--data-urlencode "client_id=$client_id" \
	--data-urlencode "client_secret@"<(printf '%s' "$client_secret") \
	--data-urlencode "refresh_token@-" <"$tmp/refresh_token")
rm -f "$tmp/refresh_token"
refresh_error=$(python3 -c 'import json, sys; d = json.load(sys.stdin); print("MINTED" if "access_token" in d else d.get("error", "?"))' <<<"$refresh_json")
case "$refresh_error" in
invalid_code) echo "   ok: Zoho answers invalid_code: the token is revoked" ;;
MINTED) fail "the old refresh token still mints access tokens: destroy did not revoke it" ;;
*) fail "unexpected answer to the refresh: error $refresh_error" ;;
esac

# ---------------------------------------------------------------------------
step "Stopping the emulator"
kill "$emulator_pid"
wait "$emulator_pid" 2>/dev/null || true
emulator_pid=""

printf '\n%sDemo passed in %d s.%s\n' "$bold" "$(($(date +%s) - started))" "$plain"
