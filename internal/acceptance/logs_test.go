package acceptance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
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
	ctx, cli, plugin := cliUnderTest(t, clitest.WriteOnly)
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), requiredZoho+grantCodeFromVariable+`
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

	z := startZoho(t, zohotest.Options{}, zohotest.Client{})
	emu, client := z.Emu, z.Client
	code, err := emu.IssueGrantCode(client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.modules.ALL"}})
	if err != nil {
		t.Fatal(err)
	}
	vars := z.Env()
	vars["TF_LOG"], vars["TF_VAR_grant_code"] = "trace", code
	secrets := clitest.Secrets{"client secret": client.Secret, "grant code": code}

	// logged runs command and returns everything it printed plus its TF_LOG_PATH file.
	logged := func(command string) string {
		vars["TF_LOG_PATH"] = filepath.Join(work, command+".log")
		res := run(ctx, t, cli, work, devEnv(t, work, plugin, vars), command, "-auto-approve", "-input=false", "-no-color")
		logFile, _ := os.ReadFile(vars["TF_LOG_PATH"])
		captured := res.Out + "\n" + string(logFile)
		if res.Code != 0 {
			t.Fatalf("%s %s failed: exit %d\n%s", cli.Name(), command, res.Code, clitest.Tail(secrets.Redact(captured), 60))
		}
		return captured
	}

	applyLog := logged("apply")
	refresh := refreshTokenInState(t, work)
	secrets["refresh token"] = refresh
	if !emu.RefreshTokenLive(refresh) {
		t.Fatal("apply succeeded, yet the refresh token in state is not live at the emulator")
	}
	if !clitest.TokenShape.MatchString(refresh) {
		t.Fatal("the refresh token does not have Zoho's token shape, so the shape check below would prove nothing")
	}
	if emu.MintsFor(refresh) == 0 {
		t.Fatal("no access token was minted from the refresh token, so the access-token checks below would prove nothing")
	}
	destroyLog := logged("destroy")
	if emu.RefreshTokenLive(refresh) {
		t.Error("destroy succeeded, yet the refresh token is still live at the emulator")
	}

	for command, captured := range map[string]string{"apply": applyLog, "destroy": destroyLog} {
		// Proof that the provider's own log lines were captured at all, and at
		// trace level (the HTTP lines are debug lines of the oauth subsystem).
		for _, want := range []string{map[string]string{"apply": "created Zoho refresh token", "destroy": "revoked Zoho refresh token"}[command], "sending request to Zoho Accounts", "@module=zoho.oauth"} {
			if !strings.Contains(captured, want) {
				t.Errorf("%s: the captured logs lack %q: the provider's logs were not captured, so the checks below prove nothing", command, want)
			}
		}
		// Any access token would be "a token-shaped value".
		for _, leaked := range secrets.Leaks(captured) {
			t.Errorf("%s: the logs hold the %s, e.g.:\n%s", command, leaked, secrets.LeakLines(captured, leaked))
		}
	}
}
