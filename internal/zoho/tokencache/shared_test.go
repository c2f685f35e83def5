package tokencache_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/tempdir"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// memStore is an in-memory tokencache.Store with the store's own
// create-if-absent, its own clock (Last-Modified and Date), request counts
// and injectable faults.
type memStore struct {
	mu            sync.Mutex
	objects       map[string][]byte
	modified      map[string]time.Time
	ops           map[string]int // "read", "write", "create", "delete"
	failOn        map[string]error
	hang          bool // every request waits for its context to end
	noConditional bool // CreateIfAbsent overwrites, as a store that ignores If-None-Match
	lostAnswers   int  // this many CreateIfAbsent calls write, then answer "exists" (a client's retry of a create that landed)
	failEvery     int  // when set, every failEvery-th read fails with a store error (a flaky store)
	clock         func() time.Time
}

func newMemStore() *memStore {
	return &memStore{objects: map[string][]byte{}, modified: map[string]time.Time{}, ops: map[string]int{},
		failOn: map[string]error{}, clock: time.Now}
}

func (s *memStore) op(ctx context.Context, name string) error {
	s.mu.Lock()
	s.ops[name]++
	err, hang := s.failOn[name], s.hang
	if name == "read" && s.failEvery > 0 && s.ops[name]%s.failEvery == 0 {
		err = errors.New("InternalError: we encountered an internal error, please try again")
	}
	s.mu.Unlock()
	if hang {
		<-ctx.Done()
		return fmt.Errorf("%s: %w", name, ctx.Err())
	}
	return err
}

