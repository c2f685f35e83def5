//go:build unix && !aix && !solaris

package tokencache_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// newErr is New's error for dir, failing the test when New accepts it.
func newErr(t *testing.T, dir string) string {
	t.Helper()
	if _, err := tokencache.New(tokencache.Options{Dir: dir}); err != nil {
		return err.Error()
	}
	t.Fatalf("New accepted %s (mode %v)", dir, modeOf(t, dir))
	return ""
}

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func wantAll(t *testing.T, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q does not say %q", msg, p)
		}
	}
}

// An existing directory is used only when it is ours and nobody else can
// write to it: a writable one lets another user plant or swap entries.
func TestNew_RefusesDirectoryWritableByOthers(t *testing.T) {
	tests := []struct {
		mode os.FileMode
		says string
	}{
		{0o777, "writable by other users (mode 0777)"},
		{0o707, "writable by other users (mode 0707)"},
		{0o702, "writable by other users (mode 0702)"},
		{0o770, "writable by its group (mode 0770)"},
		{0o720, "writable by its group (mode 0720)"},
		{0o777 | os.ModeSticky, "writable by other users (mode 0777)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v", tt.mode), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tt.mode); err != nil {
				t.Fatal(err)
			}
			msg := newErr(t, dir)
			wantAll(t, msg, dir, tt.says, "chmod 700")
			if got := modeOf(t, dir); got != os.ModeDir|tt.mode {
				t.Errorf("New changed the mode of a directory it refused: %v", got)
			}
		})
	}
	for _, mode := range []os.FileMode{0o700, 0o750, 0o755, 0o705, 0o500} {
		t.Run(fmt.Sprintf("%v is fine", mode), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			if err := os.Mkdir(dir, mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, mode); err != nil {
				t.Fatal(err)
			}
			if _, err := tokencache.New(tokencache.Options{Dir: dir}); err != nil {
				t.Fatalf("New refused a directory with mode %v: %v", mode, err)
			}
		})
	}
}

func TestNew_RefusesDirectoryOfAnotherUser(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	const other = 65534 // nobody
	if err := os.Chown(dir, other, -1); err != nil {
		t.Skipf("cannot give a directory away here (needs root): %v", err)
	}
	msg := newErr(t, dir)
	wantAll(t, msg, dir, fmt.Sprintf("belongs to uid %d, not to this user (uid %d)", other, os.Geteuid()))
}

func TestNew_CreatesDirectoryWithMode0700WhateverTheUmask(t *testing.T) {
	for _, umask := range []int{0, 0o022, 0o077, 0o277} {
		t.Run(fmt.Sprintf("umask %04o", umask), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			old := syscall.Umask(umask)
			_, err := tokencache.New(tokencache.Options{Dir: dir})
			syscall.Umask(old)
			if err != nil {
				t.Fatal(err)
			}
			assertMode(t, dir, os.ModeDir|0o700)
		})
	}
}

func TestNew_PathThatIsNotADirectory(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(base, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, says := range map[string]string{file: "is not a directory", fifo: "is not a directory"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			wantAll(t, newErr(t, path), path, says)
		})
	}
}

// A symlink as the directory itself is followed, and its target must pass the
// same checks as a directory named directly.
func TestNew_SymlinkedDirectory(t *testing.T) {
	base := t.TempDir()
	good := filepath.Join(base, "good")
	bad := filepath.Join(base, "bad")
	for dir, mode := range map[string]os.FileMode{good: 0o700, bad: 0o777} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target string) string {
		l := filepath.Join(base, "to-"+filepath.Base(target))
		if err := os.Symlink(target, l); err != nil {
			t.Fatal(err)
		}
		return l
	}

	t.Run("to a good directory", func(t *testing.T) {
		l, clk := link(good), newClock()
		m := newMinter(clk)
		mustGet(t, newCache(t, l, clk), refreshKey, m, tokencache.SourceMinted)
		if _, err := os.Stat(entryPath(good, refreshKey)); err != nil {
			t.Fatalf("the entry is not in the link's target: %v", err)
		}
		mustGet(t, newCache(t, l, clk), refreshKey, m, tokencache.SourceDisk)
	})
	t.Run("to a directory writable by others", func(t *testing.T) {
		wantAll(t, newErr(t, link(bad)), "writable by other users (mode 0777)")
	})
	t.Run("dangling", func(t *testing.T) {
		l := link(filepath.Join(base, "missing"))
		newErr(t, l)
		if _, err := os.Lstat(filepath.Join(base, "missing")); err == nil {
			t.Error("New created the target of a dangling symlink")
		}
	})
}
