#!/usr/bin/env bash
# Usage: scripts/changelog-check.sh     (make test; make changelog-check)
#
# CHANGELOG.md must be exactly what changie writes from .changes/ (the real
# changie, pinned in scripts/tool.sh, not a copy of its logic), and the
# unreleased entries must batch into a release: `changie batch --dry-run`,
# as the HashiCorp providers' CI runs it. The entries' own rules (a known
# kind and component, no component typed into the text) are
# internal/repocheck's cheap offline tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
changie=$(scripts/tool.sh changie)
merged=$(mktemp)
trap 'rm -f "$merged"' EXIT
"$changie" merge -u '## Unreleased' --dry-run >"$merged"
if ! diff -u CHANGELOG.md "$merged"; then
	echo "CHANGELOG.md is not what changie writes from .changes/: run npx -y changie@1.26.0 merge -u '## Unreleased' and commit it" >&2
	exit 1
fi
"$changie" batch 99.0.0 --dry-run >/dev/null
echo "CHANGELOG.md is what changie merge writes; the unreleased entries batch"
