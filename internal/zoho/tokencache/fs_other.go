//go:build !unix

package tokencache

import (
	"errors"
	"io/fs"
	"os"
)

// openEntry: without O_NOFOLLOW, refuse anything but a regular file at the
// path before opening it (racy, but nothing here has named pipes that block,
// and the caller checks the opened file again).
func openEntry(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	return os.Open(path)
}

// dirProblem: ownership and Unix mode bits mean nothing here (Windows
// reports 0777 for every directory); the directory's ACLs are the user's.
func dirProblem(fs.FileInfo) string { return "" }

// unlink removes path unless it is a directory (os.Remove would remove an
// empty one).
func unlink(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return errors.New("is a directory")
	}
	return os.Remove(path)
}
