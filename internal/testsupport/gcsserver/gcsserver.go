// Package gcsserver starts fake-gcs-server (github.com/fsouza/fake-gcs-server),
// an independent implementation of the Cloud Storage JSON API, on loopback
// for tests of token_cache_url's gs:// backend. The binary comes from
// scripts/tool.sh fakegcs (built from tools/fakegcs, whose README has what
// was measured of it); tests find it through ZOHO_TEST_FAKEGCS.
//
// What fake-gcs-server v1.56.1 does of what the cache relies on (checked
// by TestServerFacts in this package):
//
//   - A media upload with ifGenerationMatch=0 creates the object when there
//     is none and answers 412 when there is one, leaving it unchanged; the
//     check and the write are one step under the memory backend's lock
//     (concurrent creators: exactly one wins).
//   - An alt=media download answers Last-Modified (the object's update
//     time, to the second), Date (the server's clock: Go's net/http adds
//     it) and X-Goog-Generation (microseconds since the epoch at the
//     write); so does Cloud Storage. Last-Modified is the update time in
//     the server's local time zone labelled GMT: run it with TZ=UTC, as
//     Start does, or it is off by the zone's offset.
//   - A missing object is 404 "Not Found" (Cloud Storage: "No such
//     object: ..."); a missing bucket is also a plain 404 on downloads
//     (Cloud Storage says "The specified bucket does not exist.").
package gcsserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/serverproc"
)

// EnvBinary names the environment variable that holds the
// fake-gcs-server binary's path.
const EnvBinary = "ZOHO_TEST_FAKEGCS"

// Bucket is the bucket Start creates.
const Bucket = "zoho-cache"

// Options configures Start.
type Options struct {
	// Binary is the fake-gcs-server executable; empty means
	// $ZOHO_TEST_FAKEGCS.
	Binary string
	// Dir, if set, holds the objects (the filesystem backend) and the
	// server's log; empty means objects in memory and a temporary
	// directory for the log, removed by Stop.
	Dir string
	// ReadyTimeout bounds the wait for the server to answer; zero means
	// 30 s (it takes well under a second).
	ReadyTimeout time.Duration
}

// Server is a running fake-gcs-server on 127.0.0.1, plain HTTP.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string
	// Host is 127.0.0.1:PORT, what STORAGE_EMULATOR_HOST takes.
	Host string
	// Bucket is the bucket the server was started with.
	Bucket string

	proc   *serverproc.Process
	dir    string
	ownDir bool
}

// Start runs fake-gcs-server, creates Bucket and returns. Stop it with Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin := opts.Binary
	if bin == "" {
		bin = os.Getenv(EnvBinary)
	}
	if bin == "" {
		return nil, fmt.Errorf("no fake-gcs-server binary: set %s to its path (scripts/tool.sh fakegcs builds it)", EnvBinary)
	}
	timeout := opts.ReadyTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	// fake-gcs-server needs its port on the command line (with -port 0 it
	// would not say which it got): a port found free may be taken before
	// it binds it, so try again with another.
	var err error
	for range 3 {
		var s *Server
		s, err = start(ctx, bin, opts.Dir, timeout)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, serverproc.ErrExited) {
			return nil, err
		}
	}
	return nil, err
}

func start(ctx context.Context, bin, dir string, timeout time.Duration) (*Server, error) {
	s := &Server{Bucket: Bucket}
	backend := "memory"
	if dir == "" {
		d, err := os.MkdirTemp("", "zoho-fakegcs-")
		if err != nil {
			return nil, err
		}
		dir, s.ownDir = d, true
	} else {
		if err := os.MkdirAll(filepath.Join(dir, "storage"), 0o700); err != nil {
			return nil, err
		}
		backend = "filesystem"
	}
	s.dir = dir
	ports, err := serverproc.FreePorts(1)
	if err != nil {
		s.cleanup()
		return nil, err
	}
	port := ports[0]
	s.Host = "127.0.0.1:" + strconv.Itoa(port)
	s.Endpoint = "http://" + s.Host
	args := []string{
		"-scheme", "http", "-host", "127.0.0.1", "-port", strconv.Itoa(port),
		"-backend", backend, "-filesystem-root", filepath.Join(dir, "storage"),
		"-public-host", s.Host, "-external-url", s.Endpoint,
		"-log-level", "warn",
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = serverproc.Environ("FAKE_GCS_", "TZ=")
	cmd.Env = append(cmd.Env, "TZ=UTC") // see the package doc on Last-Modified
	if s.proc, err = serverproc.Start("fake-gcs-server", cmd, filepath.Join(dir, "fake-gcs-server.log"), nil); err != nil {
		s.cleanup()
		return nil, err
	}
	if err := s.proc.Poll(ctx, timeout, 50*time.Millisecond, "create a bucket", func(ctx context.Context) error {
		return s.createBucket(ctx, s.Bucket)
	}); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// createBucket creates a bucket through the JSON API.
func (s *Server) createBucket(ctx context.Context, name string) error {
	body, err := json.Marshal(map[string]string{"name": name})
	if err != nil {
		return err
	}
	attempt, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(attempt, http.MethodPost, s.Endpoint+"/storage/v1/b?project=zoho-test", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("create bucket %s: HTTP %d: %s", name, resp.StatusCode, msg)
	}
	return nil
}

// CreateBucket creates another bucket.
func (s *Server) CreateBucket(ctx context.Context, name string) error {
	return s.createBucket(ctx, name)
}

// URL returns the token_cache_url for objects under prefix ("" for the
// bucket's root).
func (s *Server) URL(prefix string) string {
	u := url.URL{Scheme: "gs", Host: s.Bucket, Path: "/" + strings.Trim(prefix, "/")}
	return strings.TrimSuffix(u.String(), "/")
}

// Env returns the environment a process needs to reach the server:
// STORAGE_EMULATOR_HOST, the Google libraries' switch to an emulator,
// under which the gs:// store sends no credentials.
func (s *Server) Env() []string {
	return []string{"STORAGE_EMULATOR_HOST=" + s.Host}
}

// Setenv sets Env in the test's environment (so t cannot be parallel).
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	serverproc.Setenv(t, s.Env())
}

// Stop ends the server (SIGTERM, then SIGKILL after 10 s) and removes its
// directory if Start made it.
func (s *Server) Stop() error {
	if s.proc != nil {
		s.proc.Stop(10 * time.Second)
	}
	s.cleanup()
	return nil
}

func (s *Server) cleanup() {
	if s.ownDir {
		_ = os.RemoveAll(s.dir)
	}
}

// New starts a server for the test and stops it when the test ends. Without
// ZOHO_TEST_FAKEGCS the test is skipped, or fails under TF_ACC (make test
// builds fake-gcs-server and sets it).
func New(t testing.TB) *Server {
	t.Helper()
	serverproc.Require(t, EnvBinary, "fake-gcs-server tests", "the fake-gcs-server binary: "+EnvBinary+"=$(scripts/tool.sh fakegcs)")
	t0 := time.Now()
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatalf("start fake-gcs-server: %v", err)
	}
	t.Logf("fake-gcs-server ready at %s in %v", s.Endpoint, time.Since(t0).Round(time.Millisecond))
	t.Cleanup(func() { _ = s.Stop() })
	return s
}
