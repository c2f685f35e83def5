//go:build unix

package clitest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Kill ends the command's whole process group, what it started too, and
// Wait says a signal ended it.
func TestStartKill(t *testing.T) {
	dir := t.TempDir()
	p, err := Start(context.Background(), dir, nil, "", "/bin/sh", "-c", "echo started; sleep 60 & echo $! >child; wait")
	if err != nil {
		t.Fatal(err)
	}
	var child int
	for deadline := time.Now().Add(10 * time.Second); child == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the command did not start its child")
		}
		b, _ := os.ReadFile(filepath.Join(dir, "child"))
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	res, err := p.Wait()
	if err != nil || res.Code != -1 || res.Status != "signal: killed" || len(res.Lines) != 1 || res.Lines[0].Text != "started" {
		t.Errorf("Wait = code %d, status %q, lines %v, %v; want -1, signal: killed, [started]", res.Code, res.Status, res.Lines, err)
	}
	for deadline := time.Now().Add(10 * time.Second); alive(child); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the child %d outlived the group's kill", child)
		}
	}
}

// RunCrashing ends what the command left running when it exited, as a
// crashed CLI leaves its providers.
func TestRunCrashingReapsTheGroup(t *testing.T) {
	dir := t.TempDir()
	res, err := RunCrashing(context.Background(), dir, nil, "", "/bin/sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $! >child; exit 2")
	if err != nil || res.Code != 2 {
		t.Fatalf("RunCrashing = code %d, %v; want 2", res.Code, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "child"))
	child, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if child == 0 {
		t.Fatal("the command did not start its child")
	}
	for deadline := time.Now().Add(10 * time.Second); alive(child); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the child %d outlived the command", child)
		}
	}
}

// alive says whether process pid runs: it exists and, where /proc says so,
// is no zombie waiting for a reaper.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err != nil || !strings.Contains(string(stat), ") Z ")
}
