package provider

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	writeFile(t, filepath.Join(work, "main.tf"), requiredProviders("zoho")+providerBlock()+writeOnlyFromVariable+`
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
	env := cliEnv(cliDevOverrides(t, work, pluginDir), map[string]string{
		"TF_LOG":            "trace",
		"TF_VAR_grant_code": code,
		envAccountsURL:      url,
		envClientID:         client.ID,
		envClientSecret:     client.Secret,
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
			t.Fatalf("%s %s failed: %v\n%s", filepath.Base(cli), command, err, tail(redact(captured, code, client.Secret), 60))
		}
		return captured
	}

	applyLog := run("apply")
	refresh := refreshTokenInState(t, filepath.Join(work, "terraform.tfstate"))
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
				t.Errorf("%s: the %s (fingerprint %s) appears in the logs, e.g.:\n%s", command, name, zoho.Fingerprint(secret), leakLines(captured, secret, secrets))
			}
		}
		seen := map[string]bool{code: true, refresh: true} // reported above by name
		for _, m := range zohoSecretShape.FindAllString(captured, -1) {
			if seen[m] {
				continue
			}
			seen[m] = true
			t.Errorf("%s: a value shaped like a Zoho token (fingerprint %s) appears in the logs, e.g.:\n%s", command, zoho.Fingerprint(m), leakLines(captured, m, secrets))
		}
	}
}
