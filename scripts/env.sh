# shellcheck shell=bash
# Sourced (`. scripts/env.sh`) by the scripts and make targets that run a
# CLI or the tests: the one place where their environment is set.
#
# The environment trap: these machines export TF_CLI_CONFIG_FILE naming a
# missing file, and the CLIs then print a warning on stdout (which
# terraform-plugin-testing fails to parse): an empty configuration instead.
# No call to checkpoint.hashicorp.com, nothing that would make
# terraform-plugin-testing download a CLI (TF_ACC_TERRAFORM_VERSION), and
# no acceptance setting of the caller's: the functions below set them.
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1
unset TF_ACC TF_ACC_TERRAFORM_PATH TF_ACC_TERRAFORM_VERSION TF_ACC_PROVIDER_HOST TF_ACC_PROVIDER_NAMESPACE

# cli_env CLI: what terraform-plugin-testing needs to run CLI, a tofu or
# terraform binary, even in unit tests (resource.UnitTest would otherwise
# look for a CLI to download): its path, and the registry host and
# namespace it serves the providers under (the tests require them as
# cd40c554/NAME, which OpenTofu resolves at registry.opentofu.org).
cli_env() {
	local version
	version=$("$1" version) || return
	export TF_ACC_TERRAFORM_PATH=$1 TF_ACC_PROVIDER_NAMESPACE=cd40c554 TF_ACC_PROVIDER_HOST=registry.terraform.io
	if [[ $version == OpenTofu* ]]; then
		export TF_ACC_PROVIDER_HOST=registry.opentofu.org
	fi
}

# acc_env CLI: cli_env, and the acceptance tests on.
acc_env() {
	cli_env "$1" && export TF_ACC=1
}

# stores_env: the servers of the shared token cache tests, built or
# installed by scripts/tool.sh the first time: SeaweedFS (S3),
# fake-gcs-server (GCS) and Azurite (Azure Blob). A test whose server is
# not named skips.
stores_env() {
	local tool
	tool="$(dirname "${BASH_SOURCE[0]}")/tool.sh"
	ZOHO_TEST_WEED=$("$tool" weed) &&
		ZOHO_TEST_FAKEGCS=$("$tool" fakegcs) &&
		ZOHO_TEST_AZURITE=$("$tool" azurite) &&
		export ZOHO_TEST_WEED ZOHO_TEST_FAKEGCS ZOHO_TEST_AZURITE
}
