// Package serverproc runs the test servers that are programs of their own
// (SeaweedFS, fake-gcs-server, Azurite) for s3server, gcsserver and
// azurite: the output in a log file whose tail goes into errors, the
// process's end noticed, readiness polled within a deadline, a stop that
// cannot hang, and the rule of the tests that need one (skip without it,
// fail under TF_ACC, where make test provides it).
package serverproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ErrExited is the error of a server that ended before it was ready; a
// caller that picked its ports in advance may try again with others.
var ErrExited = errors.New("exited")

// Process is a started server.
type Process struct {
	name    string
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
}

// Start starts cmd, named name in errors, with its output in the file
// logPath. When onLine is not nil, each line of its standard output is
// also given to it, for a server that prints where it listens.
func Start(name string, cmd *exec.Cmd, logPath string, onLine func(string)) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	p := &Process{name: name, cmd: cmd, exited: make(chan struct{}), logPath: logPath}
	cmd.Stderr = logFile
	var stdout io.ReadCloser
	if onLine == nil {
		cmd.Stdout = logFile
	} else if stdout, err = cmd.StdoutPipe(); err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	var copied sync.WaitGroup
	if stdout != nil {
		copied.Go(func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				fmt.Fprintln(logFile, sc.Text())
				onLine(sc.Text())
			}
			_, _ = io.Copy(logFile, stdout)
		})
	}
	go func() {
		copied.Wait() // Wait closes stdout: read it all first
		_ = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

// Exited is closed when the process has ended.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Poll calls ready every period until it succeeds, the process ends
// (ErrExited) or timeout passes; the error says which, with the
// output's tail. doing names what ready waits for: "create a bucket".
func (p *Process) Poll(ctx context.Context, timeout, period time.Duration, doing string, ready func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s %w before it was ready: %v\n%s", p.name, ErrExited, err, p.LogTail())
		case <-ctx.Done():
			return fmt.Errorf("%s did not %s within %s: %v\n%s", p.name, doing, timeout, err, p.LogTail())
		case <-time.After(period):
		}
	}
}

// Stop ends the process: SIGTERM, then SIGKILL after grace.
func (p *Process) Stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// LogTail is the end of the server's output, for errors.
func (p *Process) LogTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	const n = 4000
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return p.name + " output (tail):\n" + string(b)
}

// FreePorts returns n distinct loopback ports that were free a moment ago.
func FreePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Environ is this process's environment without the variables that start
// with one of prefixes (a server's own settings, which would change it).
func Environ(prefixes ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !hasAnyPrefix(kv, prefixes) {
			env = append(env, kv)
		}
	}
	return env
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Setenv sets each NAME=VALUE of env in the test's environment (so t
// cannot be parallel), restored when the test ends.
func Setenv(t testing.TB, env []string) {
	t.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Require skips the test when the environment variable envVar, which names
// the server's program, is unset, or fails it under TF_ACC: make test
// provides every server, so there a missing one is a broken set-up, not a
// reason to skip. what names the tests ("SeaweedFS S3 tests"), how says
// how to set envVar.
func Require(t testing.TB, envVar, what, how string) {
	t.Helper()
	if os.Getenv(envVar) != "" {
		return
	}
	how = "set " + envVar + " to " + how + " (make test does this)"
	if os.Getenv("TF_ACC") == "" {
		t.Skip(what + ": " + how)
	}
	t.Fatal("TF_ACC is set but " + envVar + " is not: " + how)
}
