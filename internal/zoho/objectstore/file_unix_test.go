//go:build unix

package objectstore

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFile_fifoDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, entry), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openURL(t, fileURL(dir))
	done := make(chan error, 1)
	go func() {
		_, err := s.Read(context.Background(), entry, 100)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Read of a named pipe: %v, want a not-a-regular-file error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read of a named pipe blocked")
	}
}

// Objects are written 0640 whatever the umask, so the runners of a fleet
// that run as several users of one group can read each other's.
func TestFile_objectsAreGroupReadable(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	s := openURL(t, fileURL(dir))
	mustWrite(t, s, entry, []byte("sealed"))
	if err := s.CreateIfAbsent(context.Background(), lease, []byte("held")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{entry, lease} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o640 {
			t.Errorf("%s has mode %v under umask 077, want 0640", name, mode)
		}
	}
}

// groupChild marks the process TestFile_sharedByAGroup runs as another user.
const groupChild = "ZOHO_TEST_FILESTORE_GROUP_CHILD"

// A fleet whose jobs run as different users of one group shares a setgid
// directory of that group, mode 2770: another user reads an entry, takes a
// lease, replaces the entry and deletes the lease. Needs root, to run the
// other user.
func TestFile_sharedByAGroup(t *testing.T) {
	if dir := os.Getenv(groupChild); dir != "" {
		s := openURL(t, fileURL(dir))
		expectContent(t, s, entry, []byte("from the first user"))
		if err := s.CreateIfAbsent(context.Background(), lease, nil); err != nil {
			t.Fatalf("CreateIfAbsent as the second user: %v", err)
		}
		mustWrite(t, s, entry, []byte("from the second user"))
		if err := s.Delete(context.Background(), lease); err != nil {
			t.Fatalf("Delete as the second user: %v", err)
		}
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run a second user")
	}
	const uid, gid = 4242, 4243 // a user and a group of their own, shared by no one else here
	shared, err := os.MkdirTemp("", "zoho-group-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(shared) })
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(shared, "cache")
	if err := os.Mkdir(dir, 0o770); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 0, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o2770|os.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, openURL(t, fileURL(dir)), entry, []byte("from the first user"))

	// The second user runs a copy of this test binary that it may execute.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(shared, "objectstore.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestFile_sharedByAGroup$", "-test.count=1")
	cmd.Dir = shared
	cmd.Env = append(os.Environ(), groupChild+"="+dir, "HOME="+shared)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: 4244, Groups: []uint32{gid}}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the second user: %v\n%s", err, out)
	}
	expectContent(t, openURL(t, fileURL(dir)), entry, []byte("from the second user"))
	fi, err := os.Stat(filepath.Join(dir, entry))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Gid != gid {
		t.Errorf("the second user's entry has group %d, want the directory's %d (setgid)", st.Gid, gid)
	}
}
