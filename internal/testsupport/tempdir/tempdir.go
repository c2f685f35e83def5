// Package tempdir gives tests a temporary directory that is removed when
// the test ends, on every platform the tests run on, Wine included.
//
// New is t.TempDir, plus one workaround for Wine 8.0 (scripts/wine-test.sh
// runs the Windows builds of the tests there): Go's os.RemoveAll deletes a
// directory's entries with NtSetInformationFile(FileDispositionInformationEx),
// which Wine 8.0 does not implement; Go falls back to the older call only on
// the statuses Windows answers, not on Wine's, so RemoveAll fails with
// "Invalid function" on any directory that holds a file, and t.TempDir's
// cleanup fails the test. os.Remove of a file or an empty directory works
// there, so under Wine New empties the directory with os.Remove, bottom up,
// before t.TempDir's own cleanup runs. Elsewhere it is t.TempDir itself.
package tempdir

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// New returns a new temporary directory for the test, removed when the test
// and its subtests end.
func New(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if underWine() {
		// Cleanups run last registered first: this one before t.TempDir's.
		t.Cleanup(func() {
			if err := removeEachFile(dir); err != nil {
				t.Errorf("tempdir: emptying %s under Wine: %v", dir, err)
			}
		})
	}
	return dir
}

// UnderWine reports whether the test runs under Wine, for a test that must
// say why it skips something there.
func UnderWine() bool { return underWine() }

// removeEachFile removes dir and everything below it with os.Remove alone:
// the deepest names first, so that each directory is empty when its turn
// comes. Symlinks are removed, never followed.
func removeEachFile(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, path)
		return nil
	})
	if err != nil {
		return err
	}
	// WalkDir lists a directory before its entries: reversed, entries first.
	slices.Reverse(paths)
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
