package objectstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/s3server"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// The s3:// backend against a real SeaweedFS through the real AWS SDK,
// credentials coming from the environment as in production.
func TestS3_SeaweedFS(t *testing.T) {
	srv := s3server.New(t)
	srv.Setenv(t)
	testConformance(t, func(t *testing.T, prefix string) tokencache.Store {
		return openURL(t, srv.URL("conformance/"+prefix))
	})

	ctx := context.Background()
	t.Run("KeysUnderPrefix", func(t *testing.T) {
		s := openURL(t, srv.URL("ci/zoho"))
		mustWrite(t, s, entry, []byte("sealed"))
		// The object is where a bucket policy on ci/zoho/* expects it.
		out, err := srv.Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("ci/zoho/" + entry)})
		if err != nil {
			t.Fatalf("GetObject ci/zoho/%s: %v", entry, err)
		}
		defer out.Body.Close()
		if b, _ := io.ReadAll(out.Body); string(b) != "sealed" {
			t.Errorf("object holds %q, want %q", b, "sealed")
		}
	})
	// Like separate machines: each writer has its own client. Times are
	// logged, not asserted (SeaweedFS serializes contended conditional
	// writes through a lock it retries once a second).
	t.Run("CreateIfAbsentContended", func(t *testing.T) {
		const writers, rounds = 32, 5
		stores := make([]tokencache.Store, writers)
		for i := range stores {
			stores[i] = openURL(t, srv.URL("contended"))
		}
		for round := range rounds {
			name := fmt.Sprintf("%s.%d.lease", entry[:64], round)
			errs := make([]error, writers)
			took := make([]time.Duration, writers)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					t0 := time.Now()
					errs[i] = stores[i].CreateIfAbsent(ctx, name, nil)
					took[i] = time.Since(t0)
				}()
			}
			close(start)
			wg.Wait()
			won, lost := 0, 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
				case errors.Is(err, tokencache.ErrExist):
					lost++
				default:
					t.Errorf("round %d, writer %d: %v", round, i, err)
				}
			}
			if won != 1 {
				t.Errorf("round %d: %d winners, want 1", round, won)
			}
			slices.Sort(took)
			t.Logf("round %d: %d won, %d got ErrExist; answer times min %v, median %v, max %v", round, won, lost,
				took[0].Round(time.Millisecond), took[writers/2].Round(time.Millisecond), took[writers-1].Round(time.Millisecond))
		}
	})
	// One request per operation, seen by a recording proxy in front of
	// SeaweedFS: no HEAD before a GET or a DELETE, and the conditional
	// create is If-None-Match: * on the PUT itself.
	t.Run("OneRequestPerOperation", func(t *testing.T) {
		recURL, take := recordingProxy(t, srv.Endpoint, pathAndIfNoneMatch)
		raw := strings.Replace(srv.URL("one-request"), url.QueryEscape(srv.Endpoint), url.QueryEscape(recURL), 1)
		s := openURL(t, raw)
		obj := "/" + srv.Bucket + "/one-request/"
		steps := []struct {
			do      func() error
			wantErr error
			want    string
		}{
			{func() error { _, err := s.Read(ctx, entry, 10); return err }, tokencache.ErrNotExist, "GET " + obj + entry},
			{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, nil, "PUT " + obj + lease + " If-None-Match: *"},
			{func() error { return s.CreateIfAbsent(ctx, lease, nil) }, tokencache.ErrExist, "PUT " + obj + lease + " If-None-Match: *"},
			{func() error { return s.Write(ctx, entry, []byte("sealed")) }, nil, "PUT " + obj + entry},
			{func() error { _, err := s.Read(ctx, entry, 10); return err }, nil, "GET " + obj + entry},
			{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + obj + lease},
			{func() error { return s.Delete(ctx, lease) }, nil, "DELETE " + obj + lease},
		}
		for i, st := range steps {
			err := st.do()
			if (st.wantErr == nil) != (err == nil) || st.wantErr != nil && !errors.Is(err, st.wantErr) {
				t.Errorf("step %d: %v, want %v", i, err, st.wantErr)
			}
			if got := take(); len(got) != 1 || got[0] != st.want {
				t.Errorf("step %d sent %q, want exactly [%q]", i, got, st.want)
			}
		}
	})
	t.Run("Faults", func(t *testing.T) {
		testFaults(t, strings.TrimPrefix(srv.Endpoint, "http://"), func(t *testing.T, addr, prefix string, opts Options) tokencache.Store {
			u := strings.Replace(srv.URL(prefix), url.QueryEscape(srv.Endpoint), url.QueryEscape("http://"+addr), 1)
			return openURL(t, u, opts)
		})
	})
	t.Run("WrongSecret", func(t *testing.T) {
		t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-0123456789")
		s := openURL(t, srv.URL("wrong-secret"))
		_, err := s.Read(ctx, entry, 10)
		if err == nil || errors.Is(err, tokencache.ErrNotExist) {
			t.Fatalf("Read with a wrong secret: %v, want a failure that is not a miss", err)
		}
		if strings.Contains(err.Error(), "not-the-secret") || strings.Contains(err.Error(), srv.SecretKey) {
			t.Errorf("error repeats a secret: %v", err)
		}
		t.Logf("wrong secret: %v", err)
	})
	t.Run("MissingBucket", func(t *testing.T) {
		s := openURL(t, strings.Replace(srv.URL("x"), "s3://"+srv.Bucket, "s3://no-such-bucket", 1))
		_, err := s.Read(ctx, entry, 10)
		// A missing bucket is a misconfiguration to report, not an empty cache.
		if err == nil || errors.Is(err, tokencache.ErrNotExist) || !strings.Contains(err.Error(), "NoSuchBucket") {
			t.Fatalf("Read from a missing bucket: %v, want a NoSuchBucket failure that is not a miss", err)
		}
		t.Logf("missing bucket, Read: %v", err)
		// SeaweedFS creates a bucket on the first PutObject (AWS answers
		// NoSuchBucket): only the Read above is the store's contract.
		t.Logf("missing bucket, Write: %v (SeaweedFS creates buckets on write)", s.Write(ctx, entry, []byte("x")))
	})
}

