package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// proxyFrom is a zoho_api_proxy "p" from a refresh token.
func proxyFrom(refresh string, extra ...string) string {
	return fmt.Sprintf(`
ephemeral "zoho_api_proxy" "p" {
  refresh_token = %q
  %s
}
`, refresh, strings.Join(extra, "\n  "))
}

// A provisioner calls the API through the proxy with no token of its own:
// the proxy's URL goes to the emulator's API (the token's api_domain), and
// the result is the URL and the upstream, nothing of a token.
func TestAccAPIProxy_provisionerCallsTheAPIWithoutAToken(t *testing.T) {
	e := newTestEnv(t)
	e.emu.SetAPIDomain("us", e.usURL)
	refresh := e.refreshToken()
	out := filepath.Join(t.TempDir(), "api-answer.json")
	cfg := e.providerConfig() + proxyFrom(refresh) + fmt.Sprintf(`
provider "echo" {
  data = ephemeral.zoho_api_proxy.p
}

resource "echo" "t" {}

resource "terraform_data" "call" {
  provisioner "local-exec" {
    command     = "curl --silent --show-error --fail \"$${ZOHO_API}crm/v8/users?type=CurrentUser\" > %s"
    environment = { ZOHO_API = ephemeral.zoho_api_proxy.p.url }
  }
}
`, out)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", echoed("url"), knownvalue.StringRegexp(regexp.MustCompile(`^http://127\.0\.0\.1:\d+/[0-9a-f]{32}/$`))),
				statecheck.ExpectKnownValue("echo.t", echoed("upstream"), knownvalue.StringExact(e.usURL)),
			},
			Check: func(s *terraform.State) error {
				answer, err := os.ReadFile(out)
				if err != nil {
					return fmt.Errorf("the provisioner's call got no answer: %w", err)
				}
				if !strings.Contains(string(answer), `"users"`) {
					return fmt.Errorf("the API answered %q, want the current user", answer)
				}
				if n := e.emu.Counters().APICalls; n < 1 {
					return fmt.Errorf("the emulator's API saw %d calls", n)
				}
				return nil
			},
		}},
	})
}

// Callers of the proxy at once: 8 curls of 25 calls each, all answered.
// Every request logs a line with the Open's logger, which masks secrets;
// tflog masks a line's fields in place in its logger's own field map, so
// requests logging with one shared logger wrote one map from several
// goroutines, and the provider died ("concurrent map iteration and map
// write", found by bench/cli -proxy). go test -race sees it at once.
func TestAccAPIProxy_concurrentCallers(t *testing.T) {
	e := newTestEnv(t)
	e.emu.SetAPIDomain("us", e.usURL)
	refresh := e.refreshToken()
	dir := t.TempDir()
	script := filepath.Join(dir, "calls.sh")
	if err := os.WriteFile(script, []byte(`#!/bin/sh
cd "$(dirname "$0")"
for i in 1 2 3 4 5 6 7 8; do
	curl -s -w '%{stderr}%{http_code}\n' "${ZOHO_API}crm/v8/users?type=CurrentUser&call=[1-25]" >/dev/null 2>"codes.$i" &
done
wait
cat codes.* >codes
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := e.providerConfig() + proxyFrom(refresh) + fmt.Sprintf(`
resource "terraform_data" "calls" {
  provisioner "local-exec" {
    command     = "sh %s"
    environment = { ZOHO_API = ephemeral.zoho_api_proxy.p.url, NO_PROXY = "127.0.0.1", no_proxy = "127.0.0.1" }
  }
}
`, script)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(*terraform.State) error {
				raw, err := os.ReadFile(filepath.Join(dir, "codes"))
				if err != nil {
					return err
				}
				codes := strings.Fields(string(raw))
				ok := 0
				for _, c := range codes {
					if c == "200" {
						ok++
					}
				}
				if len(codes) != 8*25 || ok != len(codes) {
					return fmt.Errorf("%d of %d calls answered 200, want all of %d", ok, len(codes), 8*25)
				}
				return nil
			},
		}},
	})
}

// upstream must be a Zoho API of the token's data center, or loopback: a
// host under no Zoho domain is refused when the configuration is read, and
// one of another data center when the token's is known (at open).
func TestAccAPIProxy_upstreamIsAZohoAPI(t *testing.T) {
	e := newTestEnv(t)
	e.emu.SetAPIDomain("us", e.usURL)
	refresh := e.refreshToken()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{
			{
				Config:      e.providerConfig() + proxyFrom(refresh, `upstream = "https://collector.example.com"`),
				ExpectError: errorText("Invalid Zoho API Proxy Upstream", "collector.example.com", "not a Zoho host", "upstream"),
			},
			{
				Config:      e.providerConfig() + proxyFrom(refresh, `upstream = "https://www.zohoapis.eu"`, `data_center = "us"`),
				ExpectError: errorText("Invalid Zoho API Proxy Upstream", "www.zohoapis.eu", "not a Zoho host"),
			},
			{
				// Acceptable for some data center, not for this token's
				// accounts server (the emulator, on loopback).
				Config:      e.providerConfig() + proxyFrom(refresh, `upstream = "https://www.zohoapis.eu"`),
				ExpectError: errorText("Invalid Zoho API Proxy Upstream", "only http or https on a loopback host"),
			},
			{
				Config:      e.providerConfig() + proxyFrom(refresh, `upstream = "http://user:pw@127.0.0.1:1"`),
				ExpectError: errorText("Invalid Zoho API Proxy Upstream", "user name or password"),
			},
		},
	})
}

// The proxy's result holds no token, and its URL, a capability while the
// run lasts, is sensitive.
func TestAPIProxy_schemaHoldsNoToken(t *testing.T) {
	var resp ephemeral.SchemaResponse
	newAPIProxyEphemeral().Schema(context.Background(), ephemeral.SchemaRequest{}, &resp)
	for name, a := range resp.Schema.Attributes {
		if a.IsComputed() && !a.IsOptional() && name != "url" {
			t.Errorf("result attribute %q: the proxy's only result is url", name)
		}
	}
	if url, ok := resp.Schema.Attributes["url"]; !ok || !url.IsSensitive() {
		t.Error("url is missing or not sensitive")
	}
}
