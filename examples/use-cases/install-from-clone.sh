# Until cd40c554/zoho is published on the registries, or to try a build of
# your own: build the provider from a clone (Go 1.26 needed) and install it
# where `terraform init` and `tofu init` look first, with no CLI
# configuration (~/.terraform.d/plugins, as version 0.0.1). Other providers
# still come from their registries.
git clone https://github.com/cd40c554/terraform-provider-zoho.git
cd terraform-provider-zoho
go run ./internal/cmd/install-local
