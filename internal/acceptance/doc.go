// Package acceptance holds the black-box tests: they build the provider's
// binary and run the real CLI, tofu or terraform, as separate processes,
// the way a user or a CI job does, against the Zoho emulator and real or
// independent object stores. What terraform-plugin-testing cannot reach in
// its in-process tests (internal/provider) is tested here: the examples and
// the docs' commands end to end (init from a filesystem mirror included),
// the logs at TF_LOG=trace, bad inputs caught at the earliest command that
// can see them, Ctrl-C during an exchange, a provider built with the race
// detector, and fleets of CI jobs sharing token_cache_url.
//
// The tests see the provider only as a user does: its source address, its
// configuration and its ZOHO_* variables by their documented names. The
// harness is internal/clitest (building and installing the provider, the
// CLI's identity and features, a clean environment, running commands,
// finding secrets in what they printed); this package holds no test helper
// that clitest has.
//
// The package has no code outside its tests. TestExamples_docsShowTestedFiles
// runs always; everything else needs TF_ACC=1 and the CLI to run:
//
//	TF_ACC=1 TF_ACC_TERRAFORM_PATH=$(scripts/tool.sh tofu) \
//	  TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=cd40c554 \
//	  go test ./internal/acceptance/
//
// (or `make testacc`, which also builds the store servers: ZOHO_TEST_WEED,
// ZOHO_TEST_FAKEGCS, ZOHO_TEST_AZURITE; the shared token cache tests skip a
// store whose server is not named). Against Terraform, set
// TF_ACC_TERRAFORM_PATH to it and TF_ACC_PROVIDER_HOST=registry.terraform.io.
// A test of a feature the CLI lacks skips, naming the CLI and the feature.
package acceptance
