package main

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/s3server"
)

const (
	storeFile = "file"
	storeS3   = "s3"
	// envWeed names the SeaweedFS weed binary, as for the provider's tests.
	envWeed = s3server.EnvBinary
)

// sharedStore is where the runs with token_cache_url keep the fleet's
// cache: a fresh location per run, so each starts empty.
type sharedStore interface {
	name() string
	// location makes an empty place for run and returns its
	// token_cache_url and what else the jobs need in their environment.
	// It starts the store's request count afresh.
	location(ctx context.Context, run string) (url string, env []string, err error)
	// count is what reached the store since location.
	count() storeRequests
	// put writes an object under run's location, as a broken client would.
	put(ctx context.Context, run, name string, data []byte) error
	close()
}

// storeRequests is what reached the store during a run, by HTTP method;
// counted is false when the store cannot be watched from outside.
type storeRequests struct {
	counted  bool
	byMethod map[string]int
}

func (s storeRequests) total() int {
	n := 0
	for _, v := range s.byMethod {
		n += v
	}
	return n
}

// String is "N (GET a, PUT b, ...)", or "n/a" when not counted.
func (s storeRequests) String() string {
	if !s.counted {
		return "n/a"
	}
	if len(s.byMethod) == 0 {
		return "0"
	}
	parts := make([]string, 0, len(s.byMethod))
	for _, m := range slices.Sorted(maps.Keys(s.byMethod)) {
		parts = append(parts, fmt.Sprintf("%s %d", m, s.byMethod[m]))
	}
	return fmt.Sprintf("%d (%s)", s.total(), strings.Join(parts, ", "))
}

func openStores(ctx context.Context, names []string, work string, traceFile bool, logf func(string, ...any)) ([]sharedStore, error) {
	var stores []sharedStore
	for _, name := range names {
		var s sharedStore
		var err error
		switch name {
		case storeFile:
			s = newFileStore(filepath.Join(work, "file-store"), traceFile, logf)
		case storeS3:
			s, err = startS3Store(ctx, work, logf)
		}
		if err != nil {
			for _, open := range stores {
				open.close()
			}
			return nil, err
		}
		stores = append(stores, s)
	}
	return stores, nil
}

// fileStore is a shared directory, as a volume mounted on every runner
// would be. The providers use it directly, so its requests are counted by
// tracing them: the provider wrapper (writeProviderWrapper) runs each
// provider under strace, and count reads what touched the run's directory.
type fileStore struct {
	base    string
	traced  bool   // the providers run under strace
	current string // the run's store directory
}

func newFileStore(base string, trace bool, logf func(string, ...any)) *fileStore {
	if !trace {
		return &fileStore{base: base}
	}
	_, err := exec.LookPath("strace")
	if err != nil {
		logf("no strace on PATH: the file:// store's requests are not counted")
	}
	return &fileStore{base: base, traced: err == nil}
}

func (f *fileStore) name() string { return storeFile }

func (f *fileStore) location(_ context.Context, run string) (string, []string, error) {
	dir := filepath.Join(f.base, run)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	f.current = dir
	var env []string
	if f.traced {
		if err := os.MkdirAll(f.traceDir(), 0o700); err != nil {
			return "", nil, err
		}
		env = []string{envTraceDir + "=" + f.traceDir()}
	}
	return (&url.URL{Scheme: "file", Path: dir}).String(), env, nil
}

func (f *fileStore) traceDir() string { return f.current + ".trace" }

func (f *fileStore) count() storeRequests {
	if !f.traced {
		return storeRequests{}
	}
	out := storeRequests{counted: true, byMethod: map[string]int{}}
	traces, _ := filepath.Glob(filepath.Join(f.traceDir(), "provider.*"))
	for _, trace := range traces {
		if b, err := os.ReadFile(trace); err == nil {
			countFileOps(string(b), f.current, out.byMethod)
		}
	}
	return out
}

func (f *fileStore) put(_ context.Context, run, name string, data []byte) error {
	return os.WriteFile(filepath.Join(f.base, run, name), data, 0o600)
}

func (f *fileStore) close() {}

// traceCall is one syscall line of strace -f output: pid, name, then the
// arguments, of which the quoted ones are paths.
var (
	traceCall   = regexp.MustCompile(`^\d+\s+(openat|renameat2?|unlinkat)\((.*)$`)
	quotedPaths = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
)

// countFileOps counts, in trace, the store operations on dir, named as the
// S3 requests that would do the same (internal/zoho/objectstore/file.go):
// a read opens the object (GET, found or not); create-if-absent opens it
// with O_CREAT|O_EXCL, and a write renames a temporary file onto it (PUT);
// a delete unlinks it (DELETE). The temporary files themselves are not
// requests.
func countFileOps(trace, dir string, byMethod map[string]int) {
	for line := range strings.SplitSeq(trace, "\n") {
		m := traceCall.FindStringSubmatch(line)
		if m == nil {
			continue // another syscall, or the second half of an interrupted one
		}
		paths := quotedPaths.FindAllStringSubmatch(m[2], -1)
		if len(paths) == 0 {
			continue
		}
		target := paths[len(paths)-1][1] // rename: the destination
		if filepath.Dir(target) != dir || strings.HasPrefix(filepath.Base(target), ".tmp-") {
			continue
		}
		switch {
		case m[1] == "unlinkat":
			byMethod["DELETE"]++
		case m[1] != "openat", strings.Contains(m[2], "O_CREAT"):
			byMethod["PUT"]++
		default:
			byMethod["GET"]++
		}
	}
}
