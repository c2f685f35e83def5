package clitest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// TokenShape is Zoho's shape of a grant code, refresh or access token:
// 1000.<32 hex>.<32 hex>. Anything so shaped in a CLI's output is a leak,
// whether or not the test knows the value.
var TokenShape = regexp.MustCompile(`1000\.[0-9a-f]{32}\.[0-9a-f]{32}`)

// Secrets are the values that must never appear in what a CLI printed, by
// the name a failure may show instead of the value.
type Secrets map[string]string

// Leaks names the secrets found in text, in order, and says "a
// token-shaped value" for anything shaped like a Zoho token that is not a
// known secret.
func (s Secrets) Leaks(text string) []string {
	var found []string
	for _, name := range s.names() {
		if v := s[name]; v != "" && strings.Contains(text, v) {
			found = append(found, name)
		}
	}
	if TokenShape.MatchString(s.named(text)) {
		found = append(found, tokenShaped)
	}
	return found
}

// tokenShaped is how Leaks names a token-shaped value it does not know.
const tokenShaped = "a token-shaped value"

// named replaces each known secret in text by <its name>.
func (s Secrets) named(text string) string {
	for _, name := range s.names() {
		if v := s[name]; v != "" {
			text = strings.ReplaceAll(text, v, "<"+name+">")
		}
	}
	return text
}

// Redact replaces each secret in text by <its name>, and any other
// token-shaped value by <token FINGERPRINT>, so that a failure can show
// where a leak is without printing it.
func (s Secrets) Redact(text string) string {
	return TokenShape.ReplaceAllStringFunc(s.named(text), func(m string) string { return "<token " + fingerprint(m) + ">" })
}

// LeakLines shows up to three lines of text that hold the secret named
// name, redacted.
func (s Secrets) LeakLines(text, name string) string {
	value := s[name]
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		leaked := value != "" && strings.Contains(line, value) || name == tokenShaped && TokenShape.MatchString(s.named(line))
		if leaked && len(lines) < 3 {
			lines = append(lines, "  "+s.Redact(line))
		}
	}
	return strings.Join(lines, "\n")
}

// CheckPrivateFile checks that a file the provider wrote (a token_cache_dir
// entry) is its owner's alone, mode 0600 in a 0700 directory, and holds
// none of the secrets, nor anything shaped like a token, in clear.
func (s Secrets) CheckPrivateFile(path string) error {
	for _, p := range []struct {
		path string
		mode os.FileMode
	}{{path, 0o600}, {filepath.Dir(path), 0o700}} {
		info, err := os.Stat(p.path)
		if err != nil {
			return err
		}
		if info.Mode().Perm() != p.mode {
			return fmt.Errorf("%s has mode %v, want %v", p.path, info.Mode().Perm(), p.mode)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if leaks := s.Leaks(string(raw)); len(leaks) != 0 {
		return fmt.Errorf("%s holds in clear: %s", path, strings.Join(leaks, ", "))
	}
	return nil
}

// names are the secrets' names, longest value first, so that a secret
// holding another is replaced whole.
func (s Secrets) names() []string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		if d := len(s[b]) - len(s[a]); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return names
}

// fingerprint is the provider's: the first 16 hex digits of SHA-256.
func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:8])
}
