package clitest

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
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

func TestRunnerEnv(t *testing.T) {
	t.Setenv("PATH", "/somewhere/bin")
	t.Setenv("AWS_PROFILE", "callers")
	env := RunnerEnv("/x/dev.tfrc", map[string]string{"HOME": "/job/home"})
	want := []string{"PATH=/somewhere/bin", "TF_CLI_CONFIG_FILE=/x/dev.tfrc", "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "HOME=/job/home"}
	if !slices.Equal(env, want) {
		t.Errorf("RunnerEnv = %q, want %q", env, want)
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
	tofu := CLI{Product: "OpenTofu", Version: "1.11.6", Path: "cli"}
	tf := CLI{Product: "Terraform", Version: "1.14.0"}
	if tofu.Name() != "tofu" || tf.Name() != "terraform" || tofu.Registry() != OpenTofuRegistry || tf.Registry() != TerraformRegistry {
		t.Error("names or registries wrong")
	}
	quirk := Feature{Name: "a fixed bug", Terraform: "1.10.0", OpenTofu: "1.12.0", Why: "it did the wrong thing"}
	for _, c := range []struct {
		cli     CLI
		f       Feature
		wantMsg string // "" when the CLI has f
	}{
		{tofu, WriteOnly, ""},
		{tofu, quirk, "OpenTofu 1.11.6: a fixed bug need OpenTofu >= 1.12.0 (Terraform >= 1.10.0): it did the wrong thing"},
		{tf, EphemeralResources, ""},
		{CLI{Product: "Terraform", Version: "1.9.8"}, EphemeralResources, "Terraform 1.9.8 has no ephemeral resources: they need Terraform >= 1.10.0 (OpenTofu >= 1.11.0)"},
		{CLI{Product: "OpenTofu", Version: "1.11.0-rc1"}, WriteOnly, ""}, // a prerelease counts as its release
		{CLI{Product: "OpenTofu", Version: "eleven"}, WriteOnly, `cannot compare OpenTofu version "eleven"`},
	} {
		if got := c.cli.Lacks(c.f); got != c.wantMsg && (c.wantMsg == "" || !strings.HasPrefix(got, c.wantMsg)) {
			t.Errorf("%s Lacks(%s) = %q, want %q", c.cli, c.f.Name, got, c.wantMsg)
		}
	}
	for out, want := range map[string][2]string{
		"OpenTofu v1.6.3\non linux_amd64\n": {"OpenTofu", "1.6.3"},
		"Terraform v1.11.4\non linux_amd64\n+ provider registry.terraform.io/hashicorp/null v3.2.3\n":  {"Terraform", "1.11.4"},
		"╷\n│ Warning: Unable to open CLI configuration file\n╵\n\nOpenTofu v1.12.6\non linux_amd64\n": {"OpenTofu", "1.12.6"},
	} {
		if product, version, ok := parseVersion(out); !ok || product != want[0] || version != want[1] {
			t.Errorf("version output %q read as %s %s, want %v", out, product, version, want)
		}
	}
}

func TestReadState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "terraform.tfstate")
	state := `{"version": 4, "resources": [
  {"mode": "managed", "type": "zoho_oauth_refresh_token", "name": "a", "instances": [{"attributes": {"refresh_token": "r1"}}, {"attributes": {"refresh_token": "r2"}}]},
  {"mode": "managed", "type": "terraform_data", "name": "b", "instances": [{"attributes": {"id": "x"}}]}
]}`
	if err := os.WriteFile(path, []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ReadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.RefreshTokens(); len(got) != 1 || !slices.Equal(got["a"], []string{"r1", "r2"}) {
		t.Errorf("RefreshTokens = %v", got)
	}
	if got := s.Instances("terraform_data"); len(got) != 1 || got[0].Name != "b" || got[0].Attributes["id"] != "x" {
		t.Errorf("Instances = %v", got)
	}
}

func TestText(t *testing.T) {
	if got := Tail("a\nb\nc\n", 2); got != "b\nc" {
		t.Errorf("Tail = %q", got)
	}
	if !InOrder("Invalid Zoho Client", "another data center").MatchString("Error: Invalid Zoho\n  Client ... in another\ndata center") {
		t.Error("InOrder does not match across wrapped lines")
	}
	if InOrder("b", "a").MatchString("a b") {
		t.Error("InOrder matches phrases out of order")
	}
}

// Run keeps what a command printed as timed lines, an unfinished last one
// too, and says how it ended.
func TestRunLines(t *testing.T) {
	res, err := Run(context.Background(), t.TempDir(), nil, "", "/bin/sh", "-c", "echo one; sleep 0.3; echo two >&2; printf three; exit 3")
	if err != nil {
		t.Fatal(err)
	}
	if res.Out != "one\ntwo\nthree" || res.Code != 3 || res.Status != "exit status 3" {
		t.Errorf("Run = %q, code %d, status %q", res.Out, res.Code, res.Status)
	}
	var texts []string
	for _, l := range res.Lines {
		texts = append(texts, l.Text)
	}
	if !slices.Equal(texts, []string{"one", "two", "three"}) {
		t.Fatalf("Lines = %q", texts)
	}
	if gap := res.Lines[1].At.Sub(res.Lines[0].At); gap < 250*time.Millisecond || res.Lines[2].At.Before(res.Lines[1].At) {
		t.Errorf("lines timed %v apart, want about 0.3s, in order", gap)
	}
}

// The accounts host notes when each token request arrived and was answered;
// the API host's calls are not token requests.
func TestZohoTokenTimes(t *testing.T) {
	z, err := StartZoho(zohotest.Options{}, zohotest.Client{})
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	before := time.Now()
	for _, u := range []string{z.AccountsURL + zohotest.TokenPath, z.APIURL + "/crm/v8/users"} {
		resp, err := http.PostForm(u, url.Values{"grant_type": {"refresh_token"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	arrived, answered := z.TokenTimes()
	if len(arrived) != 1 || len(answered) != 1 || arrived[0].Before(before) || answered[0].Before(arrived[0]) {
		t.Errorf("TokenTimes = %v, %v; want one request, answered after it arrived", arrived, answered)
	}
	if got := z.Emu.Counters().TokenRequests; got != 1 {
		t.Errorf("the emulator counted %d token requests, want 1", got)
	}
}
