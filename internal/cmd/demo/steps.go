package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

// needs are what examples/demo uses that not every CLI has.
var needs = []clitest.Feature{clitest.EphemeralResources, clitest.WriteOnly}

// lacks says why cli cannot run the demo, or "".
func lacks(cli clitest.CLI) string {
	for _, f := range needs {
		if reason := cli.Lacks(f); reason != "" {
			return reason
		}
	}
	return ""
}

// pickCLI chooses the CLI and says why that one. Only the built OpenTofu
// costs minutes, so a suitable CLI on PATH comes first.
func pickCLI(ctx context.Context, s *story) (clitest.CLI, string, error) {
	switch choice := os.Getenv("DEMO_CLI"); choice {
	case "build":
		return builtTofu(ctx, "DEMO_CLI=build")
	case "":
		for _, name := range []string{"tofu", "terraform"} {
			path, err := exec.LookPath(name)
			if err != nil {
				continue
			}
			cli, err := clitest.InspectCLI(ctx, path)
			if err != nil {
				s.say("%s (%v): not used", path, err)
				continue
			}
			if reason := lacks(cli); reason != "" {
				s.say("%s: %s: not used", path, reason)
				continue
			}
			return cli, cli.String() + " on PATH", nil
		}
		return builtTofu(ctx, "no tofu or terraform >= 1.11 on PATH")
	default:
		cli, err := clitest.InspectCLI(ctx, choice)
		if err != nil {
			return cli, "", fmt.Errorf("DEMO_CLI=%s is not a tofu or terraform >= 1.11 (%w)", choice, err)
		}
		if reason := lacks(cli); reason != "" {
			return cli, "", fmt.Errorf("DEMO_CLI=%s is not a tofu or terraform >= 1.11 (%s)", choice, reason)
		}
		return cli, cli.String() + " (DEMO_CLI)", nil
	}
}

func builtTofu(ctx context.Context, why string) (clitest.CLI, string, error) {
	path, err := clitest.Tool(ctx, "tofu")
	if err != nil {
		return clitest.CLI{}, "", err
	}
	cli, err := clitest.InspectCLI(ctx, path)
	return cli, fmt.Sprintf("%s built by scripts/tool.sh (%s)", cli, why), err
}

// checkState proves that the state holds the refresh token and no other
// secret, and returns the refresh token (for the revocation check; it is
// never printed).
func (d *demo) checkState() (string, error) {
	d.step("What the state holds: the refresh token (sensitive) and nothing else secret")
	state, err := clitest.ReadState(filepath.Join(d.work, "terraform.tfstate"))
	if err != nil {
		return "", err
	}
	tokens := state.Instances("zoho_oauth_refresh_token")
	if len(tokens) != 1 {
		return "", fmt.Errorf("the state holds %d zoho_oauth_refresh_token instances, want 1", len(tokens))
	}
	token := tokens[0]
	refresh, _ := token.Attributes["refresh_token"].(string)
	others := 0
	if refresh != "" {
		others = len(clitest.TokenShape.FindAllString(strings.ReplaceAll(state.Text, refresh, ""), -1))
	}
	var problems []string
	for _, p := range []struct {
		found bool
		what  string
	}{
		{strings.Contains(state.Text, d.secrets["grant code"]), "the grant code is in the state"},
		{strings.Contains(state.Text, d.secrets["client secret"]), "the client secret is in the state"},
		{token.Attributes["grant_code_wo"] != nil, "grant_code_wo is not null"},
		{!clitest.TokenShape.MatchString(refresh), "it holds no refresh token"},
		{others != 0, fmt.Sprintf("%d token(s) besides the refresh token (an access token?)", others)},
	} {
		if p.found {
			problems = append(problems, p.what)
		}
	}
	if len(problems) != 0 {
		return "", fmt.Errorf("the state holds more than it should: %s", strings.Join(problems, "; "))
	}
	d.secrets["refresh token"] = refresh
	d.say("ok: zoho_oauth_refresh_token.%s id=%v holds the refresh token;", token.Name, token.Attributes["id"])
	d.say("grant_code_wo is null, and no grant code, client secret or access token is stored")
	return refresh, nil
}

// tokenAnswer is the part of Zoho's token answer the revocation check reads.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	Error       string `json:"error"`
}

// refreshWith asks Zoho for an access token with refresh, as any client
// would: a plain form POST, the secrets in its body.
func refreshWith(ctx context.Context, zoho *clitest.Zoho, refresh string) (tokenAnswer, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {zoho.Client.ID}, "client_secret": {zoho.Client.Secret}, "refresh_token": {refresh}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, zoho.AccountsURL+"/oauth/v2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return tokenAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return tokenAnswer{}, err
	}
	defer resp.Body.Close()
	var answer tokenAnswer
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return answer, errors.New("the refresh got an answer that is not Zoho's JSON")
	}
	return answer, nil
}

// apiCallSucceeded is what examples/demo's provisioner writes when the CRM
// API answered.
var apiCallSucceeded = regexp.MustCompile(`(?m)^Zoho API call succeeded as `)

func splitScopes(s string) []string { return strings.Split(s, ",") }
