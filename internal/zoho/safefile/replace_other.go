//go:build !windows

package safefile

import "os"

// Replace renames from over to, atomically: readers of to see the old file
// or the new one, never a part. A reader holding to open does not stop it.
func Replace(from, to string) error {
	return os.Rename(from, to)
}
