package provider

// What the tests that run the CLI as a user does share: the CLI and its
// features (cli_versions_test.go), the provider built into a plugin
// directory, a CLI configuration that installs it, a clean environment, and
// readers of what the CLI left behind, which name secrets rather than show
// them. terraform-plugin-testing runs the provider in-process, where its
// logs, its interruption or its builds with the race detector are out of
// reach; these tests run `tofu` or `terraform` (TF_ACC_TERRAFORM_PATH)
// against an emulated Zoho instead.

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
)

// cliUnderTest is the preamble of every test that runs the CLI as a user
// does: it skips unless TF_ACC is set, checks the CLI (TF_ACC_TERRAFORM_PATH)
// has the feature (Terraform or OpenTofu 1.minMinor, or later where that CLI
// gained a known feature later: cliFeatureNamed), and builds the provider
// into a plugin directory, with extra go build flags if given.
func cliUnderTest(t *testing.T, minMinor int, feature string, buildFlags ...string) (context.Context, string, string) {
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
	buildProvider(ctx, t, filepath.Join(pluginDir, "terraform-provider-zoho"), buildFlags...)
	return ctx, cli, pluginDir
}

// buildProvider builds the repository's main package, as a release would,
// with extra go build flags (such as -race).
func buildProvider(ctx context.Context, t *testing.T, out string, flags ...string) {
	args := append(append([]string{"build"}, flags...), "-o", out, "github.com/cd40c554/terraform-provider-zoho")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = repoRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
}

func repoRoot(t *testing.T) string {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(gomod)))
}

// cliDevOverrides writes a CLI configuration that takes the provider from
// pluginDir under both registries' addresses, and returns its path.
func cliDevOverrides(t *testing.T, work, pluginDir string) string {
	path := filepath.Join(work, "dev.tfrc")
	writeFile(t, path, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/cd40c554/zoho"  = %[1]q
    "registry.opentofu.org/cd40c554/zoho" = %[1]q
  }
  direct {}
}
`, pluginDir))
	return path
}

// cliEnv is the environment of a CLI process: this process's, without any
// TF_*, ZOHO_* or CHECKPOINT_* variable (the caller's TF_LOG or
// TF_CLI_CONFIG_FILE must not leak in), then the CLI configuration
// cliConfig, no network version check and TF_IN_AUTOMATION as in CI, then
// vars.
func cliEnv(cliConfig string, vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "ZOHO_") && !strings.HasPrefix(kv, "CHECKPOINT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

func writeFile(t *testing.T, path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
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

// refreshTokenInState is the refresh token of a state holding exactly one.
func refreshTokenInState(t *testing.T, path string) string {
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

// leakLines shows up to three lines of captured holding leaked, with every
// known secret (and every token-shaped value) replaced by its name, so a
// failure tells where the leak is without printing any secret.
func leakLines(captured, leaked string, secrets map[string]string) string {
	var lines []string
	for _, line := range strings.Split(captured, "\n") {
		if strings.Contains(line, leaked) && len(lines) < 3 {
			lines = append(lines, "  "+redactNamed(line, secrets))
		}
	}
	return strings.Join(lines, "\n")
}

// redactNamed replaces each secret in s by its name, and any other value
// shaped like a Zoho token by its fingerprint.
func redactNamed(s string, secrets map[string]string) string {
	for name, secret := range secrets {
		s = strings.ReplaceAll(s, secret, "<"+name+">")
	}
	return zohoSecretShape.ReplaceAllStringFunc(s, func(m string) string { return "<token " + zoho.Fingerprint(m) + ">" })
}

// redact is redactNamed for secrets named by their position ("secret 1").
func redact(s string, secrets ...string) string {
	named := map[string]string{}
	for i, secret := range secrets {
		named[fmt.Sprintf("secret %d", i+1)] = secret
	}
	return redactNamed(s, named)
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
