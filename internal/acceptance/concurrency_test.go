package acceptance

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// TestAccConcurrency_parallelApplyUnderRace applies and destroys 50 refresh
// tokens and 50 access tokens with -parallelism=20, through a provider built
// with the race detector (which stops the provider at the first data race),
// while Zoho answers slowly and sometimes fails. Every exchange must land in
// state, every refresh token be revoked by destroy, and no grant code be
// sent twice.
func TestAccConcurrency_parallelApplyUnderRace(t *testing.T) {
	const n = 50
	ctx, cli, plugin := cliUnderTest(t, clitest.WriteOnly, "-race")

	// Zoho's per-client caps (10 codes per 10 minutes, 20 refresh tokens per
	// user) would turn this into a test of the caps: lift them.
	z := startZoho(t, zohotest.Options{CodeIssueLimit: 10 * n, RefreshTokenCap: 10 * n}, zohotest.Client{})
	emu, client := z.Emu, z.Client
	codes := make([]string, n)
	for i := range codes {
		code, err := emu.IssueGrantCode(client.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}})
		if err != nil {
			t.Fatal(err)
		}
		codes[i] = code
	}
	// Latency on every kind of call, and failures that are safe to retry
	// (a failed exchange is not retried, and would fail the apply).
	emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token", GrantType: "authorization_code", Kind: zohotest.FaultDelay, Delay: 150 * time.Millisecond, Times: n / 2})
	emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token", GrantType: "refresh_token", Kind: zohotest.FaultStatus, Status: 503, RetryAfter: "0", Times: 8})
	emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token", GrantType: "refresh_token", Kind: zohotest.FaultDelay, Delay: 100 * time.Millisecond, Times: n / 2})
	emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token/revoke", Kind: zohotest.FaultCloseBefore, Times: 5})
	emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token/revoke", Kind: zohotest.FaultStatus, Status: 502, Times: 5})
	emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token/revoke", Kind: zohotest.FaultDelay, Delay: 100 * time.Millisecond, Times: n / 2})

	work := t.TempDir()
	writeFile(t, filepath.Join(work, "main.tf"), requiredZoho+`
provider "zoho" {}

variable "codes" {
  type      = list(string)
  ephemeral = true
}

resource "zoho_oauth_refresh_token" "t" {
  count                 = `+strconv.Itoa(n)+`
  grant_code_wo         = var.codes[count.index]
  grant_code_wo_version = 1
}

ephemeral "zoho_oauth_access_token" "t" {
  count         = `+strconv.Itoa(n)+`
  refresh_token = zoho_oauth_refresh_token.t[count.index].refresh_token
}

resource "terraform_data" "use" {
  count = `+strconv.Itoa(n)+`
  provisioner "local-exec" {
    command     = "test -n \"$T\""
    environment = { T = ephemeral.zoho_oauth_access_token.t[count.index].authorization_header }
  }
}
`)
	codesJSON, _ := json.Marshal(codes)
	vars := z.Env()
	vars["TF_VAR_codes"], vars["GORACE"] = string(codesJSON), "halt_on_error=1"
	env := devEnv(t, work, plugin, vars)
	secrets := clitest.Secrets{"client secret": client.Secret}
	for i, code := range codes {
		secrets[fmt.Sprintf("grant code %d", i)] = code
	}
	step := func(args ...string) {
		t.Helper()
		res := run(ctx, t, cli, work, env, args...)
		if strings.Contains(res.Out, "DATA RACE") {
			t.Fatalf("%s %s: the race detector stopped the provider:\n%s", cli.Name(), args[0], clitest.Tail(secrets.Redact(res.Out), 60))
		}
		if res.Code != 0 {
			t.Fatalf("%s %s: exit %d\n%s", cli.Name(), args[0], res.Code, clitest.Tail(secrets.Redact(res.Out), 60))
		}
	}
	step("apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=20")

	refreshTokens := refreshTokensInState(t, work)["t"]
	if len(refreshTokens) != n {
		t.Fatalf("state holds %d refresh tokens, want %d", len(refreshTokens), n)
	}
	for _, rt := range refreshTokens {
		if !emu.RefreshTokenLive(rt) {
			t.Fatalf("a refresh token in state is not live at Zoho")
		}
		if got := emu.MintsFor(rt); got != 1 {
			t.Errorf("refresh token minted %d access tokens in one apply, want 1", got)
		}
	}
	step("destroy", "-input=false", "-no-color", "-auto-approve", "-parallelism=20")
	for _, rt := range refreshTokens {
		if emu.RefreshTokenLive(rt) {
			t.Errorf("destroy left a refresh token live at Zoho")
		}
	}
	if n := emu.CodesSentTwice(); n != 0 {
		t.Errorf("%d grant codes were sent to Zoho twice", n)
	}
	if c := emu.Counters(); c.Faults == 0 {
		t.Errorf("no fault was injected: %+v", c)
	}
}
