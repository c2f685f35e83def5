// Package s3server starts a real S3-compatible object store, SeaweedFS's
// `weed mini`, on loopback for tests and benchmarks of token_cache_url's
// s3:// backend. The weed binary comes from scripts/tool.sh weed (built
// from tools/seaweedfs, whose README has the measurements behind the flags
// used here); tests find it through ZOHO_TEST_WEED.
package s3server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/serverproc"
)

// EnvBinary names the environment variable that holds the weed binary's path.
const EnvBinary = "ZOHO_TEST_WEED"

// Test credentials and placement, known only to the server started here.
const (
	AccessKey = "zohotestkey"
	SecretKey = "zohotestsecret0123456789"
	Region    = "us-east-1"
	Bucket    = "zoho-cache"
)

// Options configures Start.
type Options struct {
	// Binary is the weed executable; empty means $ZOHO_TEST_WEED.
	Binary string
	// Dir holds the server's data, logs and config; empty means a new
	// temporary directory, removed by Stop.
	Dir string
	// ReadyTimeout bounds the wait for the first successful PutObject;
	// zero means one minute (it takes about 5 s on an idle machine).
	ReadyTimeout time.Duration
}

// Server is a running weed mini with an S3 endpoint on 127.0.0.1.
type Server struct {
	// Endpoint is the S3 API's base URL, http://127.0.0.1:PORT.
	Endpoint string
	// Bucket, Region, AccessKey and SecretKey: where and how to reach it.
	Bucket, Region, AccessKey, SecretKey string

	proc   *serverproc.Process
	dir    string
	ownDir bool
	ports  []int
}

// The ten ports weed mini listens on, each pinned (weed's defaults collide
// between parallel runs), in the order of portFlags.
var portFlags = []string{
	"-master.port", "-master.port.grpc", "-volume.port", "-volume.port.grpc",
	"-filer.port", "-filer.port.grpc", "-s3.port", "-s3.port.grpc",
	"-admin.port", "-admin.port.grpc",
}

const s3PortIndex = 6

// Start runs weed mini and returns once it accepts writes. Stop it with Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin := opts.Binary
	if bin == "" {
		bin = os.Getenv(EnvBinary)
	}
	if bin == "" {
		return nil, fmt.Errorf("no weed binary: set %s to its path (scripts/tool.sh weed builds it)", EnvBinary)
	}
	timeout := opts.ReadyTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	var err error
	// A port found free may be taken before weed binds it; try again with
	// new ones.
	for attempt := 0; attempt < 3; attempt++ {
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
	s := &Server{Bucket: Bucket, Region: Region, AccessKey: AccessKey, SecretKey: SecretKey}
	if dir == "" {
		d, err := os.MkdirTemp("", "zoho-weed-")
		if err != nil {
			return nil, err
		}
		dir, s.ownDir = d, true
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	s.dir = dir
	ports, err := serverproc.FreePorts(len(portFlags))
	if err != nil {
		s.cleanup()
		return nil, err
	}
	s.ports = ports
	s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(ports[s3PortIndex])
	if err := s.launch(bin); err != nil {
		s.cleanup()
		return nil, err
	}
	if err := s.waitReady(ctx, timeout); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) launch(bin string) error {
	cfg := filepath.Join(s.dir, "s3.json")
	if err := writeS3Config(cfg); err != nil {
		return err
	}
	data := filepath.Join(s.dir, "data")
	logs := filepath.Join(s.dir, "logs")
	for _, d := range []string{data, logs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	args := []string{"-logdir=" + logs, "mini", "-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1"}
	for i, f := range portFlags {
		args = append(args, f+"="+strconv.Itoa(s.ports[i]))
	}
	args = append(args,
		"-admin.port.legacy=0", "-s3.port.iceberg=0", "-s3.port.lance=0",
		"-webdav=false", "-admin.ui=false", "-master.telemetry=false",
		"-s3.config="+cfg, "-bucket="+Bucket)
	var err error
	s.proc, err = serverproc.Start("weed", exec.Command(bin, args...), filepath.Join(s.dir, "weed.out"), nil)
	return err
}

func writeS3Config(path string) error {
	type creds struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}
	type identity struct {
		Name        string   `json:"name"`
		Credentials []creds  `json:"credentials"`
		Actions     []string `json:"actions"`
	}
	cfg := map[string][]identity{"identities": {{
		Name:        "tester",
		Credentials: []creds{{AccessKey: AccessKey, SecretKey: SecretKey}},
		Actions:     []string{"Admin", "Read", "List", "Tagging", "Write"},
	}}}
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// waitReady polls with a PutObject: /healthz answers about a second before
// writes work.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	client := s.Client()
	key := aws.String(".ready")
	return s.proc.Poll(ctx, timeout, 200*time.Millisecond, "accept a PutObject", func(ctx context.Context) error {
		attempt, done := context.WithTimeout(ctx, 5*time.Second)
		defer done()
		if _, err := client.PutObject(attempt, &s3.PutObjectInput{Bucket: aws.String(s.Bucket), Key: key, Body: bytes.NewReader(nil)}); err != nil {
			return err
		}
		_, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.Bucket), Key: key})
		return err
	})
}

// Client returns an AWS SDK client for the server, for tests that look at
// the bucket directly.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		// The SDK retries a refused connection; readiness polling does that.
		RetryMaxAttempts: 1,
	})
}

// URL returns the token_cache_url for objects under prefix ("" for the
// bucket's root).
func (s *Server) URL(prefix string) string {
	u := url.URL{Scheme: "s3", Host: s.Bucket, Path: "/" + strings.Trim(prefix, "/")}
	u.RawQuery = url.Values{"endpoint": {s.Endpoint}, "region": {s.Region}, "use_path_style": {"true"}}.Encode()
	return u.String()
}

// Env returns the environment a process needs to reach the server through
// the AWS credential chain, with every other AWS source neutralised.
func (s *Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_SESSION_TOKEN=",
		"AWS_REGION=" + s.Region,
		"AWS_PROFILE=",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Setenv sets Env in the test's environment (so t cannot be parallel).
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	serverproc.Setenv(t, s.Env())
}

// Stop ends the server (SIGTERM, then SIGKILL after 15 s) and removes its
// directory if Start made it.
func (s *Server) Stop() error {
	if s.proc != nil {
		s.proc.Stop(15 * time.Second)
	}
	s.cleanup()
	return nil
}

// cleanup removes the directory Start made and the Unix sockets weed
// leaves in /tmp when it does not exit on SIGTERM.
func (s *Server) cleanup() {
	for _, p := range s.ports {
		matches, _ := filepath.Glob(fmt.Sprintf("/tmp/seaweedfs-*-%d.sock", p))
		for _, m := range matches {
			_ = os.Remove(m)
		}
	}
	if s.ownDir {
		_ = os.RemoveAll(s.dir)
	}
}

// New starts a server for the test and stops it when the test ends. Without
// ZOHO_TEST_WEED the test is skipped, or fails under TF_ACC (make test
// builds weed and sets it).
func New(t testing.TB) *Server {
	t.Helper()
	serverproc.Require(t, EnvBinary, "SeaweedFS S3 tests", "the weed binary: "+EnvBinary+"=$(scripts/tool.sh weed)")
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatalf("start SeaweedFS: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}