func (s *memStore) Read(ctx context.Context, name string, limit int64) (tokencache.Object, error) {
	if err := s.op(ctx, "read"); err != nil {
		return tokencache.Object{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objects[name]
	if !ok {
		return tokencache.Object{}, fmt.Errorf("reading %s: %w", name, tokencache.ErrNotExist)
	}
	return tokencache.Object{Data: bytes.Clone(b[:min(int64(len(b)), limit+1)]), Modified: s.modified[name], StoreNow: s.clock()}, nil
}

func (s *memStore) Write(ctx context.Context, name string, data []byte) error {
	if err := s.op(ctx, "write"); err != nil {
		return err
	}
	s.put(name, data)
	return nil
}

func (s *memStore) CreateIfAbsent(ctx context.Context, name string, data []byte) error {
	if err := s.op(ctx, "create"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objects[name]; ok && !s.noConditional {
		return fmt.Errorf("creating %s: %w", name, tokencache.ErrExist)
	}
	s.objects[name], s.modified[name] = bytes.Clone(data), s.clock()
	if s.lostAnswers > 0 {
		s.lostAnswers--
		return fmt.Errorf("creating %s (retried): %w", name, tokencache.ErrExist)
	}
	return nil
}

func (s *memStore) Delete(ctx context.Context, name string) error {
	if err := s.op(ctx, "delete"); err != nil {
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
	s.objects[name], s.modified[name] = bytes.Clone(b), s.clock()
	s.mu.Unlock()
}

func (s *memStore) has(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.objects[name]
	return ok
}

// Test-sized lease: a holder promises an outcome within budget + timeout.
const (
	testBudget  = 5 * time.Second
	testTimeout = 100 * time.Millisecond
)

// machine is one CI job's provider process: its own memory, clock and,
// when dir is set, its own cache directory; only the store is shared.
func machine(t *testing.T, store tokencache.Store, clk *zohotest.Clock, dir string) *tokencache.Cache {
	t.Helper()
	c, err := tokencache.New(tokencache.Options{Dir: dir, Now: clk.Now, Shared: store, MintBudget: testBudget, StoreTimeout: testTimeout})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tokencache.SetSharedPoll(c, 5*time.Millisecond)
	return c
}

// fleet runs n machines' Gets at once and returns their results.
func fleet(t *testing.T, n int, store tokencache.Store, clk *zohotest.Clock, m tokencache.Minter) []getResult {
	t.Helper()
	results := make([]getResult, n)
	var wg sync.WaitGroup
	for i := range n {
		c := machine(t, store, clk, "")
		wg.Go(func() {
			tok, src, err := c.Get(t.Context(), refreshKey, m)
			results[i] = getResult{tok, src, err}
		})
	}
	wg.Wait()
	return results
}

func TestShared_AnotherMachinesEntryIsOneRead(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk)
	first := mustGet(t, machine(t, store, clk, ""), refreshKey, m, tokencache.SourceMinted)

	before := store.requests()
	other := machine(t, store, clk, tempdir.New(t))
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
	dir := tempdir.New(t)
	m := newMinter(clk)
	mustGet(t, machine(t, store, clk, dir), refreshKey, m, tokencache.SourceMinted)

	before := store.requests()
	// A new process on the same machine: the disk has it.
	mustGet(t, machine(t, store, clk, dir), refreshKey, m, tokencache.SourceDisk)
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
		c := machine(t, store, clk, tempdir.New(t))
		go func() {
			tok, src, err := c.Get(t.Context(), refreshKey, m)
			results <- getResult{tok, src, err}
		}()
	}
	<-m.started // the lease holder is minting; the others are waiting for it
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
	if names := names(store); len(names) != 1 || names[0] != tokencache.EntryObject(refreshKey) {
		t.Errorf("the store holds %v after the round, want the entry alone (lease released, no failure)", names)
	}
}

func names(s *memStore) []string {
	var out []string
	for n := range s.snapshot() {
		out = append(out, n)
	}
	return out
}

func allEqual(s []string) bool {
	for _, v := range s {
		if v != s[0] {
			return false
		}
	}
	return true
}

// A store that accepts the connection and never answers costs one store
// deadline, then the layer is off for the process with one warning, and
// the caller mints as without it.
func TestShared_AHungStoreCostsOneDeadline(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	store.hang = true
	m := newMinter(clk)
	c := machine(t, store, clk, "")

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // a hang fails the test, it does not stall it
	defer cancel()
	if _, src, err := c.Get(ctx, refreshKey, m); err != nil || src != tokencache.SourceMinted {
		t.Fatalf("Get with a hung store: %v, %v; want a minted token", src, err)
	}
	err := c.SharedFailure()
	if err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("SharedFailure = %v, want the store's timeout", err)
	}
	before := store.requests()
	if _, _, err := c.Get(ctx, clientCredsKey, m); err != nil {
		t.Fatal(err)
	}
	if n := store.requests() - before; n != 0 {
		t.Errorf("the hung store was asked %d more times", n)
	}
}

// A run cancelled while the store hangs ends at once.
func TestShared_CancellationEndsAWaitOnAHungStore(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	store.hang = true
	c, err := tokencache.New(tokencache.Options{Now: clk.Now, Shared: store, StoreTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	res := goGet(ctx, c, refreshKey, newMinter(clk))
	cancel()
	select {
	case r := <-res:
		if !errors.Is(r.err, context.Canceled) {
			t.Errorf("Get = %v, want context.Canceled", r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled Get is still waiting for a hung store")
	}
}

// Zoho's refusal of the holder reaches every waiter as the same error,
// with one request to Zoho in all, and answers for jobs that miss within a
// minute by the store's clock; then one job asks again.
func TestShared_AThrottledHolderIsEveryonesAnswer(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	storeNow := time.Now()
	store.clock = func() time.Time { return storeNow }
	throttled := &zoho.Error{Op: zoho.OpRefresh, Code: zoho.CodeThrottled, Raw: "Access Denied", Description: "You have made too many requests continuously."}
	m := newMinter(clk)
	m.err = throttled

	for i, r := range fleet(t, 20, store, clk, m) {
		var zerr *zoho.Error
		if !errors.As(r.err, &zerr) || zerr.Code != zoho.CodeThrottled || zerr.Description != throttled.Description {
			t.Fatalf("job %d: %v, want Zoho's throttle answer", i, r.err)
		}
	}
	if m.Calls() != 1 {
		t.Fatalf("Zoho was asked %d times by 20 jobs on a throttled token, want 1", m.Calls())
	}

	// A job that misses 30 s later gets the same answer without asking.
	storeNow = storeNow.Add(30 * time.Second)
	_, _, err := machine(t, store, clk, "").Get(t.Context(), refreshKey, m)
	var fleetErr *tokencache.FleetError
	if !errors.As(err, &fleetErr) || !strings.Contains(err.Error(), "did not ask Zoho") {
		t.Fatalf("a job 30 s later: %v, want the fleet's answer", err)
	}
	if m.Calls() != 1 {
		t.Errorf("Zoho was asked again within the minute")
	}
	// A minute on, one job asks again.
	storeNow = storeNow.Add(time.Minute)
	m.err = nil
	mustGet(t, machine(t, store, clk, ""), refreshKey, m, tokencache.SourceMinted)
	if store.has(tokencache.FailureObject(refreshKey)) {
		t.Error("the answered failure record is still in the store")
	}
}

// A job that misses while Zoho's refusal of the key is fresh gets it
// without taking the lease: no write to the store, no request to Zoho.
func TestShared_ARecentRefusalAnswersBeforeTheLease(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk)
	m.err = &zoho.Error{Op: zoho.OpRefresh, Code: zoho.CodeThrottled, Raw: "Access Denied"}
	if _, _, err := machine(t, store, clk, "").Get(t.Context(), refreshKey, m); err == nil {
		t.Fatal("the holder's throttled mint succeeded")
	}
	creates := store.ops["create"]
	_, _, err := machine(t, store, clk, "").Get(t.Context(), refreshKey, m)
	var fleetErr *tokencache.FleetError
	if !errors.As(err, &fleetErr) {
		t.Fatalf("a later job: %v, want the fleet's answer", err)
	}
	if n := store.ops["create"] - creates; n != 0 {
		t.Errorf("the later job took the lease (%d creates) although the refusal was there", n)
	}
	if m.Calls() != 1 {
		t.Errorf("Zoho asked %d times, want 1", m.Calls())
	}
}

// A store that fails a look at the lease now and then (it answers: an
// error, not silence) does not cost the fleet its single mint.
func TestShared_AFlakyStoreWhileWaitingKeepsOneMint(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	store.failEvery = 4
	var calls atomic.Int32
	m := mintFunc(func(ctx context.Context, _ zoho.Grant) (*zoho.Token, error) {
		calls.Add(1)
		time.Sleep(100 * time.Millisecond) // the others look at the lease meanwhile
		return &zoho.Token{AccessToken: "1000.flaky.store", ExpiresAt: clk.Now().Add(time.Hour)}, nil
	})
	for _, r := range fleet(t, 6, store, clk, m) {
		if r.err != nil {
			t.Fatal(r.err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("Zoho mints = %d with a store failing one read in four, want 1", calls.Load())
	}
}

// A holder whose mint takes longer than one request_timeout (its first
// attempt timed out, its retry succeeds) is waited for: one mint.
func TestShared_ASlowHolderIsWaitedFor(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	var calls atomic.Int32
	m := mintFunc(func(ctx context.Context, _ zoho.Grant) (*zoho.Token, error) {
		calls.Add(1)
		time.Sleep(2 * testTimeout) // longer than a store deadline, within the budget
		return &zoho.Token{AccessToken: "1000.slow.token", ExpiresAt: clk.Now().Add(time.Hour)}, nil
	})
	for i, r := range fleet(t, 10, store, clk, m) {
		if r.err != nil {
			t.Fatalf("job %d: %v", i, r.err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("Zoho mints = %d, want 1", calls.Load())
	}
}

// After a transient failure (no answer, a server error), exactly one
// waiter takes over.
func TestShared_AfterATransientFailureOneTakesOver(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	var calls atomic.Int32
	m := mintFunc(func(ctx context.Context, _ zoho.Grant) (*zoho.Token, error) {
		if calls.Add(1) == 1 {
			time.Sleep(20 * time.Millisecond) // let the others start waiting
			return nil, &zoho.TransportError{Op: zoho.OpRefresh, Attempts: 5, Timeout: true, Err: errors.New("i/o timeout")}
		}
		return &zoho.Token{AccessToken: "1000.second.try", ExpiresAt: clk.Now().Add(time.Hour)}, nil
	})
	var failed int
	for _, r := range fleet(t, 10, store, clk, m) {
		if r.err != nil {
			failed++
		}
	}
	if calls.Load() != 2 {
		t.Errorf("Zoho mints = %d, want 2 (the holder's failure, then one waiter's)", calls.Load())
	}
	if failed != 1 {
		t.Errorf("%d jobs failed, want 1 (the holder)", failed)
	}
}

// A holder that died (killed, so it never said so) delays the others by
// at most its lease's lifetime, then exactly one takes over.
func TestShared_ADeadHoldersLeaseIsTakenOverOnce(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	dead, err := tokencache.Lease(refreshKey, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	store.put(tokencache.LeaseObject(refreshKey), dead)
	m := newMinter(clk)
	results := fleet(t, 10, store, clk, m)
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("job %d: %v", i, r.err)
		}
	}
	if m.Calls() != 1 {
		t.Errorf("Zoho mints = %d after a dead holder, want 1", m.Calls())
	}
	if names := names(store); len(names) != 1 {
		t.Errorf("the store holds %v, want the entry alone (no takeover claim, no lease)", names)
	}
}

// A lease older than its lifetime by the store's clock is dead at once,
// whatever the machines' clocks say.
func TestShared_ALeasesAgeIsTheStores(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	dead, err := tokencache.Lease(refreshKey, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	storeNow := time.Now()
	store.clock = func() time.Time { return storeNow }
	store.put(tokencache.LeaseObject(refreshKey), dead)
	storeNow = storeNow.Add(2 * time.Hour)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, src, err := machine(t, store, clk, "").Get(ctx, refreshKey, newMinter(clk)); err != nil || src != tokencache.SourceMinted {
		t.Fatalf("Get past a lease that expired an hour ago: %v, %v", src, err)
	}
}

// A holder whose run is cancelled says so, and a waiter takes over at once
// rather than when the lease expires.
func TestShared_ACancelledHolderHandsOverAtOnce(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	var calls atomic.Int32
	started := make(chan struct{})
	m := mintFunc(func(ctx context.Context, _ zoho.Grant) (*zoho.Token, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return &zoho.Token{AccessToken: "1000.after.cancel", ExpiresAt: clk.Now().Add(time.Hour)}, nil
	})
	long := func() *tokencache.Cache {
		c, err := tokencache.New(tokencache.Options{Now: clk.Now, Shared: store, MintBudget: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		tokencache.SetSharedPoll(c, 5*time.Millisecond)
		return c
	}
	holderCtx, cancelHolder := context.WithCancel(t.Context())
	holder := long()
	go func() { _, _, _ = holder.Get(holderCtx, refreshKey, m) }()
	<-started
	waiterCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	waiter := make(chan getResult, 1)
	go func() {
		tok, src, err := long().Get(waiterCtx, refreshKey, m)
		waiter <- getResult{tok, src, err}
	}()
	time.Sleep(50 * time.Millisecond) // the waiter is waiting on the lease
	cancelHolder()
	if r := <-waiter; r.err != nil || r.src != tokencache.SourceMinted {
		t.Fatalf("the waiter: %v, %v; want it to take over (the lease promised an hour)", r.src, r.err)
	}
}

// A machine whose clock is a day fast publishes a token that nobody trusts
// beyond Zoho's hour from the entry's time in the store; machines skewed by
// minutes still mint once, and none hands out a token with less than
// min_token_lifetime left by a correct clock.
func TestShared_ClockSkewNeitherExtendsNorMultiplies(t *testing.T) {
	t.Run("a day fast", func(t *testing.T) {
		store := newMemStore()
		fast := zohotest.NewClock(time.Now().Add(24 * time.Hour))
		right := zohotest.NewClock(time.Now())
		mustGet(t, machine(t, store, fast, ""), refreshKey, newMinter(fast), tokencache.SourceMinted)
		got := mustGet(t, machine(t, store, right, ""), refreshKey, newMinter(right), tokencache.SourceShared)
		if left := got.ExpiresIn(right.Now()); left > time.Hour {
			t.Errorf("a token from a machine a day fast has %s left by a correct clock, want at most an hour", left)
		}
	})
	t.Run("an old entry from a fast machine", func(t *testing.T) {
		store := newMemStore()
		storeNow := time.Now()
		store.clock = func() time.Time { return storeNow }
		fast := zohotest.NewClock(time.Now().Add(24 * time.Hour))
		right := zohotest.NewClock(time.Now())
		mustGet(t, machine(t, store, fast, ""), refreshKey, newMinter(fast), tokencache.SourceMinted)
		storeNow = storeNow.Add(50 * time.Minute) // 10 minutes left in truth
		right.Advance(50 * time.Minute)
		m := newMinter(right)
		mustGet(t, machine(t, store, right, ""), refreshKey, m, tokencache.SourceMinted)
	})
	t.Run("minutes either way", func(t *testing.T) {
		store := newMemStore()
		m := newMinter(zohotest.NewClock(time.Now())).blocking()
		results := make(chan getResult, 10)
		for i := range 10 {
			skew := time.Duration(i%5-2) * 150 * time.Second // -5m .. +5m
			clk := zohotest.NewClock(time.Now().Add(skew))
			c := machine(t, store, clk, "")
			go func() {
				tok, src, err := c.Get(t.Context(), refreshKey, m)
				results <- getResult{tok, src, err}
			}()
		}
		<-m.started
		close(m.release)
		for range 10 {
			if r := <-results; r.err != nil {
				t.Fatal(r.err)
			}
		}
		if m.Calls() != 1 {
			t.Errorf("machines skewed by ±5 minutes minted %d times, want 1", m.Calls())
		}
	})
}

// An entry that does not open is replaced by the next mint, and the layer
// stays on.
func TestShared_ABadEntryRepairsItself(t *testing.T) {
	for name, body := range map[string][]byte{
		"foreign": []byte("ZTKC\x01 not sealed by us, long enough to pass the length check......"),
		"huge":    bytes.Repeat([]byte{'x'}, tokencache.MaxEntrySize+10),
		"empty":   {},
	} {
		t.Run(name, func(t *testing.T) {
			clk := newClock()
			store := newMemStore()
			store.put(tokencache.EntryObject(refreshKey), body)
			m := newMinter(clk)
			minted := mustGet(t, machine(t, store, clk, ""), refreshKey, m, tokencache.SourceMinted)
			c := machine(t, store, clk, "")
			if got := mustGet(t, c, refreshKey, m, tokencache.SourceShared); got.AccessToken != minted.AccessToken {
				t.Error("the next machine did not get the repaired entry")
			}
			if err := c.SharedFailure(); err != nil {
				t.Errorf("a bad entry turned the shared cache off: %v", err)
			}
		})
	}
}

func TestShared_AFailingStoreIsOneWarningAndTheRunGoesOn(t *testing.T) {
	for _, op := range []string{"read", "create", "write"} {
		t.Run(op, func(t *testing.T) {
			clk := newClock()
			store := newMemStore()
			store.failOn[op] = errors.New("AccessDenied: not allowed")
			m := newMinter(clk)
			c := machine(t, store, clk, "")

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

// A store that ignores conditional writes cannot hold a fleet to one
// mint; the cache finds out and says so, once.
func TestShared_AStoreWithoutConditionalWritesIsNoticed(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	store.noConditional = true
	c := machine(t, store, clk, "")
	m := newMinter(clk)
	mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
	notice := c.SharedNotice()
	if notice == nil || !strings.Contains(notice.Error(), "conditional writes") {
		t.Fatalf("SharedNotice = %v, want the store's lack of conditional writes", notice)
	}
	if again := c.SharedNotice(); again != nil {
		t.Errorf("noticed twice: %v", again)
	}
	if err := c.SharedFailure(); err != nil {
		t.Errorf("not a failure: the store still shares entries: %v", err)
	}
	mustGet(t, machine(t, store, clk, ""), refreshKey, m, tokencache.SourceShared)
}

// A store client that retried a create whose first attempt landed is told
// the lease exists: it is this process's own, recognised by its nonce, not
// a lease to wait out.
func TestShared_ARetriedCreateStillHoldsTheLease(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	store.lostAnswers = 1
	ctx, cancel := context.WithTimeout(t.Context(), testBudget/2) // waiting the lease out would fail
	defer cancel()
	tok, src, err := machine(t, store, clk, "").Get(ctx, refreshKey, newMinter(clk))
	if err != nil || src != tokencache.SourceMinted || tok == nil {
		t.Fatalf("Get: %v, %v; want this process to mint as the lease's holder", src, err)
	}
}

func TestShared_MinTokenLifetimeAppliesToSharedEntries(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	storeNow := time.Now()
	store.clock = func() time.Time { return storeNow }
	m := newMinter(clk)
	first := mustGet(t, machine(t, store, clk, ""), refreshKey, m, tokencache.SourceMinted)

	clk.Advance(50 * time.Minute) // 10 minutes left: less than the 15 asked for
	storeNow = storeNow.Add(50 * time.Minute)
	c, err := tokencache.New(tokencache.Options{Now: clk.Now, Shared: store, MinRemaining: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
	if got.AccessToken == first.AccessToken {
		t.Fatal("handed out a shared token with less than min_token_lifetime left")
	}
	// The fresh token replaced the old entry for everyone.
	again := mustGet(t, machine(t, store, clk, ""), refreshKey, m, tokencache.SourceShared)
	if again.AccessToken != got.AccessToken {
		t.Errorf("the store still holds the old token")
	}
}

func TestShared_TheStoreLearnsNothingUsable(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	m := newMinter(clk).blocking()
	c := machine(t, store, clk, "")
	res := goGet(t.Context(), c, refreshKey, m)
	<-m.started
	held := store.snapshot() // mid-mint: the lease is there
	close(m.release)
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	maps.Copy(held, store.snapshot())

	name := regexp.MustCompile(`^[0-9a-f]{64}\.(token|lease|failed|[0-9a-f]{16}\.takeover)$`)
	secrets := []string{r.tok.AccessToken, refreshKey.RefreshToken, refreshKey.ClientSecret, refreshKey.ClientID}
	for n, body := range held {
		if !name.MatchString(n) {
			t.Errorf("object name %q is not a hash", n)
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

// A token the API refused is forgotten everywhere this cache keeps it, and
// the next Get mints; a newer token is not forgotten for an older one.
func TestForget(t *testing.T) {
	clk := newClock()
	store := newMemStore()
	dir := tempdir.New(t) // not t.TempDir: its cleanup fails under Wine (scripts/wine-test.sh)
	m := newMinter(clk)
	c := machine(t, store, clk, dir)
	refused := mustGet(t, c, refreshKey, m, tokencache.SourceMinted)

	c.Forget(t.Context(), refreshKey, "1000.not.the.cached.one")
	mustGet(t, c, refreshKey, m, tokencache.SourceMemory)

	c.Forget(t.Context(), refreshKey, refused.AccessToken)
	if store.has(tokencache.EntryObject(refreshKey)) {
		t.Error("the shared entry still holds the refused token")
	}
	if _, err := os.Stat(filepath.Join(dir, refreshKey.ID()+".token")); !os.IsNotExist(err) {
		t.Errorf("the disk entry still holds the refused token: %v", err)
	}
	fresh := mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
	if fresh.AccessToken == refused.AccessToken || m.Calls() != 2 {
		t.Errorf("after Forget: %d mints, token renewed %v", m.Calls(), fresh.AccessToken != refused.AccessToken)
	}
}
