package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// jobConfig is every job's main.tf.
//
//go:embed job.tf
var jobConfig []byte

// job is one CI job's private corner: its checkout (the configuration), its
// HOME, its TMPDIR and its token_cache_dir.
type job struct {
	dir string
	env []string

	mu     sync.Mutex
	pgid   int  // the running command's process group
	killed bool // kill was called: no further command starts
}

func newJob(dir string, shared []string) (*job, error) {
	for _, sub := range []string{"home", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), jobConfig, 0o644); err != nil {
		return nil, err
	}
	env := append([]string(nil), shared...)
	env = append(env,
		"HOME="+filepath.Join(dir, "home"),
		"TMPDIR="+filepath.Join(dir, "tmp"),
		// As examples/use-cases/ci/ci.sh: private to the job, so plan and
		// apply share a token within it and nothing across jobs.
		"ZOHO_TOKEN_CACHE_DIR="+filepath.Join(dir, "tmp", "zoho-token-cache"),
	)
	return &job{dir: dir, env: env}, nil
}

// jobResult is how a job ended.
type jobResult struct {
	failedIn string // "" (success), "plan" or "apply"
	reason   string // why it failed, for the table
	wall     time.Duration
	ended    time.Time
	// warnings counts the provider processes that said the shared cache
	// failed them (one warning each, at most).
	warnings int
	// tokenWait is the longest the CLI waited for the access token (its
	// "Open complete after" lines, whole seconds); -1 when none opened.
	tokenWait time.Duration
}

// Why a job failed, read from what the CLI printed (and, for the apply's
// API call, what curl saved): these are what a user would read.
const (
	reasonThrottled = "throttled"
	reasonKilled    = "token rejected by the API"
	reasonTimeout   = "timed out"
	reasonSIGKILL   = "SIGKILLed by the bench"
)

// warningUnavailable is the provider's warning that the shared cache failed.
const warningUnavailable = "Warning: Zoho Shared Token Cache Unavailable"

// run is the CI job's two steps. A failed plan skips the apply, as CI does.
func (j *job) run(ctx context.Context, tofu string) jobResult {
	began := time.Now()
	res := jobResult{tokenWait: -1}
	for _, step := range []struct {
		phase string
		args  []string
	}{
		{"plan", []string{"plan", "-input=false", "-no-color", "-out=plan"}},
		{"apply", []string{"apply", "-input=false", "-no-color", "plan"}},
	} {
		out, err := j.tofu(ctx, tofu, step.phase, step.args)
		res.warnings += bytes.Count(out, []byte(warningUnavailable))
		res.tokenWait = max(res.tokenWait, tokenWait(out))
		if err != nil {
			res.failedIn = step.phase
			res.reason = j.failureReason(ctx, out, err)
			break
		}
	}
	res.ended = time.Now()
	res.wall = res.ended.Sub(began)
	return res
}

// openComplete is the CLI's line for an ephemeral resource opened.
var openComplete = regexp.MustCompile(`(?m)^ephemeral\.zoho_oauth_access_token\.\w+: Open complete after (\S+)$`)

// tokenWait is the longest "Open complete after" in out, -1 without one.
func tokenWait(out []byte) time.Duration {
	longest := time.Duration(-1)
	for _, m := range openComplete.FindAllSubmatch(out, -1) {
		if d, err := time.ParseDuration(string(m[1])); err == nil {
			longest = max(longest, d)
		}
	}
	return longest
}

// kill SIGKILLs the job's running command with its whole process group
// (the CLI and the providers it started), as a CI runner ends a cancelled
// job, and starts no further command.
func (j *job) kill() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.killed = true
	if j.pgid > 0 {
		_ = syscall.Kill(-j.pgid, syscall.SIGKILL)
	}
}

// tofu runs one command in its own process group (so a timeout also ends
// the providers it started) and keeps its output in PHASE.log.
func (j *job) tofu(ctx context.Context, tofu, phase string, args []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, tofu, args...)
	cmd.Dir = j.dir
	cmd.Env = j.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	j.mu.Lock()
	err := errKilled
	if !j.killed {
		err = cmd.Start()
	}
	if err == nil {
		j.pgid = cmd.Process.Pid
	}
	j.mu.Unlock()
	if err == nil {
		err = cmd.Wait()
		j.mu.Lock()
		j.pgid = 0 // gone: its number may be reused
		j.mu.Unlock()
	}
	if werr := os.WriteFile(filepath.Join(j.dir, phase+".log"), out.Bytes(), 0o600); werr != nil && err == nil {
		err = werr
	}
	return out.Bytes(), err
}

var errKilled = errors.New("not started: the job was killed")

var errorLine = regexp.MustCompile(`(?m)^Error: (.+)$`)

// failureReason names why a step failed: the provider's throttle
// diagnostic, Zoho's API refusing the token (restapi at plan, curl's saved
// answer at apply), a timeout, or else the CLI's first error summary.
func (j *job) failureReason(ctx context.Context, out []byte, err error) string {
	apiAnswer, _ := os.ReadFile(filepath.Join(j.dir, "apply-api-call.json"))
	j.mu.Lock()
	killed := j.killed
	j.mu.Unlock()
	switch {
	case killed:
		return reasonSIGKILL
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return reasonTimeout
	case bytes.Contains(out, []byte("Zoho Token Limit Reached")):
		return reasonThrottled
	case bytes.Contains(out, []byte("INVALID_TOKEN")), bytes.Contains(apiAnswer, []byte("INVALID_TOKEN")):
		return reasonKilled
	}
	if m := errorLine.FindSubmatch(out); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return err.Error()
}
