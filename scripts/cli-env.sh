# shellcheck shell=bash
# Source this file (". scripts/cli-env.sh") to get a sane Terraform/OpenTofu
# CLI environment.
#
# The environment trap: these machines export TF_CLI_CONFIG_FILE pointing at
# a file that does not exist. tofu and terraform then print a warning on
# stdout ("Unable to open CLI configuration file"), which breaks every
# command whose stdout is parsed (`version -json`, `providers schema -json`)
# and makes terraform-plugin-testing fail to parse the CLI version. This file
# writes a CLI configuration of its own under a temporary directory and
# points TF_CLI_CONFIG_FILE at it, whatever it was before.
#
# After sourcing:
#   ZOHO_CLI_DIR        temporary directory holding the CLI config files
#   TF_CLI_CONFIG_FILE  $ZOHO_CLI_DIR/cli.tfrc (an empty, valid CLI config)
#   CHECKPOINT_DISABLE  1 (no version/alert calls to checkpoint.hashicorp.com)
#
# Functions:
#   zoho_cli_dev_overrides DIR
#       Writes $ZOHO_CLI_DIR/dev-overrides.tfrc with dev_overrides for both
#       registry.terraform.io/cd40c554/zoho (Terraform) and
#       registry.opentofu.org/cd40c554/zoho (OpenTofu) pointing at DIR,
#       which must hold a built terraform-provider-zoho binary, and points
#       TF_CLI_CONFIG_FILE at it. Other providers install as usual.
#   zoho_cli_plain
#       Points TF_CLI_CONFIG_FILE back at the plain (empty) config.
#   zoho_cli_cleanup
#       Removes $ZOHO_CLI_DIR if this file created it. Sourcing scripts call
#       it from their own EXIT trap (this file sets no trap, so it does not
#       clobber the caller's).
#
# Set ZOHO_CLI_DIR before sourcing to use (and keep) a directory of your own.

export CHECKPOINT_DISABLE=1

if [ -z "${ZOHO_CLI_DIR:-}" ]; then
	ZOHO_CLI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/zoho-cli.XXXXXX")
	_zoho_cli_dir_owned=1
else
	mkdir -p "$ZOHO_CLI_DIR"
	_zoho_cli_dir_owned=0
fi
export ZOHO_CLI_DIR

cat >"$ZOHO_CLI_DIR/cli.tfrc" <<'EOF'
# Written by scripts/cli-env.sh: an intentionally empty CLI configuration, so
# that no TF_CLI_CONFIG_FILE inherited from the environment (possibly pointing
# at a missing file) is used.
EOF
export TF_CLI_CONFIG_FILE="$ZOHO_CLI_DIR/cli.tfrc"

zoho_cli_dev_overrides() {
	local dir=${1:?usage: zoho_cli_dev_overrides DIR_WITH_PROVIDER_BINARY}
	dir=$(cd "$dir" && pwd)
	if [ ! -x "$dir/terraform-provider-zoho" ]; then
		echo "cli-env.sh: $dir/terraform-provider-zoho is missing or not executable" >&2
		return 1
	fi
	cat >"$ZOHO_CLI_DIR/dev-overrides.tfrc" <<EOF
# Written by scripts/cli-env.sh: use the locally built provider; no
# \`init\` is needed for it (and none is possible offline).
provider_installation {
  dev_overrides {
    "registry.terraform.io/cd40c554/zoho" = "$dir"
    "registry.opentofu.org/cd40c554/zoho" = "$dir"
  }
  direct {}
}
EOF
	export TF_CLI_CONFIG_FILE="$ZOHO_CLI_DIR/dev-overrides.tfrc"
}

zoho_cli_plain() {
	export TF_CLI_CONFIG_FILE="$ZOHO_CLI_DIR/cli.tfrc"
}

zoho_cli_cleanup() {
	if [ "${_zoho_cli_dir_owned:-0}" = 1 ] && [ -n "${ZOHO_CLI_DIR:-}" ]; then
		rm -rf "$ZOHO_CLI_DIR"
	fi
}
