package provider

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

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
			cliConfig := logsDevOverrides(t, work, pluginDir)
			logsWriteFile(t, filepath.Join(work, "main.tf"), `
terraform {
  required_providers {
    zoho = { source = "cd40c554/zoho" }
  }
}

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
`)
			vars := map[string]string{
				"TF_CLI_CONFIG_FILE": cliConfig, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
				"TF_VAR_refresh_token": refresh, envAccountsURL: url, envClientID: client.ID, envClientSecret: client.Secret,
			}
			if tt.cache {
				vars[envTokenCacheDir] = cacheDir
			}
			env := logsCLIEnv(vars)
			for _, args := range [][]string{{"plan", "-input=false", "-no-color", "-out=tfplan"}, {"apply", "-input=false", "-no-color", "tfplan"}} {
				cmd := exec.CommandContext(ctx, cli, args...)
				cmd.Dir, cmd.Env = work, env
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s %s: %v\n%s", filepath.Base(cli), args[0], err, logsTail(logsRedact(string(out), refresh, client.Secret), 40))
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