// A store that is down fails fast and says where, without a miss.
func TestS3_unreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-never-shown-0123456789")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	s := openURL(t, "s3://zoho-cache/ci?endpoint=http://"+addr+"&region=us-east-1&use_path_style=true")
	_, err = s.Read(context.Background(), entry, 10)
	if err == nil || errors.Is(err, tokencache.ErrNotExist) {
		t.Fatalf("Read from a closed port: %v, want a failure that is not a miss", err)
	}
	msg := err.Error()
	// "connection refused" on Unix, "...actively refused it." on Windows.
	if !strings.HasPrefix(msg, "read "+entry+" in s3://zoho-cache/ci?endpoint=http://"+addr) || !strings.Contains(msg, "refused") {
		t.Errorf("error does not say what failed where: %s", msg)
	}
	if strings.Contains(msg, "secret-never-shown") {
		t.Errorf("error repeats the secret: %s", msg)
	}
	t.Logf("unreachable: %s", msg)
}

func TestS3_openWithoutRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	loc, err := Parse("s3://zoho-cache/ci")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), loc, Options{})
	want := "open s3://zoho-cache/ci: no AWS region: add ?region=... to token_cache_url or set AWS_REGION (S3-compatible stores take any region they accept, such as us-east-1, or auto for R2)"
	if err == nil || err.Error() != want {
		t.Errorf("Open without a region: %v\nwant: %s", err, want)
	}
}

// S3 answers a conditional create that races another with 409
// ConditionalRequestConflict under a burst (PutObject docs: retry it): a
// lost race, never a store failure that would turn the cache off.
func TestS3_conditionalConflictIsALostRace(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ConditionalRequestConflict</Code>`+
			`<Message>A conflicting conditional operation is currently in progress against this resource. Please try again.</Message></Error>`)
	}))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-never-shown-0123456789")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	s := openURL(t, "s3://zoho-cache/ci?endpoint="+url.QueryEscape(srv.URL)+"&region=us-east-1&use_path_style=true")
	err := s.CreateIfAbsent(context.Background(), lease, nil)
	if !errors.Is(err, tokencache.ErrExist) {
		t.Fatalf("CreateIfAbsent answered 409 ConditionalRequestConflict: %v, want ErrExist (a lost race)", err)
	}
}
