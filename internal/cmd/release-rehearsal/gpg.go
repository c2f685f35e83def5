package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// keyring is a temporary GNUPGHOME holding throwaway keys. Its gpg-agent is
// stopped by Close (gpgconf --kill for this home only).
type keyring struct {
	home string
}

// key is a signing key: its fingerprint, its long ID and its public half.
type key struct {
	Fingerprint string
	ID          string // the last 16 hex digits, what the registry's key_id is
	Armor       string
}

func newKeyring(home string) (*keyring, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	return &keyring{home: home}, nil
}

// env is the environment gpg needs for this keyring.
func (k *keyring) env() []string {
	return append(os.Environ(), "GNUPGHOME="+k.home)
}

func (k *keyring) gpg(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "gpg", append([]string{"--batch", "--no-tty"}, args...)...)
	cmd.Env = k.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("gpg %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// generate makes a key without a passphrase, valid for a day: RSA 4096, as
// the registries' documentation has maintainers make theirs.
func (k *keyring) generate(ctx context.Context, name, algo string) (key, error) {
	uid := name + " <release-rehearsal@example.invalid>"
	if _, err := k.gpg(ctx, "--passphrase", "", "--pinentry-mode", "loopback", "--quick-generate-key", uid, algo, "sign", "1d"); err != nil {
		return key{}, err
	}
	colons, err := k.gpg(ctx, "--with-colons", "--list-keys", uid)
	if err != nil {
		return key{}, err
	}
	var fpr string
	for line := range strings.SplitSeq(colons, "\n") {
		if f := strings.Split(line, ":"); len(f) > 9 && f[0] == "fpr" {
			fpr = f[9]
			break
		}
	}
	if len(fpr) < 16 {
		return key{}, fmt.Errorf("no fingerprint for %s in:\n%s", uid, colons)
	}
	armor, err := k.gpg(ctx, "--armor", "--export", fpr)
	if err != nil {
		return key{}, err
	}
	return key{Fingerprint: fpr, ID: fpr[len(fpr)-16:], Armor: armor}, nil
}

// sign writes a detached signature of file by key to out, as goreleaser's
// signs section does.
func (k *keyring) sign(ctx context.Context, by key, file, out string) error {
	_, err := k.gpg(ctx, "--local-user", by.Fingerprint, "--output", out, "--detach-sign", file)
	return err
}

// verify checks a detached signature against the keyring.
func (k *keyring) verify(ctx context.Context, sig, file string) error {
	_, err := k.gpg(ctx, "--verify", sig, file)
	return err
}

// Close stops this home's gpg-agent, if one started.
func (k *keyring) Close() {
	cmd := exec.Command("gpgconf", "--kill", "gpg-agent")
	cmd.Env = k.env()
	_ = cmd.Run()
}
