#!/bin/sh
# Step 2 of a CI pipeline job: apply the plan that plan.sh saved (the CI
# system brings tfplan and .terraform.lock.hcl over from the plan step), with
# the same environment as plan.sh.
set -eu
cli=${CLI:-tofu}
export ZOHO_TOKEN_CACHE_DIR="${ZOHO_TOKEN_CACHE_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/zoho-token-cache}"

"$cli" init -input=false
"$cli" apply -input=false tfplan
