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
