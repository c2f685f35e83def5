package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// started is a run in the background; stop ends it (the test's cleanup
// does too) and returns what run returned.
type started struct {
	state  state
	stderr string
	stop   func() error
}

func startRun(t *testing.T, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	ready := make(chan state, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, &stderr, func(st state) { ready <- st }) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(10 * time.Second):
				runErr = errors.New("run did not return after cancellation")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	select {
	case st := <-ready:
		// The banner is written before ready is called and nothing is
		// written after, so reading it here does not race.
		return started{state: st, stderr: stderr.String(), stop: stop}
	case err := <-done:
		t.Fatalf("run ended before listening: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("run did not start listening")
	}
	return started{}
}

func TestRunServesAGrantCodeFlow(t *testing.T) {
	stateFile := filepath.Join(t.TempDir(), "zoho.json")
	emu := startRun(t, "-dc", "eu", "-state-file", stateFile)

	onDisk := readStateFile(t, stateFile)
	if onDisk != emu.state || onDisk.DC != "eu" || !strings.HasPrefix(onDisk.AccountsURL, "http://127.0.0.1:") {
		t.Fatalf("state file %+v, want %+v on 127.0.0.1 in eu", onDisk, emu.state)
	}
	if info, err := os.Stat(stateFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode: %v %v, want 0600", info.Mode().Perm(), err)
	}
	for _, want := range []string{onDisk.AccountsURL, onDisk.ClientID, stateFile, "/_emulator/self-client/code"} {
		if !strings.Contains(emu.stderr, want) {
			t.Errorf("banner lacks %q:\n%s", want, emu.stderr)
		}
	}
	if strings.Contains(emu.stderr, onDisk.ClientSecret) {
		t.Errorf("banner shows the client secret:\n%s", emu.stderr)
	}

	code := postJSON(t, onDisk.AccountsURL+"/_emulator/self-client/code", url.Values{
		"client_id": {onDisk.ClientID}, "client_secret": {onDisk.ClientSecret}, "scope": {defaultScopes},
	})["code"]
	tokens := postJSON(t, onDisk.AccountsURL+"/oauth/v2/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {onDisk.ClientID}, "client_secret": {onDisk.ClientSecret}, "code": {code},
	})
	if tokens["refresh_token"] == "" || tokens["api_domain"] != onDisk.AccountsURL {
		t.Fatalf("exchange answered %v, want a refresh token and api_domain %s", tokens, onDisk.AccountsURL)
	}
	wantCurrentUser(t, tokens["api_domain"], tokens["access_token"])
}

func TestRunKeepsGivenCredentialsAndRemovesTheStateFile(t *testing.T) {
	stateFile := filepath.Join(t.TempDir(), "zoho.json")
	emu := startRun(t, "-client-id", "1000.GIVEN", "-client-secret", "given-secret", "-state-file", stateFile)

	if st := emu.state; st.ClientID != "1000.GIVEN" || st.ClientSecret != "given-secret" || st.DC != "us" {
		t.Errorf("state = %+v, want the given id and secret in us", st)
	}
	if err := emu.stop(); err != nil {
		t.Fatalf("run returned %v after cancellation, want nil", err)
	}
	if _, err := os.Stat(stateFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file still there after exit: %v", err)
	}
}

func TestRunRefuses(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"all interfaces (IPv4)", []string{"-listen", "0.0.0.0:0"}, "loopback"},
		{"all interfaces (no host)", []string{"-listen", ":0"}, "loopback"},
		{"all interfaces (IPv6)", []string{"-listen", "[::]:0"}, "loopback"},
		{"a LAN address", []string{"-listen", "192.168.1.10:8080"}, "loopback"},
		{"a host name", []string{"-listen", "example.com:8080"}, "loopback"},
		{"no port", []string{"-listen", "127.0.0.1"}, "missing port"},
		{"unknown data center", []string{"-dc", "ae"}, "us, eu, in, au, jp, cn, ca, sa, uk"},
		{"zero token lifetime", []string{"-access-token-ttl", "0s"}, "whole number of seconds, at least 1s"},
		{"negative token lifetime", []string{"-access-token-ttl", "-1m"}, "at least 1s"},
		{"token lifetime in part seconds", []string{"-access-token-ttl", "1500ms"}, "whole number of seconds"},
		{"unknown flag", []string{"-port", "80"}, "flag provided but not defined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stateFile := filepath.Join(t.TempDir(), "zoho.json")
			args := append([]string{"-state-file", stateFile}, tc.args...)
			err := run(context.Background(), args, io.Discard, func(state) { t.Error("run started listening") })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run(%q) = %v, want an error mentioning %q", tc.args, err, tc.want)
			}
			if _, statErr := os.Stat(stateFile); !errors.Is(statErr, os.ErrNotExist) {
				t.Error("a refused run wrote the state file")
			}
		})
	}
}

