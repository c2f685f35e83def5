package tokencache_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/tempdir"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// Layout of an entry, as the design fixes it: magic(4) version(1) nonce(12)
// ciphertext with a 16-byte GCM tag.
const (
	versionOffset = 4
	nonceOffset   = 5
	bodyOffset    = 17
)

func TestDisk_PlanThenApplyMintOnce(t *testing.T) {
	for name, key := range map[string]tokencache.Key{"refresh token": refreshKey, "client credentials": clientCredsKey} {
		t.Run(name, func(t *testing.T) {
			dir, clk := tempdir.New(t), newClock()
			m := newMinter(clk)
			planned := mustGet(t, newCache(t, dir, clk), key, m, tokencache.SourceMinted)

			clk.Advance(10 * time.Minute)
			apply := newCache(t, dir, clk)
			applied := mustGet(t, apply, key, m, tokencache.SourceDisk)
			if !sameToken(planned, applied) {
				t.Fatalf("disk gave %+v, plan minted %+v", applied, planned)
			}
			if m.Calls() != 1 {
				t.Fatalf("mint called %d times across two processes, want 1", m.Calls())
			}

			// The disk hit is now in memory: it survives the file going away.
			if err := os.Remove(entryPath(dir, key)); err != nil {
				t.Fatal(err)
			}
			mustGet(t, apply, key, m, tokencache.SourceMemory)
		})
	}
}

func TestDisk_ModesAndNoSecretsInFile(t *testing.T) {
	for name, key := range map[string]tokencache.Key{"refresh token": refreshKey, "client credentials": clientCredsKey} {
		t.Run(name, func(t *testing.T) {
			dir, clk := filepath.Join(tempdir.New(t), "not", "yet", "there"), newClock()
			tok := mustGet(t, newCache(t, dir, clk), key, newMinter(clk), tokencache.SourceMinted)

			t.Run("unix modes", func(t *testing.T) {
				if runtime.GOOS == "windows" {
					t.Skip("Windows has no Unix mode bits (os.Stat reports 0777 and 0666 whatever was asked): the directory's ACLs protect the cache there")
				}
				assertMode(t, dir, os.ModeDir|0o700)
				assertMode(t, entryPath(dir, key), 0o600)
			})
			raw := readEntry(t, dir, key)
			for what, secret := range map[string]string{
				"access token":  tok.AccessToken,
				"refresh token": "1000.refreshrefreshrefresh0123.fedcba9876543210",
				"client secret": key.ClientSecret,
				"api domain":    tok.APIDomain,
			} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("the cache file contains the %s in clear", what)
				}
			}
			if leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(leftovers) > 0 {
				t.Errorf("temp files left behind: %v", leftovers)
			}
		})
	}
}

func TestDisk_DamagedEntryIsReplaced(t *testing.T) {
	flip := func(i func(n int) int) func(b []byte) []byte {
		return func(b []byte) []byte { b[i(len(b))] ^= 0x01; return b }
	}
	at := func(i int) func(int) int { return func(int) int { return i } }
	tests := []struct {
		name    string
		damage  func([]byte) []byte
		advance time.Duration // moves the clock instead of (or as well as) damaging
	}{
		{"flipped magic", flip(at(0)), 0},
		{"wrong version", func(b []byte) []byte { b[versionOffset] = 2; return b }, 0},
		{"flipped nonce", flip(at(nonceOffset)), 0},
		{"flipped ciphertext", flip(at(bodyOffset + 3)), 0},
		{"flipped tag", flip(func(n int) int { return n - 1 }), 0},
		{"truncated by one byte", func(b []byte) []byte { return b[:len(b)-1] }, 0},
		{"truncated to the header", func(b []byte) []byte { return b[:nonceOffset] }, 0},
		{"empty", func([]byte) []byte { return nil }, 0},
		{"garbage", func(b []byte) []byte { return bytes.Repeat([]byte("not a token cache entry "), 10) }, 0},
		{"plain json", func([]byte) []byte { return []byte(`{"access_token":"x","expires_at":"2999-01-01T00:00:00Z"}`) }, 0},
		{"expired", func(b []byte) []byte { return b }, 56 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, clk := tempdir.New(t), newClock()
			m := newMinter(clk)
			mustGet(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceMinted)
			path := entryPath(dir, refreshKey)
			if err := os.WriteFile(path, tt.damage(readEntry(t, dir, refreshKey)), 0o600); err != nil {
				t.Fatal(err)
			}
			clk.Advance(tt.advance)

			replacement := mustGet(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceMinted)
			if m.Calls() != 2 {
				t.Fatalf("mint called %d times, want 2", m.Calls())
			}
			third := mustGet(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceDisk)
			if !sameToken(replacement, third) {
				t.Fatalf("the replaced entry holds %+v, want %+v", third, replacement)
			}
		})
	}
}

// The read that finds a damaged entry removes it, so it does not linger when
// the mint that would replace it fails: on every platform (on Windows the
// entry is still open for reading when it is removed; disk_unix_test.go has
// the cases only Unix can plant, links and pipes).
func TestDisk_DamagedEntryIsRemovedEvenWhenMintFails(t *testing.T) {
	dir, clk := tempdir.New(t), newClock()
	mustGet(t, newCache(t, dir, clk), refreshKey, newMinter(clk), tokencache.SourceMinted)
	path := entryPath(dir, refreshKey)
	damaged := readEntry(t, dir, refreshKey)
	damaged[bodyOffset] ^= 1
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	down := newMinter(clk)
	down.err = errors.New("zoho is down")
	if _, _, err := newCache(t, dir, clk).Get(context.Background(), refreshKey, down); !errors.Is(err, down.err) {
		t.Fatalf("Get: %v, want the mint's error", err)
	}
	if fi, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the damaged entry is still there (%v, %v)", fi, err)
	}
}

