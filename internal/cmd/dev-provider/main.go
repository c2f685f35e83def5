// Command dev-provider builds the provider into DIR and writes DIR/dev.tfrc,
// a CLI configuration whose development overrides (under both registries'
// addresses) take it from there: with TF_CLI_CONFIG_FILE=DIR/dev.tfrc, tofu
// and terraform use this build without `init` (none is possible offline).
// Other providers install as usual.
//
// With -schema it also writes DIR/schema.json for tfplugindocs (go
// generate: see main.go): what `tofu providers schema -json` prints under
// those overrides (tofu from scripts/tool.sh), the provider's key renamed to
// "zoho", the name tfplugindocs looks up. Given a schema file, tfplugindocs
// neither builds the provider nor downloads Terraform.
//
//	go run ./internal/cmd/dev-provider [-schema] DIR
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
	schema := flag.Bool("schema", false, "also write DIR/schema.json, the provider's schema for tfplugindocs")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./internal/cmd/dev-provider [-schema] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, flag.Arg(0), *schema)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dev-provider:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string, schema bool) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	_, cliConfig, err := clitest.DevProvider(ctx, dir)
	if err != nil || !schema {
		return err
	}
	return writeSchema(ctx, dir, cliConfig)
}

// requiredZoho is the configuration the schema is asked of.
const requiredZoho = `terraform {
  required_providers {
    zoho = { source = "` + clitest.ProviderSource + `" }
  }
}
`

func writeSchema(ctx context.Context, dir, cliConfig string) error {
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
	return os.WriteFile(filepath.Join(dir, "schema.json"), schema, 0o644)
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
