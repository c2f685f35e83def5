// Command provider-schema writes the provider's schema for tfplugindocs
// (go generate: see main.go). It builds the provider beside the output
// file, installs it for OpenTofu (scripts/tool.sh tofu) through development
// overrides, and writes what `tofu providers schema -json` prints, the
// provider's key renamed to "zoho", the name tfplugindocs looks up. Given a
// schema file, tfplugindocs neither builds the provider nor downloads
// Terraform.
//
//	go run ./internal/cmd/provider-schema -o bin/docs/schema.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

func main() {
	out := flag.String("o", "bin/docs/schema.json", "the schema file to write; the provider is built into its directory")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := write(ctx, *out)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "provider-schema:", err)
		os.Exit(1)
	}
}

// requiredZoho is the configuration the schema is asked of.
const requiredZoho = `terraform {
  required_providers {
    zoho = { source = "` + clitest.ProviderSource + `" }
  }
}
`

func write(ctx context.Context, out string) error {
	dir, err := filepath.Abs(filepath.Dir(out))
	if err != nil {
		return err
	}
	_, cliConfig, err := clitest.DevProvider(ctx, dir)
	if err != nil {
		return err
	}
	tofu, err := clitest.Tool(ctx, "tofu")
	if err != nil {
		return err
	}
	work := filepath.Join(dir, "schema")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(requiredZoho), 0o644); err != nil {
		return err
	}
	printed, err := clitest.Output(ctx, work, clitest.Env(cliConfig, nil), tofu, "providers", "schema", "-json")
	if err != nil {
		return err
	}
	schema, err := renameProvider([]byte(printed), clitest.OpenTofuRegistry+"/"+clitest.ProviderSource, "zoho")
	if err != nil {
		return err
	}
	return os.WriteFile(out, schema, 0o644)
}

// renameProvider renames the provider from its address to name in a
// `providers schema -json` document, keeping the rest as printed.
func renameProvider(doc []byte, address, name string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, fmt.Errorf("tofu providers schema -json: %w", err)
	}
	var providers map[string]json.RawMessage
	if err := json.Unmarshal(top["provider_schemas"], &providers); err != nil {
		return nil, fmt.Errorf("tofu providers schema -json: provider_schemas: %w", err)
	}
	schema, ok := providers[address]
	if !ok {
		return nil, errors.New("tofu printed no schema for " + address)
	}
	delete(providers, address)
	providers[name] = schema
	var err error
	if top["provider_schemas"], err = json.Marshal(providers); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}
