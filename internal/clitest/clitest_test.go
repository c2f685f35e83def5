package clitest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSecrets(t *testing.T) {
	refresh := "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
	other := "1000.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	s := Secrets{"refresh token": refresh, "client secret": "s3cr3t-s3cr3t", "empty": ""}
	text := "ok\nrefresh=" + refresh + "\nsecret s3cr3t-s3cr3t and " + other + "\n"
	if got, want := s.Leaks(text), []string{"refresh token", "client secret", "a token-shaped value"}; !slices.Equal(got, want) {
		t.Errorf("Leaks = %q, want %q", got, want)
	}
	red := s.Redact(text)
	for _, v := range []string{refresh, "s3cr3t-s3cr3t", other} {
		if strings.Contains(red, v) {
			t.Errorf("Redact left a secret: %q", red)
		}
	}
	if !strings.Contains(red, "<refresh token>") || !strings.Contains(red, "<token ") {
		t.Errorf("Redact = %q, want names and fingerprints", red)
	}
	if got := s.Leaks("nothing here"); got != nil {
		t.Errorf("Leaks of clean text = %q", got)
	}
	if lines := s.LeakLines(text, "client secret"); strings.Count(lines, "\n") != 0 || !strings.Contains(lines, "<client secret>") {
		t.Errorf("LeakLines = %q", lines)
	}
}

func TestEnv(t *testing.T) {
	t.Setenv("TF_LOG", "trace")
	t.Setenv("ZOHO_TOKEN_CACHE_DIR", "/somewhere")
	t.Setenv("CHECKPOINT_TIMEOUT", "1")
	env := Env("/x/dev.tfrc", map[string]string{"ZOHO_CLIENT_ID": "id", "B": "2", "A": "1"})
	for _, kv := range env {
		if kv == "TF_LOG=trace" || strings.HasPrefix(kv, "ZOHO_TOKEN_CACHE_DIR=") || strings.HasPrefix(kv, "CHECKPOINT_TIMEOUT=") {
			t.Errorf("the caller's %s leaked in", kv)
		}
	}
	tail := env[len(env)-6:]
	want := []string{"TF_CLI_CONFIG_FILE=/x/dev.tfrc", "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "A=1", "B=2", "ZOHO_CLIENT_ID=id"}
	if !slices.Equal(tail, want) {
		t.Errorf("Env ends %q, want %q", tail, want)
	}
}

func TestDevOverridesAndMirror(t *testing.T) {
	dir := t.TempDir()
	zoho := Plugin{Source: ProviderSource, Binary: filepath.Join(dir, "bin", "terraform-provider-zoho")}
	cfg := filepath.Join(dir, "dev.tfrc")
	if err := DevOverrides(cfg, zoho); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(cfg)
	for _, want := range []string{`"registry.terraform.io/cd40c554/zoho" = "` + filepath.Join(dir, "bin") + `"`, `"registry.opentofu.org/cd40c554/zoho"`, "direct {}"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("dev overrides lack %s:\n%s", want, b)
		}
	}
	mirror := filepath.Join(dir, "mirror")
	if err := FilesystemMirror(filepath.Join(dir, "mirror.tfrc"), mirror, "linux_amd64", zoho); err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{TerraformRegistry, OpenTofuRegistry} {
		link := filepath.Join(mirror, host, "cd40c554/zoho/0.0.1/linux_amd64/terraform-provider-zoho")
		if target, err := os.Readlink(link); err != nil || target != zoho.Binary {
			t.Errorf("mirror entry %s -> %q, %v", link, target, err)
		}
	}
}

func TestCLI(t *testing.T) {
	tofu := CLI{Product: "OpenTofu", Version: "1.11.6"}
	tf := CLI{Product: "Terraform", Version: "1.14.0"}
	if tofu.Name() != "tofu" || tf.Name() != "terraform" || tofu.Registry() != OpenTofuRegistry || tf.Registry() != TerraformRegistry {
		t.Error("names or registries wrong")
	}
	for _, c := range []struct {
		cli          CLI
		major, minor int
		want         bool
	}{{tofu, 1, 11, true}, {tofu, 1, 12, false}, {tf, 1, 10, true}, {tf, 2, 0, false}} {
		if got := c.cli.AtLeast(c.major, c.minor); got != c.want {
			t.Errorf("%s AtLeast(%d.%d) = %v", c.cli, c.major, c.minor, got)
		}
	}
}
