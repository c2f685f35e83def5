package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/safefile"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// fileStore keeps each object as a file in one directory, typically on a
// volume several machines mount. It uses the os package directly because
// gocloud's fileblob creates "if not exist" by checking and then writing,
// which two machines can both pass; O_EXCL is one atomic step.
//
// Files are written with mode 0640 whatever the umask: a fleet whose jobs
// run as several users of one group shares the directory when it is theirs
// to write (mode 2770, owned by that group: the setgid bit gives new files
// the directory's group). Writing never needs a file's write permission:
// replacing is a rename, deleting an unlink, both rights of the directory.
type fileStore struct {
	dir   string
	where string

	clockOnce sync.Once
	offset    time.Duration // the file system's clock minus this machine's
}

// fileMode is every object's mode: see fileStore.
const fileMode = 0o640

// maxSweepNames bounds what one Sweep reads of the directory.
const maxSweepNames = 4096

func openFile(loc *Location) (*fileStore, error) {
	dir := localPath(loc.dir)
	where := loc.String()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, newError("open", "", where, nil, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, newError("open", "", where, nil, err)
	}
	if !fi.IsDir() {
		return nil, newError("open", "", where, nil, errors.New("not a directory"))
	}
	return &fileStore{dir: dir, where: where}, nil
}

// localPath turns a file URL's path into this system's form; on Windows
// file:///C:/cache has the path /C:/cache.
func localPath(p string) string {
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return filepath.FromSlash(p)
}

func (s *fileStore) path(op, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", newError(op, safeWord(name), s.where, nil, err)
	}
	return filepath.Join(s.dir, name), nil
}

func (s *fileStore) Read(_ context.Context, name string, limit int64) (tokencache.Object, error) {
	p, err := s.path("read", name)
	if err != nil {
		return tokencache.Object{}, err
	}
	f, err := safefile.Open(p)
	if err != nil {
		return tokencache.Object{}, s.fail("read", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return tokencache.Object{}, s.fail("read", name, err)
	}
	if !fi.Mode().IsRegular() {
		return tokencache.Object{}, newError("read", name, s.where, nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type()))
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return tokencache.Object{}, s.fail("read", name, err)
	}
	return tokencache.Object{Data: data, Modified: fi.ModTime(), StoreNow: s.now()}, nil
}

// now is the file system's clock: this machine's, corrected by the offset
// seen once on a file written for the purpose. On a network file system
// the server stamps mtimes, and its clock is the one every machine
// sharing the volume can agree on.
func (s *fileStore) now() time.Time {
	s.clockOnce.Do(func() {
		f, err := os.CreateTemp(s.dir, ".tmp-clock-*")
		if err != nil {
			return // a volume this machine cannot write to: its own clock will do
		}
		defer os.Remove(f.Name())
		defer f.Close()
		written := time.Now()
		if fi, err := f.Stat(); err == nil {
			s.offset = fi.ModTime().Sub(written)
		}
	})
	return time.Now().Add(s.offset)
}

// Write replaces the object atomically: readers see the old or the new
// content, never a part, because rename within one directory is atomic.
func (s *fileStore) Write(_ context.Context, name string, data []byte) error {
	p, err := s.path("write", name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, tempPrefix+name+"-*")
	if err != nil {
		return s.fail("write", name, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := writeAndSync(tmp, data); err != nil {
		return s.fail("write", name, err)
	}
	if err := safefile.Replace(tmp.Name(), p); err != nil { // waits out readers on Windows
		return s.fail("write", name, err)
	}
	committed = true
	return nil
}

// CreateIfAbsent creates the file with O_EXCL: of several processes, on
// this machine or on others sharing the volume (NFSv3 and later do
// exclusive creates on the server), exactly one succeeds. The content
// follows the create, so a reader may briefly see an empty file; the cache
// writes leases, which are empty, this way.
func (s *fileStore) CreateIfAbsent(_ context.Context, name string, data []byte) error {
	p, err := s.path("create", name)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return s.fail("create", name, err)
	}
	if err := writeAndSync(f, data); err != nil {
		_ = os.Remove(p)
		return s.fail("create", name, err)
	}
	return nil
}

func (s *fileStore) Delete(_ context.Context, name string) error {
	p, err := s.path("delete", name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.fail("delete", name, err)
	}
	return nil
}

// Sweep removes objects for which stale is true, and temporary files of
// writers that crashed, last modified more than olderThan ago by the file
// system's clock. It reads at most maxSweepNames names and never follows a
// symlink or touches a directory.
func (s *fileStore) Sweep(_ context.Context, olderThan time.Duration, stale func(name string) bool) error {
	d, err := os.Open(s.dir)
	if err != nil {
		return s.fail("sweep", "", err)
	}
	entries, _ := d.ReadDir(maxSweepNames)
	_ = d.Close()
	now := s.now()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, tempPrefix) && (checkName(name) != nil || !stale(name)) {
			continue
		}
		if t := e.Type(); t != 0 && t != fs.ModeSymlink {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > olderThan {
			_ = os.Remove(filepath.Join(s.dir, name))
		}
	}
	return nil
}

// tempPrefix starts the names of Write's temporary files, which no object
// name can start with.
const tempPrefix = ".tmp-"

// writeAndSync writes data to f with fileMode, flushes it to the device
// and closes f.
func writeAndSync(f *os.File, data []byte) error {
	// Chmod states the mode whatever the umask did.
	if err := f.Chmod(fileMode); err != nil {
		_ = f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// fail wraps an os error, keeping only its cause (the path is in where)
// and marking a missing or existing file with the tokencache sentinels.
func (s *fileStore) fail(op, name string, err error) error {
	var kind error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kind = tokencache.ErrNotExist
	case errors.Is(err, fs.ErrExist):
		kind = tokencache.ErrExist
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return newError(op, name, s.where, kind, err)
}

// checkName accepts the names the cache uses (hex, digits, dots, as in
// 3f2a….token and 3f2a….1234.lease): nothing that could leave the
// directory or the prefix, collide with a temporary file or need escaping
// in any store.
func checkName(name string) error {
	if !objectName.MatchString(name) || strings.Contains(name, "..") {
		return errors.New("invalid object name: only letters, digits, '.', '_' and '-' (not first, and no \"..\")")
	}
	return nil
}

var objectName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)

var (
	_ tokencache.Store   = (*fileStore)(nil)
	_ tokencache.Sweeper = (*fileStore)(nil)
)
