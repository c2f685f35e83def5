//go:build unix

package tokencache

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// dirProblem says what makes an existing directory unfit for the cache, or ""
// when it is fit: another owner, or write access for the group or others.
func dirProblem(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if me := os.Geteuid(); int64(st.Uid) != int64(me) {
			return fmt.Sprintf("belongs to uid %d, not to this user (uid %d); choose a directory of your own", st.Uid, me)
		}
	}
	perm := fi.Mode().Perm()
	switch {
	case perm&0o002 != 0:
		return fmt.Sprintf("is writable by other users (mode %04o); chmod 700 it or choose another directory", perm)
	case perm&0o020 != 0:
		return fmt.Sprintf("is writable by its group (mode %04o); chmod 700 it or choose another directory", perm)
	}
	return ""
}

// unlink removes the name path, never what a symlink there points to, and
// never a directory.
func unlink(path string) error {
	return syscall.Unlink(path)
}
