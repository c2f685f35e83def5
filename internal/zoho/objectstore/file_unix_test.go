//go:build unix

package objectstore

import (
	"context"
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