func TestBannerSaysWhereTheSecretIs(t *testing.T) {
	st := state{AccountsURL: "http://127.0.0.1:9", ClientID: "1000.ID", ClientSecret: "s3cr3t-value", DC: "us"}
	cases := []struct {
		name string
		cfg  config
		want string
	}{
		{"state file", config{stateFile: "/tmp/it's.json", clientSecret: "s3cr3t-value"}, `jq -r .client_secret '/tmp/it'\''s.json'`},
		{"given secret", config{clientSecret: "s3cr3t-value"}, "the value given with -client-secret"},
		{"generated, nowhere", config{}, "restart with -state-file or -client-secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.scopes = defaultScopes
			var out bytes.Buffer
			printBanner(&out, tc.cfg, st)
			if !strings.Contains(out.String(), tc.want) || strings.Contains(out.String(), st.ClientSecret) {
				t.Errorf("banner should contain %q and never the secret:\n%s", tc.want, out.String())
			}
		})
	}
}

func readStateFile(t *testing.T, path string) state {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st state
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("state file is not JSON: %v\n%s", err, raw)
	}
	return st
}

func postJSON(t *testing.T, target string, form url.Values) map[string]string {
	t.Helper()
	resp, err := http.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %v %v", target, resp.StatusCode, body, err)
	}
	out := map[string]string{}
	for k, v := range body {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func wantCurrentUser(t *testing.T, apiDomain, accessToken string) {
	t.Helper()
	if status := apiStatus(t, apiDomain, accessToken); status != http.StatusOK {
		t.Fatalf("GET %s/crm/v8/users: %d, want 200", apiDomain, status)
	}
}

// apiStatus is the protected API's answer to accessToken.
func apiStatus(t *testing.T, apiDomain, accessToken string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, apiDomain+"/crm/v8/users?type=CurrentUser", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Zoho-oauthtoken "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestRunAccessTokenTTL runs on the real clock (the program has no other):
// a one-second token is announced as such and refused once it is over.
func TestRunAccessTokenTTL(t *testing.T) {
	t.Run("default is Zoho's hour", func(t *testing.T) {
		emu := startRun(t)
		if expiresIn, _ := clientCredentialsToken(t, emu.state); expiresIn != 3600 {
			t.Errorf("expires_in = %d, want 3600", expiresIn)
		}
	})
	t.Run("one second", func(t *testing.T) {
		emu := startRun(t, "-access-token-ttl", "1s")
		if !strings.Contains(emu.stderr, "access tokens: live 1s") {
			t.Errorf("banner does not show the lifetime:\n%s", emu.stderr)
		}
		expiresIn, token := clientCredentialsToken(t, emu.state)
		if expiresIn != 1 {
			t.Errorf("expires_in = %d, want 1", expiresIn)
		}
		wantCurrentUser(t, emu.state.AccountsURL, token)
		time.Sleep(1100 * time.Millisecond)
		if status := apiStatus(t, emu.state.AccountsURL, token); status != http.StatusUnauthorized {
			t.Errorf("API answered %d after the token's second, want 401", status)
		}
	})
}

// clientCredentialsToken mints a token for the emulator's Self Client.
func clientCredentialsToken(t *testing.T, st state) (expiresIn int, accessToken string) {
	t.Helper()
	resp, err := http.PostForm(st.AccountsURL+"/oauth/v2/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {st.ClientID}, "client_secret": {st.ClientSecret}, "scope": {defaultScopes},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.AccessToken == "" {
		t.Fatalf("client credentials: %d %+v %v", resp.StatusCode, answer, err)
	}
	return answer.ExpiresIn, answer.AccessToken
}

func TestRunPrintsItsVersion(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"-version"}, &out, func(state) { t.Error("run started listening") })
	if err != nil || out.String() != "zoho-emulator "+version+"\n" {
		t.Fatalf("run(-version) = %v, printed %q", err, out.String())
	}
}