func TestDisk_ForeignEntryIsIgnored(t *testing.T) {
	with := func(base tokencache.Key, edit func(*tokencache.Key)) tokencache.Key {
		edit(&base)
		return base
	}
	tests := []struct {
		name       string
		owner, key tokencache.Key
	}{
		{"other refresh token", refreshKey, with(refreshKey, func(k *tokencache.Key) { k.RefreshToken = "1000.someone.else" })},
		{"other client secret", refreshKey, with(refreshKey, func(k *tokencache.Key) { k.ClientSecret = "another-secret" })},
		{"same secrets, other client id", refreshKey, with(refreshKey, func(k *tokencache.Key) { k.ClientID = "1000.OTHER" })},
		{"same secrets, other data center", refreshKey, with(refreshKey, func(k *tokencache.Key) { k.AccountsURL = "https://accounts.zoho.eu" })},
		{"client credentials, other soid", clientCredsKey, with(clientCredsKey, func(k *tokencache.Key) { k.SOID = "ZohoCRM.9" })},
		{"client credentials, other secret", clientCredsKey, with(clientCredsKey, func(k *tokencache.Key) { k.ClientSecret = "x" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, clk := tempdir.New(t), newClock()
			m := newMinter(clk)
			mustGet(t, newCache(t, dir, clk), tt.owner, m, tokencache.SourceMinted)
			if err := os.WriteFile(entryPath(dir, tt.key), readEntry(t, dir, tt.owner), 0o600); err != nil {
				t.Fatal(err)
			}
			own := mustGet(t, newCache(t, dir, clk), tt.key, m, tokencache.SourceMinted)
			if got := mustGet(t, newCache(t, dir, clk), tt.key, m, tokencache.SourceDisk); !sameToken(own, got) {
				t.Fatalf("the foreign entry was not replaced: got %+v", got)
			}
		})
	}
}

func TestDisk_UnusableFileDoesNotFailGet(t *testing.T) {
	dir, clk := tempdir.New(t), newClock()
	// A directory where the entry should be: reading fails (not with
	// not-exist) and the rename over it fails too.
	blocked := entryPath(dir, refreshKey)
	if err := os.MkdirAll(filepath.Join(blocked, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	var failed []error
	c, err := tokencache.New(tokencache.Options{Dir: dir, Now: clk.Now, WriteFailed: func(_ context.Context, err error) { failed = append(failed, err) }})
	if err != nil {
		t.Fatal(err)
	}
	m := newMinter(clk)
	mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
	if len(failed) != 1 || failed[0] == nil {
		t.Fatalf("WriteFailed got %v after a write that cannot have worked, want one error", failed)
	}
	mustGet(t, c, refreshKey, m, tokencache.SourceMemory)

	mustGet(t, c, clientCredsKey, m, tokencache.SourceMinted)
	if len(failed) != 1 {
		t.Fatalf("WriteFailed got %v; a memory hit and a good write must not report again", failed)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(leftovers) > 0 {
		t.Errorf("temp files left behind: %v", leftovers)
	}
}

func TestDisk_ConcurrentWritersLeaveAWholeEntry(t *testing.T) {
	dir, clk := tempdir.New(t), newClock()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			// Separate instances: separate processes racing on one file.
			c, err := tokencache.New(tokencache.Options{Dir: dir, Now: clk.Now})
			if err == nil {
				_, _, err = c.Get(context.Background(), refreshKey, newMinter(clk))
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mustGet(t, newCache(t, dir, clk), refreshKey, newMinter(clk), tokencache.SourceDisk)
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(leftovers) > 0 {
		t.Errorf("temp files left behind: %v", leftovers)
	}
}

func TestSealOpen_RoundTrip(t *testing.T) {
	exp := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	tests := []struct {
		name string
		tok  zoho.Token
	}{
		{"full", zoho.Token{AccessToken: "a", RefreshToken: "r", APIDomain: "d", TokenType: "Bearer", Scopes: []string{"s1", "s2"}, ExpiresAt: exp}},
		{"no scopes", zoho.Token{AccessToken: "a", ExpiresAt: exp}},
		{"empty scopes", zoho.Token{AccessToken: "a", Scopes: []string{}, ExpiresAt: exp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := tokencache.Seal(refreshKey, &tt.tok)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tokencache.Open(refreshKey, sealed)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.tok
			want.RefreshToken = "" // never sealed
			if !sameToken(&want, got) || (want.Scopes == nil) != (got.Scopes == nil) {
				t.Fatalf("round trip gave %+v, want %+v", got, want)
			}
			again, _ := tokencache.Seal(refreshKey, &tt.tok)
			if bytes.Equal(sealed, again) {
				t.Fatal("two seals of one token are identical: the nonce is not fresh")
			}
		})
	}
}

func sameToken(a, b *zoho.Token) bool {
	return a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken &&
		a.APIDomain == b.APIDomain && a.TokenType == b.TokenType &&
		a.ExpiresAt.Equal(b.ExpiresAt) && equalStrings(a.Scopes, b.Scopes)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode(); got != want {
		t.Errorf("%s has mode %v, want %v", filepath.Base(path), got, want)
	}
}
