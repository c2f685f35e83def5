#!/usr/bin/env bash
# Usage: scripts/dev-provider.sh DIR [schema]
#
# Builds the provider into DIR and writes DIR/dev.tfrc, a CLI configuration
# whose dev_overrides (registry.terraform.io/cd40c554/zoho for Terraform,
# registry.opentofu.org/cd40c554/zoho for OpenTofu) point at DIR: with
# TF_CLI_CONFIG_FILE=DIR/dev.tfrc the CLIs use this build without `init`
# (none is possible offline). Other providers install as usual.
#
# With "schema", also writes DIR/schema.json for tfplugindocs (go generate,
# see main.go): `tofu providers schema -json` under those overrides, the
# provider's key renamed to "zoho", the name tfplugindocs looks up. Given a
# schema file, tfplugindocs neither builds the provider nor downloads
# Terraform.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:?usage: scripts/dev-provider.sh DIR [schema]}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

go -C "$root" build -o "$dir/terraform-provider-zoho" .
cat >"$dir/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "registry.terraform.io/cd40c554/zoho" = "$dir"
    "registry.opentofu.org/cd40c554/zoho" = "$dir"
  }
  direct {}
}
TFRC
[ "${2:-}" = schema ] || exit 0

tofu=$("$root/scripts/tool.sh" tofu)
mkdir -p "$dir/schema"
printf 'terraform {\n  required_providers {\n    zoho = { source = "cd40c554/zoho" }\n  }\n}\n' >"$dir/schema/main.tf"
(cd "$dir/schema" && TF_CLI_CONFIG_FILE="$dir/dev.tfrc" CHECKPOINT_DISABLE=1 "$tofu" providers schema -json) >"$dir/schema.tofu.json"
key='"registry.opentofu.org/cd40c554/zoho"'
if ! grep -q "$key" "$dir/schema.tofu.json"; then
	echo "dev-provider.sh: tofu printed no schema for $key" >&2
	exit 1
fi
sed "s|$key|\"zoho\"|" "$dir/schema.tofu.json" >"$dir/schema.json"
