//go:build unix

package objectstore

import (
	"os"
	"syscall"
)

// openObject opens an object for reading without following a symlink at its
// path (the open fails with ELOOP instead) and without blocking on a named
// pipe (the caller's fstat then rejects it before any read).
func openObject(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
