package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The configurations the bench plans and applies; %d is N.
const (
	zohoProviderBlock = `terraform {
  required_providers {
    zoho = { source = "cd40c554/zoho" }
  }
}

provider "zoho" {}
`
	floorProviderBlock = `terraform {
  required_providers {
    floor = { source = "bench/floor" }
  }
}
`

	// The grant codes come from a var file given to apply only: plan and
	// destroy see no code, as with an imported token, and plan no change.
	refreshTokensConfig = zohoProviderBlock + `
variable "codes" {
  type      = list(string)
  sensitive = true
  ephemeral = true
  default   = null
}

resource "zoho_oauth_refresh_token" "bench" {
  count                 = %d
  grant_code_wo         = var.codes == null ? null : var.codes[count.index]
  grant_code_wo_version = 1
}
`
	terraformDataConfig = `resource "terraform_data" "bench" {
  count = %d
  input = count.index
}
`
	floorResourceConfig = floorProviderBlock + `
resource "floor_noop" "bench" {
  count = %d
  input = count.index
}
`
	accessTokensConfig = zohoProviderBlock + `
variable "refresh_tokens" {
  type      = list(string)
  sensitive = true
}

ephemeral "zoho_oauth_access_token" "bench" {
  count         = %d
  refresh_token = var.refresh_tokens[count.index %% length(var.refresh_tokens)]
}
`
	floorEphemeralConfig = floorProviderBlock + `
ephemeral "floor_noop" "bench" {
  count = %d
  input = count.index
}
`
	emptyConfig = "terraform {}\n"
)

// writeConfig makes dir with main.tf (template applied to n) and, when vars
// is not nil, terraform.tfvars.json holding them (mode 0600: tokens).
func writeConfig(dir, template string, n int, vars map[string]any) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	text := template
	if n >= 0 {
		text = fmt.Sprintf(template, n)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o600); err != nil {
		return err
	}
	if vars == nil {
		return nil
	}
	return writeVarFile(filepath.Join(dir, "terraform.tfvars.json"), vars)
}

func writeVarFile(path string, vars map[string]any) error {
	data, err := json.Marshal(vars)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
