package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// TestAccLogs_traceHoldsNoSecrets proves that a user who runs apply and
// destroy with TF_LOG=trace gets logs holding no secret: not the client
// secret, not the grant code, not the refresh token, not any access token
// Zoho minted, neither in the CLI's output nor in its trace log, which also
// carries every log line of the provider process.
//
// terraform-plugin-testing runs the provider in-process, where its logs are
// hard to capture, so this test does what a user does: it builds the
// provider binary, points the real CLI (TF_ACC_TERRAFORM_PATH) at it with
// development overrides (no init, which needs the network), and runs it
// against an emulated Zoho, the grant code coming through an ephemeral
// variable and the credentials through ZOHO_* variables.
func TestAccLogs_traceHoldsNoSecrets(t *testing.T) {
	ctx, cli, pluginDir := cliUnderTest(t, 11, "write-only arguments")
	work := t.TempDir()
	cliConfig := logsDevOverrides(t, work, pluginDir)
	logsWriteFile(t, filepath.Join(work, "main.tf"), `
terraform {
  required_providers {
    zoho = { source = "cd40c554/zoho" }
  }
}

provider "zoho" {}

variable "grant_code" {
  type      = string
  ephemeral = true
}

resource "zoho_oauth_refresh_token" "t" {
  grant_code_wo         = var.grant_code
  grant_code_wo_version = 1
}

# An access token minted at apply and handed to a provisioner: it must not
# show up in any log either.
ephemeral "zoho_oauth_access_token" "t" {
  refresh_token = zoho_oauth_refresh_token.t.refresh_token
}

resource "terraform_data" "call" {
  provisioner "local-exec" {
    command = "test -n \"$ZOHO_AUTHORIZATION\""
    environment = {
      ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.t.authorization_header
    }
  }
}
`)

	emu := zohotest.New(zohotest.Options{})
	url := emu.StartServer(t, "us")
	client := emu.RegisterClient(zohotest.Client{DC: "us"})
	code, err := emu.IssueGrantCode(client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.modules.ALL"}})
	if err != nil {
		t.Fatal(err)
	}
	env := logsCLIEnv(map[string]string{
		"TF_CLI_CONFIG_FILE": cliConfig,
		"TF_LOG":             "trace",
		"TF_IN_AUTOMATION":   "1",
		"CHECKPOINT_DISABLE": "1", // no version check over the network
		"TF_VAR_grant_code":  code,
		envAccountsURL:       url,
		envClientID:          client.ID,
		envClientSecret:      client.Secret,
	})

	// run returns everything the command printed plus its TF_LOG_PATH file.
	run := func(command string) string {
		logPath := filepath.Join(work, command+".log")
		cmd := exec.CommandContext(ctx, cli, command, "-auto-approve", "-input=false", "-no-color")
		cmd.Dir, cmd.Env = work, append(env, "TF_LOG_PATH="+logPath)
		out, err := cmd.CombinedOutput()
		logFile, _ := os.ReadFile(logPath)
		captured := string(out) + "\n" + string(logFile)
		if err != nil {
			t.Fatalf("%s %s failed: %v\n%s", filepath.Base(cli), command, err, logsTail(logsRedact(captured, code, client.Secret), 60))
		}
		return captured
	}

	applyLog := run("apply")
	refresh := logsRefreshTokenInState(t, filepath.Join(work, "terraform.tfstate"))
	if !emu.RefreshTokenLive(refresh) {
		t.Fatal("apply succeeded, yet the refresh token in state is not live at the emulator")
	}
	if !zohoSecretShape.MatchString(refresh) {
		t.Fatal("the refresh token does not have Zoho's token shape, so the shape check below would prove nothing")
	}
	if emu.MintsFor(refresh) == 0 {
		t.Fatal("no access token was minted from the refresh token, so the access-token checks below would prove nothing")
	}
	destroyLog := run("destroy")
	if emu.RefreshTokenLive(refresh) {
		t.Error("destroy succeeded, yet the refresh token is still live at the emulator")
	}

	secrets := map[string]string{"client secret": client.Secret, "grant code": code, "refresh token": refresh}
	for command, captured := range map[string]string{"apply": applyLog, "destroy": destroyLog} {
		// Proof that the provider's own log lines were captured at all, and at
		// trace level (the HTTP lines are debug lines of the oauth subsystem).
		for _, want := range []string{map[string]string{"apply": "created Zoho refresh token", "destroy": "revoked Zoho refresh token"}[command], "sending request to Zoho Accounts", "@module=zoho.oauth"} {
			if !strings.Contains(captured, want) {
				t.Errorf("%s: the captured logs lack %q: the provider's logs were not captured, so the checks below prove nothing", command, want)
			}
		}
		for name, secret := range secrets {
			if strings.Contains(captured, secret) {
				t.Errorf("%s: the %s (fingerprint %s) appears in the logs, e.g.:\n%s", command, name, zoho.Fingerprint(secret), logsLeakLines(captured, secret, secrets))
			}
		}
		seen := map[string]bool{code: true, refresh: true} // reported above by name
		for _, m := range zohoSecretShape.FindAllString(captured, -1) {
			if seen[m] {
				continue
			}
			seen[m] = true
			t.Errorf("%s: a value shaped like a Zoho token (fingerprint %s) appears in the logs, e.g.:\n%s", command, zoho.Fingerprint(m), logsLeakLines(captured, m, secrets))
		}
	}
}

// cliUnderTest is the preamble of every test that runs the CLI as a user
// does: it skips unless TF_ACC is set, checks the CLI (TF_ACC_TERRAFORM_PATH)
// has the feature (Terraform or OpenTofu 1.minMinor, or later where that CLI
// gained a known feature later: cliFeatureNamed), and builds the provider
// into a plugin directory.
func cliUnderTest(t *testing.T, minMinor int, feature string) (context.Context, string, string) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 and TF_ACC_TERRAFORM_PATH=<terraform or tofu binary> to run the CLI end to end")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Fatal("TF_ACC is set but TF_ACC_TERRAFORM_PATH is not: name the terraform or tofu binary to run")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	skipWithout(t, cliFeatureNamed(feature, minMinor))
	pluginDir := t.TempDir()
	buildProvider(ctx, t, filepath.Join(pluginDir, "terraform-provider-zoho"))
	return ctx, cli, pluginDir
}

