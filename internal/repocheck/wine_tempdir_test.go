package repocheck

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tests that scripts/wine-test.sh runs under Wine (internal/zoho/...)
// take their directories from internal/testsupport/tempdir: under Wine 8.0,
// t.TempDir's cleanup fails ("Invalid function") once the directory holds a
// file. This finds a t.TempDir in a test file built for Windows here, on
// Linux, before the Wine step of make test fails on it.
var tDotTempDir = regexp.MustCompile(`\bt\.TempDir\(\)`)

func TestWineTestsUseTempdirNew(t *testing.T) {
	windows := build.Default
	windows.GOOS, windows.GOARCH, windows.CgoEnabled = "windows", "amd64", false
	root := "../zoho"
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		if ok, err := windows.MatchFile(filepath.Dir(path), d.Name()); err != nil || !ok {
			return err
		}
		checked++
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(body), "\n") {
			if tDotTempDir.MatchString(line) {
				t.Errorf("%s:%d: t.TempDir() in a test that runs under Wine (scripts/wine-test.sh): use tempdir.New(t) (internal/testsupport/tempdir)", path, i+1)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatalf("no test file of %s builds for windows: the walk is wrong", root)
	}
}
