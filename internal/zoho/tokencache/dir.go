package tokencache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// prepareDir makes dir fit to hold the cache and returns the path the cache
// uses from then on.
//
// A missing directory is created with mode 0700 (its parents too, with
// os.MkdirAll); the mode is set explicitly afterwards, since the umask may
// have taken bits off. An existing one is used only when it is a directory
// that belongs to this user and that neither its group nor other users can
// write to: whoever can write there could plant entries, swap them for
// symlinks or pipes, or delete them at will. New refuses it rather than
// "fixing" the mode of a directory it did not create, and says how to fix it.
//
// A symlink as the directory itself is followed (a cache under a symlinked
// home or ~/.cache is ordinary), but only once: its target is checked like a
// directory named directly, and the cache keeps the resolved path, so
// re-pointing the link later does not move the cache. The directory's
// ancestors are not checked.
//
// The checks run once, here; errors name the path (never a secret).
func prepareDir(dir string) (string, error) {
	dir = filepath.Clean(dir)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := createDir(dir); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", fmt.Errorf("token cache: directory %q: %w", dir, err)
	}
	// Checked whether created here or not: another process may have won the
	// race to create it.
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("token cache: directory %q: %w", dir, err)
	}
	name := fmt.Sprintf("%q", dir)
	if resolved != dir {
		name = fmt.Sprintf("%q (a symlink to %q)", dir, resolved)
	}
	fi, err := os.Lstat(resolved)
	if err != nil {
		return "", fmt.Errorf("token cache: directory %s: %w", name, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("token cache: %s is not a directory (it is %s); remove it or choose another directory", name, describe(fi.Mode()))
	}
	if problem := dirProblem(fi); problem != "" {
		return "", fmt.Errorf("token cache: directory %s %s", name, problem)
	}
	return resolved, nil
}

// createDir makes dir and its missing parents, dir itself with mode 0700.
// One that appears meanwhile is left to the caller's checks.
func createDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("token cache: creating directory %q: %w", dir, err)
	}
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err == nil {
		// The umask can only have removed bits: state the mode we want.
		err = os.Chmod(dir, 0o700)
	}
	if err != nil {
		return fmt.Errorf("token cache: creating directory %q: %w", dir, err)
	}
	return nil
}

// describe names a file type for an error message.
func describe(m fs.FileMode) string {
	switch t := m.Type(); {
	case t == 0:
		return "a regular file"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	case t&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return fmt.Sprintf("of type %v", m.Type())
}