// logsDevOverrides writes a CLI configuration that takes the provider from
// pluginDir under both registries' addresses, and returns its path.
func logsDevOverrides(t *testing.T, work, pluginDir string) string {
	path := filepath.Join(work, "dev.tfrc")
	logsWriteFile(t, path, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/cd40c554/zoho"  = %[1]q
    "registry.opentofu.org/cd40c554/zoho" = %[1]q
  }
  direct {}
}
`, pluginDir))
	return path
}

// logsCLIEnv is this process's environment without any TF_* or ZOHO_* variable
// (the caller's TF_LOG or TF_CLI_CONFIG_FILE must not leak in), plus extra.
func logsCLIEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "ZOHO_") && !strings.HasPrefix(kv, "CHECKPOINT_") {
			env = append(env, kv)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// refreshTokensInState reads the zoho_oauth_refresh_token instances of a
// state file: their refresh tokens by resource name, in instance order.
func refreshTokensInState(t *testing.T, path string) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				Attributes struct {
					RefreshToken string `json:"refresh_token"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	tokens := map[string][]string{}
	for _, r := range state.Resources {
		if r.Type != "zoho_oauth_refresh_token" {
			continue
		}
		for _, inst := range r.Instances {
			tokens[r.Name] = append(tokens[r.Name], inst.Attributes.RefreshToken)
		}
	}
	return tokens
}

// logsRefreshTokenInState is the refresh token of a state holding exactly one.
func logsRefreshTokenInState(t *testing.T, path string) string {
	t.Helper()
	tokens := refreshTokensInState(t, path)
	for _, list := range tokens {
		if len(tokens) == 1 && len(list) == 1 {
			return list[0]
		}
	}
	t.Fatalf("state holds %d zoho_oauth_refresh_token resources, want one with one instance", len(tokens))
	return ""
}

// logsLeakLines shows up to three log lines holding leaked, with every known
// secret (and every token-shaped value) replaced by its name, so a failure
// tells where the leak is without printing any secret.
func logsLeakLines(captured, leaked string, secrets map[string]string) string {
	var lines []string
	for _, line := range strings.Split(captured, "\n") {
		if strings.Contains(line, leaked) && len(lines) < 3 {
			lines = append(lines, "  "+logsRedactNamed(line, secrets))
		}
	}
	return strings.Join(lines, "\n")
}

func logsRedactNamed(s string, secrets map[string]string) string {
	for name, secret := range secrets {
		s = strings.ReplaceAll(s, secret, "<"+name+">")
	}
	return zohoSecretShape.ReplaceAllStringFunc(s, func(m string) string { return "<token " + zoho.Fingerprint(m) + ">" })
}

func logsRedact(s string, secrets ...string) string {
	named := map[string]string{}
	for i, secret := range secrets {
		named[fmt.Sprintf("secret %d", i+1)] = secret
	}
	return logsRedactNamed(s, named)
}

func logsTail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func logsWriteFile(t *testing.T, path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
