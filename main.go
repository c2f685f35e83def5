// Command terraform-provider-zoho serves the Zoho provider to Terraform and
// OpenTofu over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cd40c554/terraform-provider-zoho/internal/provider"
)

// The docs: `go generate ./...` (make docs) renders docs/ from templates/,
// examples/ and the schema that tofu exports under dev_overrides (so
// tfplugindocs downloads nothing), then validates them; make docs-check fails
// when that changes docs/.
//go:generate go run ./internal/cmd/gen-troubleshooting
//go:generate bash scripts/dev-provider.sh bin/docs schema
//go:generate go tool -modfile=tools/docs/go.mod tfplugindocs generate --provider-name zoho --providers-schema bin/docs/schema.json
//go:generate go tool -modfile=tools/docs/go.mod tfplugindocs validate --provider-name zoho --providers-schema bin/docs/schema.json

// Set by the release build (-ldflags "-X main.version=... -X main.commit=...").
var (
	version = "dev"
	commit  = "none"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/cd40c554/zoho",
		Debug:   debug,
	})
	if err != nil {
		log.Fatalf("terraform-provider-zoho %s (%s): %v", version, commit, err)
	}
}
