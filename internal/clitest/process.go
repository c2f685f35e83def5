package clitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// Result is what a command printed (stdout and stderr together), whole
// and line by line, how it ended and how long it took.
type Result struct {
	Out   string
	Lines []Line // Out's lines, each with when the command printed it
	Code  int    // the exit code; -1 for a command a signal ended
	// Status is how the command ended as the system says it ("exit status
	// 1", "signal: killed"), for a failure message; "" when it did not run.
	Status string
	Took   time.Duration
}

// Line is a line a command printed, without its newline, and when this
// process read it (for a wait timed from what a CLI prints: its own times
// have whole seconds only).
type Line struct {
	At   time.Time
	Text string
}

// Run runs name args in dir with env and stdin. A command that ran and
// exited non-zero is a Result with its Code, not an error; the error is for
// a command that could not run at all.
func Run(ctx context.Context, dir string, env []string, stdin, name string, args ...string) (Result, error) {
	p := newProcess(ctx, dir, env, stdin, name, args)
	p.err = p.cmd.Run()
	return p.result()
}

// RunCrashing is Run for a CLI expected to crash: a CLI that crashes
// leaves the providers it started running, orphaned, so the command runs in
// a process group of its own and whatever of the group outlives it is
// killed when it ends. (Run cannot do this for every command: a
// provisioner may leave a process running on purpose.)
func RunCrashing(ctx context.Context, dir string, env []string, stdin, name string, args ...string) (Result, error) {
	p := newProcess(ctx, dir, env, stdin, name, args)
	ownProcessGroup(p.cmd)
	p.cmd.Cancel = func() error { return killProcessGroup(p.cmd.Process) }
	p.cmd.WaitDelay = waitDelay
	p.err = p.cmd.Run()
	if p.cmd.Process != nil {
		_ = killProcessGroup(p.cmd.Process) // the group outlives its leader while a member runs
	}
	return p.result()
}

// Output runs name args in dir with env (nil: this process's) for what it
// prints on stdout, such as a JSON answer or a path; a command that fails
// is an error holding what it printed on stderr.
func Output(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// Process is a command started by Start: a CI job the test may interrupt
// or kill while it runs.
type Process struct {
	cmd   *exec.Cmd
	out   output
	start time.Time
	err   error
}

// waitDelay bounds how long Wait waits, once a started command has ended
// or been killed, for anything outside its process group that still holds
// its output open.
const waitDelay = 10 * time.Second

// Start starts name args as Run does, in a process group of its own (the
// CLI and the providers it starts), and returns at once. When ctx ends, the
// whole group is killed.
func Start(ctx context.Context, dir string, env []string, stdin, name string, args ...string) (*Process, error) {
	p := newProcess(ctx, dir, env, stdin, name, args)
	ownProcessGroup(p.cmd)
	p.cmd.Cancel = func() error { return killProcessGroup(p.cmd.Process) }
	p.cmd.WaitDelay = waitDelay
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return p, nil
}

func newProcess(ctx context.Context, dir string, env []string, stdin, name string, args []string) *Process {
	p := &Process{cmd: exec.CommandContext(ctx, name, args...), start: time.Now()}
	p.cmd.Dir, p.cmd.Env, p.cmd.Stdin = dir, env, strings.NewReader(stdin)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	return p
}

// Interrupt sends the command alone os.Interrupt, as Ctrl-C does to a CLI
// (which passes it on to its providers itself).
func (p *Process) Interrupt() error { return p.cmd.Process.Signal(os.Interrupt) }

// Kill kills the command's whole process group at once, as a CI runner
// that gives up on a job does: nothing of it can react.
func (p *Process) Kill() error { return killProcessGroup(p.cmd.Process) }

// Wait waits for the command to end; its Result and error are Run's.
func (p *Process) Wait() (Result, error) {
	p.err = p.cmd.Wait()
	return p.result()
}

func (p *Process) result() (Result, error) {
	res := Result{Out: p.out.text.String(), Lines: p.out.all(), Took: time.Since(p.start)}
	if p.cmd.ProcessState != nil {
		res.Status = p.cmd.ProcessState.String()
	}
	var exit *exec.ExitError
	switch {
	case errors.As(p.err, &exit):
		res.Code = exit.ExitCode()
	case p.err != nil:
		return res, fmt.Errorf("%s: %w", strings.Join(p.cmd.Args, " "), p.err)
	}
	return res, nil
}

// output keeps what a command prints, whole and as lines timed as they
// come. Stdout and stderr share it, so exec calls Write from one goroutine
// at a time.
type output struct {
	text      bytes.Buffer
	lines     []Line
	lineStart int       // where in text the unfinished line begins
	last      time.Time // the latest Write
}

func (o *output) Write(p []byte) (int, error) {
	o.last = time.Now()
	o.text.Write(p)
	for {
		rest := o.text.Bytes()[o.lineStart:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return len(p), nil
		}
		o.lines = append(o.lines, Line{At: o.last, Text: string(rest[:i])})
		o.lineStart += i + 1
	}
}

// all is every line, an unfinished last one too.
func (o *output) all() []Line {
	if rest := o.text.Bytes()[o.lineStart:]; len(rest) > 0 {
		return append(o.lines[:len(o.lines):len(o.lines)], Line{At: o.last, Text: string(rest)})
	}
	return o.lines
}

// Tail is the last n lines of text, for a failure message.
func Tail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// InOrder matches a text holding every phrase, in order, a space in a
// phrase matching any run of white space: the CLIs wrap diagnostics at 80
// columns.
func InOrder(phrases ...string) *regexp.Regexp {
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}
