#!/usr/bin/env bash
# A CI job step (GitHub Actions, GitLab CI, Jenkins...). The CI system injects
# the client secret from its secret store; nothing here is secret.
set -euo pipefail

export ZOHO_CLIENT_ID="$CI_ZOHO_CLIENT_ID"         # from the CI secret store
export ZOHO_CLIENT_SECRET="$CI_ZOHO_CLIENT_SECRET" # from the CI secret store
export ZOHO_DATA_CENTER=eu

# Private to this job (mode 0700, created if missing), and gone with it.
# Plan and apply share the access token through it.
export ZOHO_TOKEN_CACHE_DIR="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/zoho-token-cache"

tofu init -input=false
tofu plan -input=false -out plan
tofu apply -input=false plan
