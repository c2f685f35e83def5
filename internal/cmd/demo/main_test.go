package main

import (
	"slices"
	"testing"
)

func TestTrimOutput(t *testing.T) {
	out := `╷
│ Warning: Provider development overrides are in effect
│
│ The following provider development overrides are set in the CLI
│ configuration:
│  - cd40c554/zoho in /repo/bin/demo
│
│ The behavior may therefore not match any released version of the provider
│ and applying changes may cause the state to become incompatible with
│ published releases.
╵
zoho_oauth_refresh_token.demo: Refreshing state... [id=fed81ddffdf666f2]

Terraform used the selected providers to generate the following execution
plan. Resource actions are indicated with the following symbols:
  - destroy

Plan: 0 to add, 0 to change, 1 to destroy.
zoho_oauth_refresh_token.demo: Destroying... [id=fed81ddffdf666f2]
zoho_oauth_refresh_token.demo: Destruction complete after 0s

Destroy complete! Resources: 1 destroyed.
`
	brief := []string{
		"zoho_oauth_refresh_token.demo: Refreshing state... [id=fed81ddffdf666f2]",
		"Plan: 0 to add, 0 to change, 1 to destroy.",
		"zoho_oauth_refresh_token.demo: Destroying... [id=fed81ddffdf666f2]",
		"zoho_oauth_refresh_token.demo: Destruction complete after 0s",
		"Destroy complete! Resources: 1 destroyed.",
	}
	if got := trimOutput(out, true); !slices.Equal(got, brief) {
		t.Errorf("brief:\n%q\nwant\n%q", got, brief)
	}
	if got := trimOutput(out, false); len(got) != 8 || got[1] != "Terraform used the selected providers to generate the following execution" {
		t.Errorf("full: %q", got)
	}
}
