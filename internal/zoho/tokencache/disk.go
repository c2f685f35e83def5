package tokencache

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/safefile"
)

const (
	// maxEntrySize bounds what read accepts. A real entry is a few hundred
	// bytes; anything near this is not ours.
	maxEntrySize = 64 << 10
	// staleAfter: a file of ours last modified longer ago than this is dead.
	// Zoho's access tokens live an hour, so an entry written three hours ago
	// holds an expired token whoever it was for (the extra hours absorb clock
	// skew, e.g. on a network filesystem); a temp file that old belongs to a
	// writer that crashed.
	staleAfter = 3 * time.Hour
	// maxSweepEntries bounds one sweep: a huge directory costs a bounded time,
	// and the rest is left to the next process.
	maxSweepEntries = 4096
)

// swept holds the directories this process has swept (see sweepOnce).
var swept sync.Map

// disk is the optional on-disk layer: one sealed file per key in dir (a
// directory prepareDir has checked; symlinks resolved).
type disk struct {
	dir string
}

func (d disk) path(id string) string {
	return filepath.Join(d.dir, id+".token")
}

// read returns the entry for key, or nil when there is none worth using. Every
// failure (missing, unreadable, truncated, foreign, corrupt) means "mint
// instead": the cache only saves requests, it must never cost one.
//
// Only a regular file of at most maxEntrySize bytes is read. A symlink at the
// path is not followed and a named pipe is not read (so neither a pipe nor a
// link to /dev/zero can stall or flood the read), whoever planted them.
//
// What is found there and is not a usable entry (a symlink, a pipe, an
// oversized, truncated, corrupt or foreign file, or an expired token) is
// removed, so it does not outlive a failing mint. A token that is merely too
// close to expiry for this cache's margin stays: it is still valid, and the
// mint that follows replaces it anyway. An I/O error is not evidence against
// the file, nor is a directory at the path: both stay.
func (d disk) read(key Key, id string, now time.Time) *zoho.Token {
	path := d.path(id)
	f, err := safefile.Open(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			d.discard(path, nil) // removes a symlink there, nothing else
		}
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxEntrySize {
		d.discard(path, fi)
		return nil
	}
	// Read one byte past the cap: the file may have grown since fstat.
	sealed, err := io.ReadAll(io.LimitReader(f, maxEntrySize+1))
	if err != nil {
		return nil
	}
	if len(sealed) > maxEntrySize {
		d.discard(path, fi)
		return nil
	}
	tok, err := open(key, id, sealed)
	if err != nil || !tok.ExpiresAt.After(now) {
		d.discard(path, fi)
		return nil
	}
	return tok
}

// discard removes a bad entry, best effort, and never through a link. With
// opened (the file read found there), it removes what is at path only if it
// is still that file, and that file is a regular file, a symlink or a named
// pipe: never a directory, never another process's fresher entry renamed in
// meanwhile (bar the instant between the check and the unlink, which costs
// at worst one mint). Without opened, it removes only a symlink.
func (d disk) discard(path string, opened fs.FileInfo) {
	fi, err := os.Lstat(path)
	if err != nil {
		return
	}
	switch t := fi.Mode().Type(); {
	case opened == nil && t != fs.ModeSymlink:
		return
	case opened != nil && t != 0 && t != fs.ModeNamedPipe:
		return
	case opened != nil && !os.SameFile(opened, fi):
		return
	}
	_ = unlink(path)
}

// write replaces the entry atomically: a temp file in the same directory
// (so rename stays on one filesystem), synced, then renamed over the target.
// Concurrent writers (plan and apply, parallel resources) therefore leave
// one whole entry, never a torn one.
//
// Nothing planted at the path fools it: CreateTemp creates a new file
// (O_CREATE|O_EXCL, which also refuses to follow a symlink), and rename
// replaces whatever name is at the target (a symlink or a named pipe
// included) without following or opening it. Only a directory there makes it
// fail.
func (d disk) write(key Key, id string, tok *zoho.Token, now time.Time) error {
	sealed, err := seal(key, id, tok, now)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, id+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = writeSynced(f, sealed)
	if err == nil {
		err = safefile.Replace(tmp, d.path(id)) // waits out readers on Windows
	}
	if err != nil {
		_ = os.Remove(tmp) // best effort: a stray temp file is harmless, a lost error is not
	}
	return err
}

// writeSynced fills f and closes it; fsync before rename so a crash can't
// leave a renamed but empty file.
func writeSynced(f *os.File, data []byte) error {
	// CreateTemp already uses 0600; Chmod states it whatever the umask did.
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// sweepOnce runs sweep at most once per process and directory. The cache
// calls it after a successful write, so only a cache that can write there
// cleans up, and a process that only reads never pays for it.
func (d disk) sweepOnce(now time.Time, keep string) {
	if _, done := swept.LoadOrStore(d.dir, struct{}{}); done {
		return
	}
	d.sweep(now, keep)
}

// sweep removes dead files of ours: entries ("<id>.token") and temp files
// ("<id>.<digits>.tmp") modified more than staleAfter before now. Entries of
// keys nobody uses any more would otherwise stay forever, as would temp files
// of crashed writers. It never touches a name of another form, a directory,
// or the entry keep (the one just written), and removes names, never what a
// symlink points to. It looks at no more than maxSweepEntries names.
func (d disk) sweep(now time.Time, keep string) {
	dir, err := os.Open(d.dir)
	if err != nil {
		return
	}
	entries, _ := dir.ReadDir(maxSweepEntries)
	_ = dir.Close()
	for _, e := range entries {
		name := e.Name()
		if name == keep+".token" || !sweepable(name) {
			continue
		}
		if t := e.Type(); t != 0 && t != fs.ModeSymlink && t != fs.ModeNamedPipe {
			continue
		}
		info, err := e.Info() // lstat: a link's own time
		if err != nil || now.Sub(info.ModTime()) <= staleAfter {
			continue
		}
		_ = unlink(filepath.Join(d.dir, name))
	}
}

// sweepable: the names write creates, and nothing else.
func sweepable(name string) bool {
	id, rest, ok := strings.Cut(name, ".")
	if !ok || !isID(id) {
		return false
	}
	if rest == "token" {
		return true
	}
	random, ok := strings.CutSuffix(rest, ".tmp")
	return ok && random != "" && strings.Trim(random, "0123456789") == ""
}

// isID: what Key.ID returns, 64 lower-case hex digits.
func isID(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// forget removes the entry for key when it holds accessToken.
func (d disk) forget(key Key, id, accessToken string) {
	path := d.path(id)
	f, err := safefile.Open(path)
	if err != nil {
		return
	}
	fi, statErr := f.Stat()
	sealed, readErr := io.ReadAll(io.LimitReader(f, maxEntrySize+1))
	_ = f.Close()
	if statErr != nil || readErr != nil {
		return
	}
	if tok, err := open(key, id, sealed); err == nil && tok.AccessToken == accessToken {
		d.discard(path, fi)
	}
}
