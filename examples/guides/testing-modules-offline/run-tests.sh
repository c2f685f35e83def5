#!/usr/bin/env bash
# Runs this module's tests (tests/*.tftest.hcl) offline, from this directory,
# against the Zoho emulator: zoho-emulator (published with each release of the
# provider), curl and jq on PATH. With Terraform, type terraform for tofu.
set -euo pipefail

# The emulator listens on a free loopback port and writes its address and
# Self Client to a state file (mode 0600) once it accepts requests.
state_dir=$(mktemp -d)
zoho-emulator -state-file "$state_dir/emulator.json" 2>"$state_dir/emulator.log" &
emulator=$!
trap 'kill "$emulator"; rm -rf "$state_dir"' EXIT
for _ in $(seq 100); do
	[ -s "$state_dir/emulator.json" ] && break
	sleep 0.1
done
ZOHO_ACCOUNTS_URL=$(jq -r .accounts_url "$state_dir/emulator.json")
ZOHO_CLIENT_ID=$(jq -r .client_id "$state_dir/emulator.json")
ZOHO_CLIENT_SECRET=$(jq -r .client_secret "$state_dir/emulator.json")
export ZOHO_ACCOUNTS_URL ZOHO_CLIENT_ID ZOHO_CLIENT_SECRET

# The API Console's "Generate Code", emulated: one code per refresh token the
# tests create (the second with one more scope), valid 10 minutes, in a
# variables file private to this run (second_grant_code is no variable of the
# module, so TF_VAR_second_grant_code would not be read as a string).
grant_code() {
	curl --silent --show-error --fail -X POST "$ZOHO_ACCOUNTS_URL/_emulator/self-client/code" \
		--data-urlencode "client_id=$ZOHO_CLIENT_ID" \
		--data-urlencode "client_secret=$ZOHO_CLIENT_SECRET" \
		--data-urlencode "scope=$1" \
		--data-urlencode "expiry_minutes=10" | jq -r .code
}
printf 'grant_code        = "%s"\nsecond_grant_code = "%s"\n' \
	"$(grant_code ZohoCRM.users.READ)" "$(grant_code ZohoCRM.users.READ,ZohoCRM.modules.ALL)" >"$state_dir/codes.tfvars"

tofu init
tofu test -var-file="$state_dir/codes.tfvars"
