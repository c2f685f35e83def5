package provider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// ciJobConfig is a CI job's configuration: the ephemeral access token is
// opened by the plan and by the apply (separate provider processes), and
// the apply's provisioner uses it.
const ciJobConfig = `
variable "refresh_token" {
  type      = string
  sensitive = true
}

ephemeral "zoho_oauth_access_token" "t" {
  refresh_token = var.refresh_token
}

resource "terraform_data" "call" {
  provisioner "local-exec" {
    command     = "test -n \"$ZOHO_AUTHORIZATION\""
    environment = { ZOHO_AUTHORIZATION = ephemeral.zoho_oauth_access_token.t.authorization_header }
  }
}
`

// TestAccCLI_planThenApplyMintsOnceWithTokenCache runs what a CI pipeline
// runs, as separate CLI processes: `plan -out` then `apply <plan>`. Each is
// its own provider process, so without token_cache_dir each mints an access
// token; with it, the pair mints one in total.
func TestAccCLI_planThenApplyMintsOnceWithTokenCache(t *testing.T) {
	ctx, cli, pluginDir := cliUnderTest(t, 10, "ephemeral resources")

	for _, tt := range []struct {
		name      string
		cache     bool
		wantMints int
	}{
		{"without token_cache_dir", false, 2},
		{"with token_cache_dir", true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emu := zohotest.New(zohotest.Options{})
			url := emu.StartServer(t, "us")
			client := emu.RegisterClient(zohotest.Client{DC: "us"})
			refresh, err := emu.IssueRefreshToken(client.ID, []string{"ZohoCRM.users.READ"})
			if err != nil {
				t.Fatal(err)
			}
			work, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "tokens")
			writeFile(t, filepath.Join(work, "main.tf"), requiredProviders("zoho")+ciJobConfig)
			vars := map[string]string{
				"TF_VAR_refresh_token": refresh, envAccountsURL: url, envClientID: client.ID, envClientSecret: client.Secret,
			}
			if tt.cache {
				vars[envTokenCacheDir] = cacheDir
			}
			env := cliEnv(cliDevOverrides(t, work, pluginDir), vars)
			for _, args := range [][]string{{"plan", "-input=false", "-no-color", "-out=tfplan"}, {"apply", "-input=false", "-no-color", "tfplan"}} {
				cmd := exec.CommandContext(ctx, cli, args...)
				cmd.Dir, cmd.Env = work, env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s %s: %v\n%s", filepath.Base(cli), args[0], err, tail(redact(string(out), refresh, client.Secret), 40))
				}
			}
			if got := emu.MintsFor(refresh); got != tt.wantMints {
				t.Errorf("plan then apply minted %d access tokens, want %d", got, tt.wantMints)
			}
			if tt.cache {
				files, _ := filepath.Glob(filepath.Join(cacheDir, "*.token"))
				if len(files) != 1 {
					t.Fatalf("cache files %v, want one", files)
				}
				if err := checkCacheFile(files[0], refresh, client.Secret); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestAccCLI_interruptDuringExchangeKeepsTheToken is Ctrl-C while Zoho is
// slow to answer a code exchange it has already processed (the code is
// spent). The run stops, but the exchange finishes first (bounded by
// request_timeout), so the refresh token Zoho issued reaches state instead
// of being orphaned at Zoho, and destroy can revoke it.
func TestAccCLI_interruptDuringExchangeKeepsTheToken(t *testing.T) {
	ctx, cli, pluginDir := cliUnderTest(t, 11, "write-only arguments")
	emu := zohotest.New(zohotest.Options{})
	url := emu.StartServer(t, "us")
	client := emu.RegisterClient(zohotest.Client{DC: "us"})
	code, err := emu.IssueGrantCode(client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}})
	if err != nil {
		t.Fatal(err)
	}
	emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token", GrantType: "authorization_code", Kind: zohotest.FaultRaw,
		Process: true, Delay: 3 * time.Second, ContentType: "application/json;charset=UTF-8"})
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), requiredProviders("zoho")+providerBlock()+writeOnlyFromVariable)
	env := cliEnv(cliDevOverrides(t, work, pluginDir), map[string]string{
		"TF_VAR_grant_code": code, envAccountsURL: url, envClientID: client.ID, envClientSecret: client.Secret,
	})
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, cli, "apply", "-input=false", "-no-color", "-auto-approve")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = work, env, &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once Zoho has the request, as a user pressing Ctrl-C would.
	for emu.Counters().ByGrantType["authorization_code"] == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the exchange never reached the emulator")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // an interrupted run may exit non-zero
	text := redact(out.String(), code, client.Secret)
	if !strings.Contains(text, "Interrupt received") {
		t.Fatalf("the CLI did not see the interrupt:\n%s", tail(text, 30))
	}
	refresh := refreshTokenInState(t, filepath.Join(work, "terraform.tfstate"))
	if !emu.RefreshTokenLive(refresh) {
		t.Fatal("the refresh token in state is not live at Zoho")
	}
	if live := emu.LiveRefreshTokens(client.ID); len(live) != 1 {
		t.Errorf("%d live refresh tokens at Zoho, want 1: the one in state", len(live))
	}
	destroy := exec.CommandContext(ctx, cli, "destroy", "-input=false", "-no-color", "-auto-approve")
	destroy.Dir, destroy.Env = work, env
	if b, err := destroy.CombinedOutput(); err != nil {
		t.Fatalf("destroy: %v\n%s", err, tail(redact(string(b), code, client.Secret, refresh), 30))
	}
	if emu.RefreshTokenLive(refresh) {
		t.Error("destroy did not revoke the token")
	}
}
