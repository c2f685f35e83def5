package tokencache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// disk is the optional on-disk layer: one sealed file per key in dir.
type disk struct {
	dir string
}

func (d disk) path(id string) string {
	return filepath.Join(d.dir, id+".token")
}

// read returns the entry for key, or nil when there is none worth using. Every
// failure (missing, unreadable, truncated, foreign, corrupt) means "mint
// instead": the cache only saves requests, it must never cost one.
func (d disk) read(key Key, id string) *zoho.Token {
	sealed, err := os.ReadFile(d.path(id))
	if err != nil {
		return nil
	}
	tok, err := open(key, id, sealed)
	if err != nil {
		return nil
	}
	return tok
}

// write replaces the entry atomically: a temp file in the same directory
// (so rename stays on one filesystem), synced, then renamed over the target.
// Concurrent writers (plan and apply, parallel resources) therefore leave
// one whole entry, never a torn one.
func (d disk) write(key Key, id string, tok *zoho.Token) error {
	sealed, err := seal(key, id, tok)
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
		err = os.Rename(tmp, d.path(id))
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

// remove deletes the entry; one already gone is not an error.
func (d disk) remove(id string) error {
	err := os.Remove(d.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
