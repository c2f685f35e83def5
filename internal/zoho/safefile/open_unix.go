//go:build unix

// Package safefile opens files in directories other processes may write to
// (the token cache directory, a shared file:// store) without being fooled
// by what someone planted there.
package safefile

import (
	"os"
	"syscall"
)

// Open opens path for reading without following a symlink at it (the open
// fails instead: ELOOP on Linux) and without blocking on a named pipe (the
// open returns at once, and the caller's fstat rejects the pipe before any
// read). O_NONBLOCK changes nothing for a regular file.
func Open(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
