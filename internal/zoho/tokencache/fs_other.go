//go:build !unix

package tokencache

import (
	"errors"
	"io/fs"
	"os"
)

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
