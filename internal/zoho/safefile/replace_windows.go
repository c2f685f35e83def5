//go:build windows

package safefile

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// replaceFor bounds how long Replace waits for readers of the target: they
// hold a cache entry open for one read of a few hundred bytes.
const replaceFor = time.Second

// Replace renames from over to, atomically: readers of to see the old file
// or the new one, never a part. Windows refuses to replace a file another
// process has open ("Access is denied", or a sharing violation), even a file
// opened with delete sharing unless the file system renames with POSIX
// semantics; Unix never does. So a refusal is retried, with short sleeps,
// for up to replaceFor, as Go's own cmd/go does on Windows (robustio); a
// directory at to is not waited for.
func Replace(from, to string) error {
	deadline := time.Now().Add(replaceFor)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		err := os.Rename(from, to)
		if err == nil || !busy(err) || time.Now().After(deadline) {
			return err
		}
		if fi, serr := os.Lstat(to); serr == nil && fi.IsDir() {
			return err
		}
		time.Sleep(delay)
	}
}

// ERROR_SHARING_VIOLATION, which package syscall does not name.
const errorSharingViolation syscall.Errno = 32

func busy(err error) bool {
	return errors.Is(err, syscall.ERROR_ACCESS_DENIED) || errors.Is(err, errorSharingViolation)
}
