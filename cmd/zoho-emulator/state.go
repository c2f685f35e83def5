package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// state is what a script needs to use the emulator; -state-file holds it.
type state struct {
	AccountsURL  string `json:"accounts_url"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	DC           string `json:"dc"`
}

// writeStateFile writes st to path with mode 0600 (it holds the client
// secret). It writes a temporary file and renames it, so a script polling
// for the file never reads half of it.
func writeStateFile(path string, st state) error {
	buf, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".zoho-emulator-state-*") // created 0600
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // a no-op once renamed
	if _, err := tmp.Write(append(buf, '\n')); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	return nil
}

// printBanner tells a person where the emulator is and how to get a grant
// code. It never prints the client secret, only where to find it.
func printBanner(w io.Writer, cfg config, st state) {
	secretSource, secretArg := describeSecret(cfg)
	fmt.Fprintf(w, `Zoho Accounts emulator (data center %s) listening.
  accounts URL:  %s   (provider: accounts_url, or ZOHO_ACCOUNTS_URL)
  api_domain:    %s   (serves GET /crm/v8/users?type=CurrentUser)
  client id:     %s   (a Self Client)
  client secret: %s
  access tokens: live %s   (-access-token-ttl)

Generate a Self Client grant code (the API Console's "Generate Code"), valid 3 minutes
(add --data-urlencode expiry_minutes=N for N from 1 to 10):
  curl -sS -X POST %s/_emulator/self-client/code \
    --data-urlencode client_id=%s \
    --data-urlencode %s \
    --data-urlencode scope=%s

Stop with Ctrl-C.
`, st.DC, st.AccountsURL, st.AccountsURL, st.ClientID, secretSource, cfg.tokenTTL,
		st.AccountsURL, shellQuote(st.ClientID), secretArg, shellQuote(cfg.scopes))
}

// describeSecret says where the secret is and how the example command gets
// it, without ever containing it.
func describeSecret(cfg config) (source, curlArg string) {
	switch {
	case cfg.stateFile != "":
		return "in " + cfg.stateFile + " (key client_secret)",
			`"client_secret=$(jq -r .client_secret ` + shellQuote(cfg.stateFile) + `)"`
	case cfg.clientSecret != "":
		return "the value given with -client-secret", `"client_secret=$ZOHO_CLIENT_SECRET"`
	}
	return "generated and not shown; restart with -state-file or -client-secret to know it",
		`"client_secret=<unknown: see above>"`
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
