#!/usr/bin/env bash
# One job of the fleet (GitHub Actions, GitLab CI, Atlantis...). The CI system
# injects the secrets from its secret store; nothing here is secret.
set -euo pipefail

export ZOHO_CLIENT_ID="$CI_ZOHO_CLIENT_ID"                       # from the CI secret store
export ZOHO_CLIENT_SECRET="$CI_ZOHO_CLIENT_SECRET"               # from the CI secret store
export TF_VAR_zoho_refresh_token="$CI_ZOHO_REFRESH_TOKEN"        # from the CI secret store
export ZOHO_DATA_CENTER=eu

# One prefix for every job of the fleet, for example
#   s3://ci-cache/zoho-tokens?region=eu-west-1
#   gs://ci-cache/zoho-tokens
#   azblob://ci-cache/zoho-tokens?storage_account=ourci
# The runner's own cloud identity (an instance role, workload identity, the
# AWS_* / GOOGLE_* / AZURE_* variables) grants access: no key in the URL.
export ZOHO_TOKEN_CACHE_URL="$CI_ZOHO_TOKEN_CACHE_URL"

# Private to this job: the apply finds the plan's token here, without asking
# the store again.
export ZOHO_TOKEN_CACHE_DIR="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/zoho-token-cache"

tofu init -input=false
tofu plan -input=false -out plan
tofu apply -input=false plan
