//go:build windows

// Package safefile opens files in directories other processes may write to
// (the token cache directory, a shared file:// store) without being fooled
// by what someone planted there.
package safefile

import (
	"errors"
	"os"
	"syscall"
)

// Open opens path for reading when it is a regular file: a symlink or
// junction there is refused (Lstat, then FILE_FLAG_OPEN_REPARSE_POINT opens a
// link swapped in meanwhile as itself, which the caller's Stat rejects).
//
// The file is shared for delete as well as read and write, as every open
// file is on Unix: os.Open shares no delete access, and a reader holding an
// entry open would make a writer's rename of a new entry over it, or the
// removal of a bad one, fail with "Access is denied".
func Open(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &os.PathError{Op: "open", Path: path, Err: errors.New("not a regular file")}
	}
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE,
		nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL|syscall.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}
