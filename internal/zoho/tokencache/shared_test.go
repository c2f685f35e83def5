package tokencache_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// memStore is an in-memory tokencache.Store with the store's own
// create-if-absent, request counts and injectable failures.
type memStore struct {
	mu            sync.Mutex
	objects       map[string][]byte
	ops           map[string]int // "read", "write", "create", "delete"
	failOn        map[string]error
	noConditional bool
}

func newMemStore() *memStore {
	return &memStore{objects: map[string][]byte{}, ops: map[string]int{}, failOn: map[string]error{}}
}

func (s *memStore) op(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops[name]++
	return s.failOn[name]
}

func (s *memStore) Read(_ context.Context, name string, limit int64) ([]byte, error) {
	if err := s.op("read"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objects[name]
	if !ok {
		return nil, fmt.Errorf("reading %s: %w", name, tokencache.ErrNotExist)
	}
	return bytes.Clone(b[:min(int64(len(b)), limit+1)]), nil
}

func (s *memStore) Write(_ context.Context, name string, data []byte) error {
	if err := s.op("write"); err != nil {
		return err
	}
	s.mu.Lock()
	s.objects[name] = bytes.Clone(data)
	s.mu.Unlock()
	return nil
}

func (s *memStore) CreateIfAbsent(_ context.Context, name string, data []byte) error {
	if err := s.op("create"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noConditional {
		s.objects[name] = bytes.Clone(data)
		return fmt.Errorf("this store: %w", tokencache.ErrUnsupported)
	}
	if _, ok := s.objects[name]; ok {
		return fmt.Errorf("creating %s: %w", name, tokencache.ErrExist)
	}
	s.objects[name] = bytes.Clone(data)
	return nil
}

func (s *memStore) Delete(_ context.Context, name string) error {
	if err := s.op("delete"); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.objects, name)
	s.mu.Unlock()
	return nil
}

func (s *memStore) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.ops {
		n += v
	}
	return n
}

func (s *memStore) snapshot() map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.objects)
}

func (s *memStore) put(name string, b []byte) {
	s.mu.Lock()
	s.objects[name] = b
	s.mu.Unlock()
}

// machine is one CI job's provider process: its own memory and, when dir is
// set, its own cache directory; only the store is shared.
func machine(t *testing.T, store tokencache.Store, clk *zohotest.Clock, dir string, wait time.Duration) *tokencache.Cache {
	t.Helper()
	c, err := tokencache.New(tokencache.Options{Dir: dir, Now: clk.Now, Shared: store, SharedWait: wait})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tokencache.SetSharedPoll(c, 5*time.Millisecond)
	return c
}

func TestShared_AnotherMachinesEntryIsOneRead(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk)
	first := mustGet(t, machine(t, store, clk, "", time.Second), refreshKey, m, tokencache.SourceMinted)

	before := store.requests()
	other := machine(t, store, clk, t.TempDir(), time.Second)
	got := mustGet(t, other, refreshKey, m, tokencache.SourceShared)
	if got.AccessToken != first.AccessToken {
		t.Fatalf("shared hit handed out %q, want the first machine's token", got.AccessToken)
	}
	if n := store.requests() - before; n != 1 {
		t.Errorf("a shared hit cost %d store requests, want exactly 1 (%v)", n, store.ops)
	}
	// Now in memory and on this machine's disk: no more store requests.
	before = store.requests()
	mustGet(t, other, refreshKey, m, tokencache.SourceMemory)
	if n := store.requests() - before; n != 0 {
		t.Errorf("a memory hit cost %d store requests, want 0", n)
	}
	if m.Calls() != 1 {
		t.Errorf("Zoho mints = %d, want 1", m.Calls())
	}
}

func TestShared_DiskHitNeverAsksTheStore(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	dir := t.TempDir()
	m := newMinter(clk)
	mustGet(t, machine(t, store, clk, dir, time.Second), refreshKey, m, tokencache.SourceMinted)

	before := store.requests()
	// A new process on the same machine: the disk has it.
	mustGet(t, machine(t, store, clk, dir, time.Second), refreshKey, m, tokencache.SourceDisk)
	if n := store.requests() - before; n != 0 {
		t.Errorf("a disk hit cost %d store requests, want 0", n)
	}
}

func TestShared_AFleetMissingAtOnceMintsOnce(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk).blocking()

	const jobs = 30
	results := make(chan getResult, jobs)
	for range jobs {
		c := machine(t, store, clk, t.TempDir(), 10*time.Second)
		go func() {
			tok, src, err := c.Get(t.Context(), refreshKey, m)
			results <- getResult{tok, src, err}
		}()
	}
	<-m.started // the lease winner is minting; the others are waiting for it
	close(m.release)

	sources := map[tokencache.Source]int{}
	var tokens []string
	for range jobs {
		r := <-results
		if r.err != nil {
			t.Fatalf("Get: %v", r.err)
		}
		sources[r.src]++
		tokens = append(tokens, r.tok.AccessToken)
	}
	if m.Calls() != 1 {
		t.Errorf("Zoho mints = %d for %d machines, want 1", m.Calls(), jobs)
	}
	if sources[tokencache.SourceMinted] != 1 || sources[tokencache.SourceShared] != jobs-1 {
		t.Errorf("sources = %v, want 1 minted and %d shared", sources, jobs-1)
	}
	if !allEqual(tokens) {
		t.Errorf("machines got different tokens: %v", tokens)
	}
	for name := range store.snapshot() {
		if strings.HasSuffix(name, ".lease") {
			t.Errorf("the winner left its lease %s behind", name)
		}
	}
}

