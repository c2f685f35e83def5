package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/faultproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/s3server"
)

// s3Store is a SeaweedFS server seen through a counting proxy: the jobs'
// token_cache_url names the proxy as its endpoint, so every request the
// providers make is counted before it reaches weed. The proxy forwards the
// Host header unchanged, which keeps the SigV4 signatures valid.
type s3Store struct {
	weed  *s3server.Server
	proxy *http.Server
	url   string // the proxy's base URL

	mu       sync.Mutex
	byMethod map[string]int
}

func startS3Store(ctx context.Context, work string, logf func(string, ...any)) (sharedStore, error) {
	logf("starting SeaweedFS (%s)", s3server.EnvBinary)
	weed, err := s3server.Start(ctx, s3server.Options{Dir: filepath.Join(work, "seaweedfs")})
	if err != nil {
		return nil, err
	}
	target, err := url.Parse(weed.Endpoint)
	if err != nil {
		_ = weed.Stop()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = weed.Stop()
		return nil, err
	}
	s := &s3Store{weed: weed, url: "http://" + ln.Addr().String(), byMethod: map[string]int{}}
	forward := httputil.NewSingleHostReverseProxy(target)
	s.proxy = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.byMethod[r.Method]++
			s.mu.Unlock()
			forward.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 30 * time.Second,
	}
	go func() { _ = s.proxy.Serve(ln) }()
	return s, nil
}

func (s *s3Store) name() string { return storeS3 }

// location is a fresh prefix of the server's bucket, reached through the
// proxy (an empty prefix needs no creating).
func (s *s3Store) location(_ context.Context, run string) (string, []string, error) {
	return s.locationVia(s.url, run), s.weed.Env(), nil
}

// locationVia is run's token_cache_url with endpoint as the store's
// endpoint; it starts the count afresh.
func (s *s3Store) locationVia(endpoint, run string) string {
	s.mu.Lock()
	clear(s.byMethod)
	s.mu.Unlock()
	proxied := *s.weed
	proxied.Endpoint = endpoint
	return proxied.URL(prefix(run))
}

// prefix is where run's objects are in the bucket.
func prefix(run string) string { return "fleet/" + run }

func (s *s3Store) put(ctx context.Context, run, name string, data []byte) error {
	_, err := s.weed.Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.weed.Bucket), Key: aws.String(prefix(run) + "/" + name), Body: bytes.NewReader(data),
	})
	return err
}

func (s *s3Store) count() storeRequests {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := storeRequests{counted: true, byMethod: map[string]int{}}
	for m, n := range s.byMethod {
		out.byMethod[m] = n
	}
	return out
}

func (s *s3Store) close() {
	_ = s.proxy.Close()
	_ = s.weed.Stop()
}

// faultyS3 is the S3 store seen through a TCP fault proxy in mode, one
// proxy per run (a black-holed connection stays so): the fault table's
// store. The counting proxy sits behind it, so what it counts got through.
type faultyS3 struct {
	*s3Store
	mode  faultproxy.Mode
	proxy *faultproxy.Proxy
}

func (f *faultyS3) location(_ context.Context, run string) (string, []string, error) {
	f.close()
	p, err := faultproxy.Start(strings.TrimPrefix(f.url, "http://"))
	if err != nil {
		return "", nil, err
	}
	p.Set(f.mode)
	f.proxy = p
	return f.locationVia("http://"+p.Addr(), run), f.weed.Env(), nil
}

// close stops the fault proxy (the server is the s3Store's).
func (f *faultyS3) close() {
	if f.proxy != nil {
		_ = f.proxy.Close()
		f.proxy = nil
	}
}
