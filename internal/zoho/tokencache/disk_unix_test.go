//go:build unix && !aix && !solaris

package tokencache_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// hangLimit is a hang detector, not a timing assertion: a Get that takes this
// long is stuck, whatever the machine's load.
const hangLimit = 5 * time.Second

// getWithin is Get with a hang detector; it expects a result from want.
func getWithin(t *testing.T, c *tokencache.Cache, key tokencache.Key, m *minter, want tokencache.Source) *zoho.Token {
	t.Helper()
	select {
	case r := <-goGet(context.Background(), c, key, m):
		if r.err != nil {
			t.Fatalf("Get: %v", r.err)
		}
		if r.src != want {
			t.Fatalf("Get source = %v, want %v", r.src, want)
		}
		return r.tok
	case <-time.After(hangLimit):
		t.Fatalf("Get still blocked after %s: a cache read must never hang a run", hangLimit)
	}
	return nil
}

// mkfifo puts a named pipe at path and, at cleanup, opens it for writing once
// so that a reader stuck in open(2) (the bug this guards against) wakes up
// instead of outliving the test.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}

// bigToken seals to an entry larger than any real one could be.
func bigToken(clk interface{ Now() time.Time }) *zoho.Token {
	scopes := make([]string, 5000)
	for i := range scopes {
		scopes[i] = "ZohoCRM.modules.custom.ALL"
	}
	return &zoho.Token{AccessToken: "1000.big", Scopes: scopes, ExpiresAt: clk.Now().Add(time.Hour)}
}

func TestDisk_FIFOAtEntryPathDoesNotBlock(t *testing.T) {
	dir, clk := t.TempDir(), newClock()
	mkfifo(t, entryPath(dir, refreshKey))
	m := newMinter(clk)
	getWithin(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceMinted)
	getWithin(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceDisk) // replaced by a real entry
}

func TestDisk_SymlinkAtEntryPathIsNotFollowed(t *testing.T) {
	t.Run("to the zero device", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip(err)
		}
		dir, clk := t.TempDir(), newClock()
		if err := os.Symlink("/dev/zero", entryPath(dir, refreshKey)); err != nil {
			t.Fatal(err)
		}
		getWithin(t, newCache(t, dir, clk), refreshKey, newMinter(clk), tokencache.SourceMinted)
	})
	t.Run("to a valid entry", func(t *testing.T) {
		// Whoever can plant a link could point it anywhere: the cache reads
		// nothing through one, even what would open.
		dir, clk := t.TempDir(), newClock()
		m := newMinter(clk)
		mustGet(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceMinted)
		elsewhere := filepath.Join(t.TempDir(), "entry")
		if err := os.Rename(entryPath(dir, refreshKey), elsewhere); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(elsewhere, entryPath(dir, refreshKey)); err != nil {
			t.Fatal(err)
		}
		getWithin(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceMinted)
		if fi, err := os.Lstat(entryPath(dir, refreshKey)); err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("the write did not replace the link with a regular entry: %v %v", fi, err)
		}
		if _, err := os.Stat(elsewhere); err != nil {
			t.Fatalf("the link's target was touched: %v", err)
		}
	})
}

func TestDisk_OversizedEntryIsNotRead(t *testing.T) {
	dir, clk := t.TempDir(), newClock()
	sealed, err := tokencache.Seal(refreshKey, bigToken(clk))
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) <= tokencache.MaxEntrySize {
		t.Fatalf("test entry is only %d bytes; the cap is %d", len(sealed), tokencache.MaxEntrySize)
	}
	if err := os.WriteFile(entryPath(dir, refreshKey), sealed, 0o600); err != nil {
		t.Fatal(err)
	}
	got := getWithin(t, newCache(t, dir, clk), refreshKey, newMinter(clk), tokencache.SourceMinted)
	if got.AccessToken == "1000.big" {
		t.Fatal("the oversized entry was used")
	}
}

// A bad file at an entry's path is removed when it is read, so it does not
// linger when the mint that would replace it fails.
func TestDisk_BadEntryIsRemovedEvenWhenMintFails(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	valid := func(t *testing.T, dir string, clk interface{ Now() time.Time }) []byte {
		sealed, err := tokencache.Seal(refreshKey, &zoho.Token{AccessToken: "a", ExpiresAt: clk.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return sealed
	}
	write := func(t *testing.T, path string, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		plant   func(t *testing.T, dir, path string, clk interface{ Now() time.Time })
		advance time.Duration
	}{
		{"corrupt", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) {
			b := valid(t, dir, clk)
			b[bodyOffset] ^= 1
			write(t, path, b)
		}, 0},
		{"truncated", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) {
			write(t, path, valid(t, dir, clk)[:bodyOffset])
		}, 0},
		{"wrong magic", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) {
			b := valid(t, dir, clk)
			b[0] = 'X'
			write(t, path, b)
		}, 0},
		{"empty", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) { write(t, path, nil) }, 0},
		{"foreign", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) {
			b, err := tokencache.Seal(clientCredsKey, &zoho.Token{AccessToken: "a", ExpiresAt: clk.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			write(t, path, b)
		}, 0},
		{"expired", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) {
			write(t, path, valid(t, dir, clk))
		}, time.Hour},
		{"oversized", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) {
			b, err := tokencache.Seal(refreshKey, bigToken(clk))
			if err != nil {
				t.Fatal(err)
			}
			write(t, path, b)
		}, 0},
		{"fifo", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) { mkfifo(t, path) }, 0},
		{"symlink", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) {
			if err := os.Symlink(outside, path); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"dangling symlink", func(t *testing.T, dir, path string, clk interface{ Now() time.Time }) {
			if err := os.Symlink(filepath.Join(dir, "nowhere"), path); err != nil {
				t.Fatal(err)
			}
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, clk := t.TempDir(), newClock()
			path := entryPath(dir, refreshKey)
			tt.plant(t, dir, path, clk)
			clk.Advance(tt.advance)
			down := newMinter(clk)
			down.err = errors.New("zoho is down")
			c := newCache(t, dir, clk)
			select {
			case r := <-goGet(context.Background(), c, refreshKey, down):
				if !errors.Is(r.err, down.err) {
					t.Fatalf("Get: src %v err %v, want the mint's error", r.src, r.err)
				}
			case <-time.After(hangLimit):
				t.Fatalf("Get still blocked after %s", hangLimit)
			}
			if fi, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("the bad entry is still there (%v, %v)", fi, err)
			}
			if b, err := os.ReadFile(outside); err != nil || string(b) != "not ours" {
				t.Fatalf("a link's target was touched: %q %v", b, err)
			}
		})
	}
}

