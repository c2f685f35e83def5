package acceptance

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
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
	ctx, cli, plugin := cliUnderTest(t, clitest.EphemeralResources)

	for _, tt := range []struct {
		name      string
		cache     bool
		wantMints int
	}{
		{"without token_cache_dir", false, 2},
		{"with token_cache_dir", true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			z := startZoho(t, zohotest.Options{}, zohotest.Client{})
			emu, client := z.Emu, z.Client
			refresh, err := emu.IssueRefreshToken(client.ID, []string{"ZohoCRM.users.READ"})
			if err != nil {
				t.Fatal(err)
			}
			work, cacheDir := t.TempDir(), filepath.Join(t.TempDir(), "tokens")
			writeFile(t, filepath.Join(work, "main.tf"), requiredZoho+ciJobConfig)
			vars := z.Env()
			vars["TF_VAR_refresh_token"] = refresh
			if tt.cache {
				vars["ZOHO_TOKEN_CACHE_DIR"] = cacheDir
			}
			env := devEnv(t, work, plugin, vars)
			secrets := clitest.Secrets{"refresh token": refresh, "client secret": client.Secret}
			mustRun(ctx, t, cli, work, env, secrets, "plan", "-input=false", "-no-color", "-out=tfplan")
			mustRun(ctx, t, cli, work, env, secrets, "apply", "-input=false", "-no-color", "tfplan")
			if got := emu.MintsFor(refresh); got != tt.wantMints {
				t.Errorf("plan then apply minted %d access tokens, want %d", got, tt.wantMints)
			}
			if tt.cache {
				files, _ := filepath.Glob(filepath.Join(cacheDir, "*.token"))
				if len(files) != 1 {
					t.Fatalf("cache files %v, want one", files)
				}
				if err := secrets.CheckPrivateFile(files[0]); err != nil {
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
	ctx, cli, plugin := cliUnderTest(t, clitest.WriteOnly)
	z := startZoho(t, zohotest.Options{}, zohotest.Client{})
	emu, client := z.Emu, z.Client
	code, err := emu.IssueGrantCode(client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}})
	if err != nil {
		t.Fatal(err)
	}
	emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token", GrantType: "authorization_code", Kind: zohotest.FaultRaw,
		Process: true, Delay: 3 * time.Second, ContentType: "application/json;charset=UTF-8"})
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), requiredZoho+grantCodeFromVariable)
	vars := z.Env()
	vars["TF_VAR_grant_code"] = code
	env := devEnv(t, work, plugin, vars)
	secrets := clitest.Secrets{"grant code": code, "client secret": client.Secret}
	apply, err := clitest.Start(ctx, work, env, "", cli.Path, "apply", "-input=false", "-no-color", "-auto-approve")
	if err != nil {
		t.Fatal(err)
	}
	// Interrupt once Zoho has the request, as a user pressing Ctrl-C would.
	waitFor(ctx, t, func() bool { return emu.Counters().ByGrantType["authorization_code"] != 0 })
	if err := apply.Interrupt(); err != nil {
		t.Fatal(err)
	}
	res, err := apply.Wait() // an interrupted run may exit non-zero
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Out, "Interrupt received") {
		t.Fatalf("the CLI did not see the interrupt:\n%s", clitest.Tail(secrets.Redact(res.Out), 30))
	}
	refresh := refreshTokenInState(t, work)
	secrets["refresh token"] = refresh
	if !emu.RefreshTokenLive(refresh) {
		t.Fatal("the refresh token in state is not live at Zoho")
	}
	if live := emu.LiveRefreshTokens(client.ID); len(live) != 1 {
		t.Errorf("%d live refresh tokens at Zoho, want 1: the one in state", len(live))
	}
	mustRun(ctx, t, cli, work, env, secrets, "destroy", "-input=false", "-no-color", "-auto-approve")
	if emu.RefreshTokenLive(refresh) {
		t.Error("destroy did not revoke the token")
	}
}
