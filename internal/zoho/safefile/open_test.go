package safefile_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/tempdir"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/safefile"
)

func TestOpen_regularFile(t *testing.T) {
	path := filepath.Join(tempdir.New(t), "entry")
	writeFile(t, path, "content")
	f, err := safefile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b, err := io.ReadAll(f); err != nil || string(b) != "content" {
		t.Errorf("read %q, %v", b, err)
	}
}

func TestOpen_missingIsNotExist(t *testing.T) {
	_, err := safefile.Open(filepath.Join(tempdir.New(t), "missing"))
	if !os.IsNotExist(err) {
		t.Errorf("Open of a missing file: %v, want a not-exist error", err)
	}
}

func TestOpen_symlinkIsNotFollowed(t *testing.T) {
	if tempdir.UnderWine() {
		t.Skip("Wine 8.0 makes symlinks that os.Lstat then cannot open (File not found), unlike Windows")
	}
	dir := tempdir.New(t)
	target := filepath.Join(dir, "elsewhere")
	writeFile(t, target, "not the cache's")
	link := filepath.Join(dir, "entry")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlinks here (Windows without the privilege to create them): %v", err)
	}
	if f, err := safefile.Open(link); err == nil {
		// Windows may open the link itself: what it reads is never the target.
		defer f.Close()
		fi, serr := f.Stat()
		b, _ := io.ReadAll(f)
		if serr == nil && fi.Mode().IsRegular() || string(b) == "not the cache's" {
			t.Errorf("Open followed the symlink: read %q, mode %v", b, fi.Mode())
		}
	}
}

// A reader must not stop another process from removing the name it has
// open: the token cache removes a bad entry while the read that found it
// still has it open, and sweepers remove old files others may be reading.
// Unix never blocks that; Windows does unless every reader shares delete
// access.
func TestOpen_readerDoesNotStopRemoval(t *testing.T) {
	path := filepath.Join(tempdir.New(t), "entry")
	writeFile(t, path, "old")
	f, err := safefile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Remove(path); err != nil {
		t.Fatalf("removing a name a reader has open: %v", err)
	}
	if b, err := io.ReadAll(f); err != nil || string(b) != "old" {
		t.Errorf("the reader read %q, %v; want what it opened", b, err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A writer replaces a name a reader has open, as the token cache and a
// file:// store replace an entry (write a temporary file, rename it over):
// at once on Unix; on Windows once the reader closes it.
func TestReplace_nameAReaderHasOpen(t *testing.T) {
	dir := tempdir.New(t)
	path := filepath.Join(dir, "entry")
	writeFile(t, path, "old")
	f, err := safefile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b, err := io.ReadAll(f)
		if err != nil || string(b) != "old" {
			t.Errorf("the reader read %q, %v; want what it opened", b, err)
		}
		time.Sleep(100 * time.Millisecond) // a slow reader
		_ = f.Close()
	}()
	next := filepath.Join(dir, "next")
	writeFile(t, next, "new")
	if err := safefile.Replace(next, path); err != nil {
		t.Fatalf("replacing a name a reader has open: %v", err)
	}
	<-done
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("the name holds %q, want the new content", b)
	}
}

func TestReplace_directoryIsNotReplaced(t *testing.T) {
	dir := tempdir.New(t)
	target := filepath.Join(dir, "entry")
	if err := os.Mkdir(filepath.Join(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "inside"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	next := filepath.Join(dir, "next")
	writeFile(t, next, "new")
	start := time.Now()
	if err := safefile.Replace(next, target); err == nil {
		t.Fatal("Replace over a directory succeeded")
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("Replace over a directory took %s: it must not wait for readers", took)
	}
}