func TestDisk_KeptWhenMintFails(t *testing.T) {
	t.Run("inside the margin but not expired", func(t *testing.T) {
		// Too close to expiry for this cache, but still a working token
		// (another process may use a smaller margin): not garbage.
		dir, clk := t.TempDir(), newClock()
		mustGet(t, newCache(t, dir, clk), refreshKey, newMinter(clk), tokencache.SourceMinted)
		clk.Advance(56 * time.Minute)
		down := newMinter(clk)
		down.err = errors.New("zoho is down")
		if _, _, err := newCache(t, dir, clk).Get(t.Context(), refreshKey, down); !errors.Is(err, down.err) {
			t.Fatalf("err = %v", err)
		}
		if _, err := os.Stat(entryPath(dir, refreshKey)); err != nil {
			t.Fatalf("a live entry was removed: %v", err)
		}
	})
	t.Run("a directory", func(t *testing.T) {
		dir, clk := t.TempDir(), newClock()
		if err := os.Mkdir(entryPath(dir, refreshKey), 0o700); err != nil {
			t.Fatal(err)
		}
		down := newMinter(clk)
		down.err = errors.New("zoho is down")
		if _, _, err := newCache(t, dir, clk).Get(t.Context(), refreshKey, down); !errors.Is(err, down.err) {
			t.Fatalf("err = %v", err)
		}
		if fi, err := os.Lstat(entryPath(dir, refreshKey)); err != nil || !fi.IsDir() {
			t.Fatalf("the directory at the entry path was removed: %v", err)
		}
	})
}

func TestDisk_SweepRemovesDeadFilesOncePerProcess(t *testing.T) {
	dir, clk := t.TempDir(), newClock()
	c := newCache(t, dir, clk)
	hexName := func(seed string) string { return tokencache.Key{ClientID: seed}.ID() }
	old, recent := clk.Now().Add(-4*time.Hour), clk.Now().Add(-30*time.Minute)
	files := []struct {
		name  string
		mtime time.Time
		gone  bool
	}{
		{hexName("stale") + ".token", old, true},
		{hexName("stale tmp") + ".123456789.tmp", old, true},
		{hexName("live") + ".token", recent, false},
		{hexName("writing") + ".987.tmp", recent, false},
		// Not ours: never touched, however old.
		{"notes.txt", old, false},
		{hexName("bak") + ".token.bak", old, false},
		{strings.ToUpper(hexName("upper")) + ".token", old, false},
		{hexName("short")[1:] + ".token", old, false},
		{"x.tmp", old, false},
		{hexName("tmp") + ".tmp", old, false},
		{hexName("tmp2") + ".12a.tmp", old, false},
		{".token", old, false},
	}
	plant := func(name string, mtime time.Time) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		plant(f.name, f.mtime)
	}
	// A directory with an entry's name is never removed either.
	oldDir := filepath.Join(dir, hexName("a dir")+".token")
	if err := os.Mkdir(oldDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(oldDir, old, old); err != nil {
		t.Fatal(err)
	}

	mustGet(t, c, refreshKey, newMinter(clk), tokencache.SourceMinted) // writes, so sweeps
	for _, f := range files {
		_, err := os.Lstat(filepath.Join(dir, f.name))
		if gone := errors.Is(err, fs.ErrNotExist); gone != f.gone {
			t.Errorf("%s: removed = %v, want %v (err %v)", f.name, gone, f.gone, err)
		}
	}
	if _, err := os.Stat(oldDir); err != nil {
		t.Errorf("the sweep removed a directory: %v", err)
	}
	if _, err := os.Stat(entryPath(dir, refreshKey)); err != nil {
		t.Errorf("the sweep removed the entry just written: %v", err)
	}

	// Once per process: later writes, from this cache or another one on the
	// same directory, leave new dead files to the next process.
	late := hexName("late") + ".token"
	plant(late, old)
	mustGet(t, c, clientCredsKey, newMinter(clk), tokencache.SourceMinted)
	other := refreshKey
	other.RefreshToken = "1000.other"
	mustGet(t, newCache(t, dir, clk), other, newMinter(clk), tokencache.SourceMinted)
	if _, err := os.Stat(filepath.Join(dir, late)); err != nil {
		t.Errorf("a second sweep ran in the same process: %v", err)
	}
}

// Reading never changes a good entry, whatever the cache finds beside it.
func TestDisk_GoodEntryUntouchedByRead(t *testing.T) {
	dir, clk := t.TempDir(), newClock()
	m := newMinter(clk)
	mustGet(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceMinted)
	before := readEntry(t, dir, refreshKey)
	mustGet(t, newCache(t, dir, clk), refreshKey, m, tokencache.SourceDisk)
	if !bytes.Equal(before, readEntry(t, dir, refreshKey)) {
		t.Fatal("a disk hit rewrote the entry")
	}
}
