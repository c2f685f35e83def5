package tempdir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNew(t *testing.T) {
	var dir string
	t.Run("uses", func(t *testing.T) {
		dir = New(t)
		if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"f", "a/g", "a/b/h"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still there after its test: %v", dir, err)
	}
}

func TestRemoveEachFile(t *testing.T) {
	dir := New(t)
	target := filepath.Join(dir, "target")
	if err := os.MkdirAll(filepath.Join(target, "kept"), 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "victim")
	if err := os.MkdirAll(filepath.Join(victim, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(victim, "sub", "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(victim, "link")); err != nil {
		t.Log("no symlink here:", err)
	}
	if err := removeEachFile(victim); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(victim); !os.IsNotExist(err) {
		t.Errorf("victim still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, "kept")); err != nil {
		t.Errorf("a symlink's target was removed: %v", err)
	}
}
