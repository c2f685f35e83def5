package objectstore

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/tempdir"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/safefile"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// fileURL is dir's file:// URL: file:///tmp/x, and on Windows
// file:///C:/Users/x (the path of a URL starts with a slash; without it
// C: would be the URL's host).
func fileURL(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

func TestFile(t *testing.T) {
	root := tempdir.New(t)
	testConformance(t, func(t *testing.T, prefix string) tokencache.Store {
		return openURL(t, fileURL(filepath.Join(root, prefix)))
	})
}

// The cloud stores' shared logic (prefixes, names, error marks) on an
// in-memory objectAPI that answers as the stores do.
func TestObjectStore_memory(t *testing.T) {
	api := &memAPI{objects: map[string][]byte{}, modified: map[string]time.Time{}}
	testConformance(t, func(t *testing.T, prefix string) tokencache.Store {
		return newObjectStore(api, &Location{scheme: schemeS3, bucket: "memory", prefix: "conformance/" + prefix})
	})
}

type memAPI struct {
	mu       sync.Mutex
	objects  map[string][]byte
	modified map[string]time.Time
}

func (m *memAPI) get(ctx context.Context, key string, limit int64) (tokencache.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return tokencache.Object{}, err
	}
	data, ok := m.objects[key]
	if !ok {
		return tokencache.Object{}, &failure{kind: tokencache.ErrNotExist, cause: errors.New("no such key")}
	}
	return tokencache.Object{Data: bytes.Clone(data[:min(int64(len(data)), limit)]), Modified: m.modified[key], StoreNow: time.Now()}, nil
}

func (m *memAPI) put(ctx context.Context, key string, data []byte, ifAbsent bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, ok := m.objects[key]; ok && ifAbsent {
		return &failure{kind: tokencache.ErrExist, cause: errors.New("exists")}
	}
	m.objects[key] = bytes.Clone(data)
	m.modified[key] = time.Now()
	return nil
}

func (m *memAPI) remove(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	delete(m.objects, key)
	return nil
}

func TestFile_createsDirectory(t *testing.T) {
	dir := filepath.Join(tempdir.New(t), "a", "b")
	s := openURL(t, fileURL(dir))
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %04o, want 0700", fi.Mode().Perm())
	}
	mustWrite(t, s, entry, []byte("x"))
	names := dirNames(t, dir)
	if len(names) != 1 || names[0] != entry {
		t.Errorf("directory holds %v, want only %s (no temporary file left)", names, entry)
	}
}

func TestFile_openOnAFile(t *testing.T) {
	f := filepath.Join(tempdir.New(t), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	loc, err := Parse(fileURL(f))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), loc, Options{})
	if err == nil {
		t.Fatal("Open of a regular file succeeded")
	}
	if want := "open " + fileURL(f) + ": "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
}

// Another machine reading an entry does not make Write fail: on Windows the
// rename waits until the reader closes it.
func TestFile_writeWhileAnotherReads(t *testing.T) {
	dir := tempdir.New(t)
	s := openURL(t, fileURL(dir))
	mustWrite(t, s, entry, []byte("old"))
	f, err := safefile.Open(filepath.Join(dir, entry))
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		time.Sleep(100 * time.Millisecond)
		_ = f.Close()
	}()
	mustWrite(t, s, entry, []byte("new"))
	<-closed
	if got, err := s.Read(context.Background(), entry, 10); err != nil || string(got.Data) != "new" {
		t.Errorf("Read after Write: %q, %v; want the new content", got.Data, err)
	}
}

func TestFile_symlinkIsNotFollowed(t *testing.T) {
	if tempdir.UnderWine() {
		t.Skip("Wine 8.0 makes symlinks that os.Lstat then cannot open (File not found), unlike Windows")
	}
	dir := tempdir.New(t)
	secret := filepath.Join(tempdir.New(t), "elsewhere")
	if err := os.WriteFile(secret, []byte("not the cache's"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, entry)); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("symlinks need a privilege (or developer mode) on Windows: %v", err)
		}
		t.Fatal(err)
	}
	s := openURL(t, fileURL(dir))
	got, err := s.Read(context.Background(), entry, 100)
	if err == nil || errors.Is(err, tokencache.ErrNotExist) {
		t.Fatalf("Read through a symlink: %q, %v; want a failure that is not a miss", got, err)
	}
	// Write replaces the link itself; the file it pointed to is untouched.
	mustWrite(t, s, entry, []byte("cache"))
	if b, _ := os.ReadFile(secret); string(b) != "not the cache's" {
		t.Errorf("Write went through the symlink: target now holds %q", b)
	}
	// CreateIfAbsent treats a link as an existing object, even a dangling one.
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, lease)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIfAbsent(context.Background(), lease, nil); !errors.Is(err, tokencache.ErrExist) {
		t.Errorf("CreateIfAbsent over a dangling symlink: %v, want ErrExist", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CreateIfAbsent created the symlink's target: %v", err)
	}
}

func TestFile_errorsSayWhat(t *testing.T) {
	dir := tempdir.New(t)
	s := openURL(t, fileURL(dir))
	_, err := s.Read(context.Background(), entry, 10)
	want := "read " + entry + " in " + fileURL(dir) + ": no such file or directory"
	if runtime.GOOS != "windows" && (err == nil || err.Error() != want) {
		t.Errorf("Read of a missing object: %v\nwant: %s", err, want)
	}
	err = s.Write(context.Background(), "../escape", nil)
	want = "write … in " + fileURL(dir) + ": invalid object name: only letters, digits, '.', '_' and '-' (not first, and no \"..\")"
	if err == nil || err.Error() != want {
		t.Errorf("Write of ../escape: %v\nwant: %s", err, want)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// Sweep removes the cache's old records and crashed writers' temporary
// files, and nothing else: not a fresh record, not an entry the predicate
// keeps, not a file of another form, not a directory.
func TestFile_sweep(t *testing.T) {
	dir := tempdir.New(t)
	old := time.Now().Add(-2 * time.Hour)
	files := map[string]bool{ // name: swept
		entry[:64] + ".lease":          true,
		entry[:64] + ".failed":         true,
		".tmp-" + entry + "-123":       true,
		entry:                          false, // the predicate keeps it
		"notes.txt":                    false, // not a record's name
		entry[:64] + ".fresh.takeover": false, // written just now
	}
	for name := range files {
		writeTestFile(t, filepath.Join(dir, name), "x")
		if name != entry[:64]+".fresh.takeover" {
			if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Mkdir(filepath.Join(dir, entry[:64]+".dir.takeover"), 0o700); err != nil {
		t.Fatal(err)
	}
	s := openURL(t, fileURL(dir)).(tokencache.Sweeper)
	stale := func(name string) bool { return !strings.HasSuffix(name, ".token") && name != "notes.txt" }
	if err := s.Sweep(context.Background(), time.Hour, stale); err != nil {
		t.Fatal(err)
	}
	for name, swept := range files {
		_, err := os.Lstat(filepath.Join(dir, name))
		if gone := errors.Is(err, fs.ErrNotExist); gone != swept {
			t.Errorf("%s: removed %v, want %v", name, gone, swept)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, entry[:64]+".dir.takeover")); err != nil {
		t.Errorf("Sweep removed a directory: %v", err)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
