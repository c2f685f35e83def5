package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
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

	mu      sync.Mutex
	running *clitest.Process // the running command, in its process group
	killed  bool             // kill was called: no further command starts
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
	// opening is when the CLI first said it was opening the access token
	// (zero if it never did); tokenWait is the longest it then waited for
	// it, from its "Opening..." line to its "Open complete" line, -1 when
	// none opened.
	opening   time.Time
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
		out, opens, err := j.tofu(ctx, tofu, step.phase, step.args)
		res.warnings += bytes.Count(out, []byte(warningUnavailable))
		if res.opening.IsZero() {
			res.opening = opens.opening
		}
		res.tokenWait = max(res.tokenWait, opens.longest)
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

// The CLI's lines around opening the job's access token.
const (
	tokenOpening = "ephemeral.zoho_oauth_access_token.ci: Opening..."
	tokenOpened  = "ephemeral.zoho_oauth_access_token.ci: Open complete after"
)

// openings is when a command's CLI first said it was opening the access
// token and the longest opening, timed from the lines it printed as it
// printed them: the CLI's own "Open complete after" has whole seconds only.
type openings struct {
	opening time.Time     // the first "Opening..."
	longest time.Duration // the longest opening; -1 before one completes
}

func timeOpenings(lines []clitest.Line) openings {
	o := openings{longest: -1}
	var started time.Time // the latest "Opening..."
	for _, l := range lines {
		if strings.Contains(l.Text, tokenOpening) {
			started = l.At
			if o.opening.IsZero() {
				o.opening = l.At
			}
		}
		if strings.Contains(l.Text, tokenOpened) && !started.IsZero() {
			o.longest = max(o.longest, l.At.Sub(started))
		}
	}
	return o
}

// kill SIGKILLs the job's running command with its whole process group
// (the CLI and the providers it started), as a CI runner ends a cancelled
// job, and starts no further command.
func (j *job) kill() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.killed = true
	if j.running != nil {
		_ = j.running.Kill()
	}
}

// tofu runs one command in its own process group (clitest.Start: a timeout
// also ends the providers it started) and keeps its output in PHASE.log.
func (j *job) tofu(ctx context.Context, tofu, phase string, args []string) ([]byte, openings, error) {
	j.mu.Lock()
	err := errKilled
	var p *clitest.Process
	if !j.killed {
		p, err = clitest.Start(ctx, j.dir, j.env, "", tofu, args...)
	}
	j.running = p
	j.mu.Unlock()
	var res clitest.Result
	if err == nil {
		res, err = p.Wait()
		j.mu.Lock()
		j.running = nil // gone: its process group's number may be reused
		j.mu.Unlock()
		if err == nil && res.Code != 0 {
			err = errors.New(res.Status)
		}
	}
	out := []byte(res.Out)
	if werr := os.WriteFile(filepath.Join(j.dir, phase+".log"), out, 0o600); werr != nil && err == nil {
		err = werr
	}
	return out, timeOpenings(res.Lines), err
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
