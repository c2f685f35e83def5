package serverproc

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A server that ends before it is ready: Poll says so with ErrExited (the
// callers' cue to try other ports) and the output's tail.
func TestPollNoticesAnEarlyExit(t *testing.T) {
	p, err := Start("early", exec.Command("sh", "-c", "echo bind: address in use >&2; exit 1"), filepath.Join(t.TempDir(), "log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Poll(context.Background(), time.Minute, 10*time.Millisecond, "listen", func(context.Context) error { return errors.New("refused") })
	if !errors.Is(err, ErrExited) || !strings.Contains(err.Error(), "early output (tail):\nbind: address in use") {
		t.Fatalf("Poll = %v, want ErrExited with the output's tail", err)
	}
}

// Lines of standard output reach onLine and the log; Stop ends a server
// that ignores SIGTERM once grace has passed.
func TestLinesAndStop(t *testing.T) {
	lines := make(chan string, 10)
	p, err := Start("stubborn", exec.Command("sh", "-c", "trap '' TERM; echo listening on 127.0.0.1:1; while :; do sleep 0.1; done"),
		filepath.Join(t.TempDir(), "log"), func(l string) { lines <- l })
	if err != nil {
		t.Fatal(err)
	}
	if got := <-lines; got != "listening on 127.0.0.1:1" {
		t.Fatalf("first line %q", got)
	}
	p.Stop(200 * time.Millisecond)
	select {
	case <-p.Exited():
	default:
		t.Fatal("Stop returned before the process ended")
	}
	if tail := p.LogTail(); !strings.Contains(tail, "listening on 127.0.0.1:1") {
		t.Errorf("log tail %q lacks the line", tail)
	}
}

func TestFreePortsAreDistinct(t *testing.T) {
	ports, err := FreePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] || p == 0 {
			t.Fatalf("ports %v: not 5 distinct ports", ports)
		}
		seen[p] = true
	}
}
