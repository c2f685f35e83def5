#!/bin/sh
# Step 1 of a CI pipeline job: plan, and save the plan for the apply step,
# which may run on another runner. github-actions.yml and gitlab-ci.yml run
# it; the CI system sets the environment from its secret store and variables:
#   ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET   secrets
#   TF_VAR_zoho_refresh_token           secret (the bootstrap's output)
#   ZOHO_DATA_CENTER                    variable (eu, in... default us)
#   ZOHO_TOKEN_CACHE_URL                variable: one prefix for every job,
#                                       such as s3://ci-cache/zoho-tokens?region=eu-west-1
# and the runner's cloud identity grants access to that prefix (no key in
# the URL). CLI names tofu or terraform (default tofu).
set -eu
cli=${CLI:-tofu}

# Private to this runner: the apply on the same runner would find the plan's
# token here without asking the store; on another runner, the store serves.
export ZOHO_TOKEN_CACHE_DIR="${ZOHO_TOKEN_CACHE_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/zoho-token-cache}"

"$cli" init -input=false
"$cli" plan -input=false -out=tfplan
