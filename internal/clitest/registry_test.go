package clitest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRegistryHosts(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "registry.tfrc")
	if err := RegistryHosts(cfg, "https://127.0.0.1:4443/v1/providers/"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(cfg)
	for _, want := range []string{`host "registry.terraform.io" {`, `host "registry.opentofu.org" {`, `"providers.v1" = "https://127.0.0.1:4443/v1/providers/"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("config lacks %s:\n%s", want, b)
		}
	}
}

func TestLockedProvider(t *testing.T) {
	dir := t.TempDir()
	lock := `# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/cd40c554/zoho" {
  version = "0.1.0"
  hashes = [
    "h1:abc=",
    "zh:0123",
  ]
}

provider "registry.opentofu.org/hashicorp/random" {
  version     = "3.6.0"
  constraints = "~> 3.0"
}
`
	if err := os.WriteFile(filepath.Join(dir, ".terraform.lock.hcl"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := LockedProvider(dir, "registry.opentofu.org/cd40c554/zoho")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != "0.1.0" || got.Constraints != "" || !slices.Equal(got.Hashes, []string{"h1:abc=", "zh:0123"}) {
		t.Errorf("LockedProvider = %+v", got)
	}
	if got, err := LockedProvider(dir, "registry.opentofu.org/hashicorp/random"); err != nil || got.Constraints != "~> 3.0" || got.Hashes != nil {
		t.Errorf("random: %+v, %v", got, err)
	}
	if _, err := LockedProvider(dir, "registry.terraform.io/cd40c554/zoho"); err == nil {
		t.Error("a provider the file does not record was found")
	}
}