func allEqual(s []string) bool {
	for _, v := range s {
		if v != s[0] {
			return false
		}
	}
	return true
}

func TestShared_ACrashedLeaseHolderBlocksNobodyBeyondTheWait(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk)
	c := machine(t, store, clk, "", 200*time.Millisecond)
	// A job took the lease and died before publishing.
	if err := store.CreateIfAbsent(t.Context(), tokencache.LeaseName(c, refreshKey), nil); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("minted after %s, before the lease holder's time was up", waited)
	}
	// It published what it minted, for the rest of the fleet.
	mustGet(t, machine(t, store, clk, "", time.Second), refreshKey, m, tokencache.SourceShared)
	if m.Calls() != 1 {
		t.Errorf("Zoho mints = %d, want 1", m.Calls())
	}
}

func TestShared_ALeaseExpiresWithItsTimeBucket(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk)
	c := machine(t, store, clk, "", time.Second)
	if err := store.CreateIfAbsent(t.Context(), tokencache.LeaseName(c, refreshKey), nil); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Second) // the next bucket: the stale lease no longer counts

	start := time.Now()
	mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
	if waited := time.Since(start); waited > 500*time.Millisecond {
		t.Errorf("waited %s on a lease from an earlier time bucket", waited)
	}
}

func TestShared_MinTokenLifetimeAppliesToSharedEntries(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk)
	first := mustGet(t, machine(t, store, clk, "", time.Second), refreshKey, m, tokencache.SourceMinted)

	clk.Advance(50 * time.Minute) // 10 minutes left: less than the 15 asked for
	c, err := tokencache.New(tokencache.Options{Now: clk.Now, Shared: store, MinRemaining: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
	if got.AccessToken == first.AccessToken {
		t.Fatal("handed out a shared token with less than min_token_lifetime left")
	}
	// The fresh token replaced the old entry for everyone.
	again := mustGet(t, machine(t, store, clk, "", time.Second), refreshKey, m, tokencache.SourceShared)
	if again.AccessToken != got.AccessToken {
		t.Errorf("the store still holds the old token")
	}
}

func TestShared_AFailingStoreIsOneWarningAndTheRunGoesOn(t *testing.T) {
	for _, op := range []string{"read", "create", "write"} {
		t.Run(op, func(t *testing.T) {
			clk := newClock()
			store := newMemStore()
			store.failOn[op] = errors.New("AccessDenied: not allowed")
			m := newMinter(clk)
			c := machine(t, store, clk, "", time.Second)

			mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
			err := c.SharedFailure()
			if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
				t.Fatalf("SharedFailure = %v, want the store's error", err)
			}
			if again := c.SharedFailure(); again != nil {
				t.Errorf("SharedFailure reported twice: %v", again)
			}
			// The store is off for this process: other keys don't ask it.
			before := store.requests()
			mustGet(t, c, clientCredsKey, m, tokencache.SourceMinted)
			if n := store.requests() - before; n != 0 {
				t.Errorf("a failed store was asked %d more times", n)
			}
		})
	}
}

func TestShared_GarbageInTheStoreIsAFailureNotAToken(t *testing.T) {
	for name, body := range map[string][]byte{
		"foreign": []byte("ZTKC\x01 not sealed by us, long enough to pass the length check......"),
		"huge":    bytes.Repeat([]byte{'x'}, tokencache.MaxEntrySize+10),
		"empty":   {},
	} {
		t.Run(name, func(t *testing.T) {
			clk := newClock()
			store := newMemStore()
			store.put(refreshKey.ID()+".token", body)
			m := newMinter(clk)
			c := machine(t, store, clk, "", time.Second)
			mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
			if err := c.SharedFailure(); err == nil {
				t.Error("garbage in the store was not reported")
			}
		})
	}
}

func TestShared_WithoutConditionalWritesTheLastWriterWins(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	store.noConditional = true
	var events []string
	c, err := tokencache.New(tokencache.Options{Now: clk.Now, Shared: store,
		Debug: func(_ context.Context, msg string, _ map[string]any) { events = append(events, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	m := newMinter(clk)
	mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
	if err := c.SharedFailure(); err != nil {
		t.Errorf("a store without conditional writes is not a failure: %v", err)
	}
	if !slices.ContainsFunc(events, func(e string) bool { return strings.Contains(e, "last writer wins") }) {
		t.Errorf("debug events %q do not say the last writer wins", events)
	}
	mustGet(t, machine(t, store, clk, "", time.Second), refreshKey, m, tokencache.SourceShared)
}

func TestShared_TheStoreLearnsNothingUsable(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk).blocking()
	c := machine(t, store, clk, "", time.Second)
	res := goGet(t.Context(), c, refreshKey, m)
	<-m.started
	held := store.snapshot() // mid-mint: the lease is there
	close(m.release)
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	maps.Copy(held, store.snapshot())

	name := regexp.MustCompile(`^[0-9a-f]{64}\.(token|[0-9]+\.lease)$`)
	secrets := []string{r.tok.AccessToken, refreshKey.RefreshToken, refreshKey.ClientSecret, refreshKey.ClientID}
	for n, body := range held {
		if !name.MatchString(n) {
			t.Errorf("object name %q is not a hash (and lease bucket)", n)
		}
		for _, s := range secrets {
			if bytes.Contains(body, []byte(s)) || strings.Contains(n, s) {
				t.Errorf("object %s holds a secret in clear", n)
			}
		}
	}
	if len(held) < 2 {
		t.Errorf("expected an entry and a lease, saw %d objects", len(held))
	}
}
