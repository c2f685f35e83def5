package clitest

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2/hclsimple"
)

// RegistryHosts writes to configPath a CLI configuration whose host blocks
// send both registries' hostnames (registry.terraform.io for Terraform,
// registry.opentofu.org for OpenTofu) to providersURL, a provider registry
// protocol endpoint such as https://127.0.0.1:PORT/v1/providers/. The source
// address stays unchanged, and `init` installs from there exactly as from
// the public registries: it verifies the SHA256SUMS signature and the
// archive's checksum, and records both in the lock file. Every provider of
// those registries then comes from providersURL.
func RegistryHosts(configPath, providersURL string) error {
	cfg := "disable_checkpoint = true\n"
	for _, host := range []string{TerraformRegistry, OpenTofuRegistry} {
		cfg += fmt.Sprintf("\nhost %q {\n  services = {\n    \"providers.v1\" = %q\n  }\n}\n", host, providersURL)
	}
	return os.WriteFile(configPath, []byte(cfg), 0o644)
}

// Lock is what a dependency lock file (.terraform.lock.hcl) records of one
// provider.
type Lock struct {
	Version     string
	Constraints string
	Hashes      []string // "h1:..." and "zh:..."
}

// LockedProvider reads the lock file in dir and returns what it records of
// the provider address (e.g. registry.opentofu.org/cd40c554/zoho).
func LockedProvider(dir, address string) (Lock, error) {
	var file struct {
		Providers []struct {
			Address     string   `hcl:"address,label"`
			Version     string   `hcl:"version"`
			Constraints *string  `hcl:"constraints"`
			Hashes      []string `hcl:"hashes,optional"`
		} `hcl:"provider,block"`
	}
	path := filepath.Join(dir, ".terraform.lock.hcl")
	if err := hclsimple.DecodeFile(path, nil, &file); err != nil {
		return Lock{}, err
	}
	for _, p := range file.Providers {
		if p.Address == address {
			l := Lock{Version: p.Version, Hashes: p.Hashes}
			if p.Constraints != nil {
				l.Constraints = *p.Constraints
			}
			return l, nil
		}
	}
	return Lock{}, fmt.Errorf("%s records no provider %s", path, address)
}
