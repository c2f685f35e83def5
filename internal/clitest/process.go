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

// Result is what a command printed (stdout and stderr together), its exit
// code and how long it took.
type Result struct {
	Out  string
	Code int
	Took time.Duration
}

// Run runs name args in dir with env and stdin. A command that ran and
// exited non-zero is a Result with its Code, not an error; the error is for
// a command that could not run at all.
func Run(ctx context.Context, dir string, env []string, stdin, name string, args ...string) (Result, error) {
	p := newProcess(ctx, dir, env, stdin, name, args)
	p.err = p.cmd.Run()
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
	out   bytes.Buffer
	start time.Time
	err   error
}

// Start starts name args as Run does, in a process group of its own (the
// CLI and the providers it starts), and returns at once. When ctx ends, the
// whole group is killed.
func Start(ctx context.Context, dir string, env []string, stdin, name string, args ...string) (*Process, error) {
	p := newProcess(ctx, dir, env, stdin, name, args)
	ownProcessGroup(p.cmd)
	p.cmd.Cancel = func() error { return killProcessGroup(p.cmd.Process) }
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
	res := Result{Out: p.out.String(), Took: time.Since(p.start)}
	var exit *exec.ExitError
	switch {
	case errors.As(p.err, &exit):
		res.Code = exit.ExitCode()
	case p.err != nil:
		return res, fmt.Errorf("%s: %w", strings.Join(p.cmd.Args, " "), p.err)
	}
	return res, nil
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
