// Command terraform-provider-zoho serves the Zoho provider to Terraform and
// OpenTofu over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/cd40c554/terraform-provider-zoho/internal/provider"
)

// The docs: `go generate ./...` (make docs) renders docs/ from templates/,
// examples/ and the schema that tofu exports under dev_overrides (so
// tfplugindocs downloads nothing), then validates them; make docs-check fails
// when that changes docs/.
//go:generate go run ./internal/cmd/gen-troubleshooting
//go:generate go run ./internal/cmd/dev-provider -schema bin/docs
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
	quietUnlessLogging(os.Environ(), os.Setenv)

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/cd40c554/zoho",
		Debug:   debug,
	})
	if err != nil {
		log.Fatalf("terraform-provider-zoho %s (%s): %v", version, commit, err)
	}
}

// quietUnlessLogging turns the plugin SDK's and the provider's logs off when
// the CLI that started this process logs nothing (no TF_LOG* variable in the
// environment it passed on). The SDK's loggers default to TRACE: every RPC
// would be formatted as JSON, with its caller, and written to stderr, only
// for the CLI to drop it. That was 40 % of the provider's CPU in a plan of
// 1000 resources (BENCHMARKS.md). With any TF_LOG* variable set, nothing
// changes.
func quietUnlessLogging(environ []string, setenv func(key, value string) error) {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	for _, name := range []string{"TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		_ = setenv(name, "off") // os.Setenv fails only on an invalid name
	}
}
