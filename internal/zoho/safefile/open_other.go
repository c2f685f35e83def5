//go:build !unix && !windows

// Package safefile opens files in directories other processes may write to
// (the token cache directory, a shared file:// store) without being fooled
// by what someone planted there.
package safefile

import (
	"errors"
	"os"
)

// Open: without O_NOFOLLOW, refuse anything but a regular file at path
// before opening it (racy: the caller checks the opened file again).
func Open(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	return os.Open(path)
}
