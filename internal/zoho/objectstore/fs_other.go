//go:build !unix

package objectstore

import (
	"errors"
	"os"
)

// openObject: without O_NOFOLLOW, refuse anything but a regular file before
// opening it (racy; the caller checks the opened file again).
func openObject(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	return os.Open(path)
}
