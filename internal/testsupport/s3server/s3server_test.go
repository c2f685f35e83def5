package s3server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestStart_withoutBinary(t *testing.T) {
	t.Setenv(EnvBinary, "")
	_, err := Start(context.Background(), Options{})
	want := "no weed binary: set ZOHO_TEST_WEED to its path (scripts/tool.sh weed builds it)"
	if err == nil || err.Error() != want {
		t.Errorf("Start without a binary: %v\nwant: %s", err, want)
	}
}

// The server takes writes once Start returns, with the test credentials
// only, and Stop leaves nothing behind: no process, directory or socket.
func TestNew(t *testing.T) {
	srv := New(t)
	ctx := context.Background()
	c := srv.Client()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("k"), Body: bytes.NewReader([]byte("v"))}); err != nil {
		t.Fatalf("PutObject right after Start: %v", err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "v" {
		t.Errorf("GetObject = %q, want %q", b, "v")
	}
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") {
		t.Errorf("Endpoint %q is not on loopback", srv.Endpoint)
	}
	want := "s3://zoho-cache/ci?endpoint=" + strings.ReplaceAll(strings.ReplaceAll(srv.Endpoint, ":", "%3A"), "/", "%2F") + "&region=us-east-1&use_path_style=true"
	if got := srv.URL("/ci/"); got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.proc.Exited():
	default:
		t.Error("weed still runs after Stop")
	}
	if _, err := os.Stat(srv.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stop left %s: %v", srv.dir, err)
	}
	for _, p := range srv.ports {
		if m, _ := filepath.Glob("/tmp/seaweedfs-*-" + strconv.Itoa(p) + ".sock"); len(m) > 0 {
			t.Errorf("Stop left sockets %v", m)
		}
	}
}
