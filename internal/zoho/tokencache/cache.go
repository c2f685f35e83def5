// Package tokencache spends Zoho's access-token budget carefully. One refresh
// token may mint only about 10 access tokens per 10 minutes, and Zoho keeps
// about 15 alive (minting more silently kills the oldest), so N requests for
// the same credentials cost one mint per process; with a cache directory,
// one mint across processes (Terraform's plan and apply are separate provider
// processes); and with a shared object store, one mint across every machine
// that points at it (a CI fleet).
package tokencache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// DefaultMinRemaining is how much lifetime a cached token must still have to
// be handed out: enough for the caller to use it.
const DefaultMinRemaining = 5 * time.Minute

// Options configure a Cache. The zero value is a memory-only cache with the
// default margin and the real clock.
type Options struct {
	// Dir holds the encrypted cross-process cache; "" keeps tokens in memory
	// only. Created with mode 0700 (parents too) when missing; an existing
	// one must belong to this user and be writable by nobody else. A symlink
	// to such a directory is accepted and resolved once, in New.
	Dir string
	// MinRemaining: a cached token is reused only while it has more than this
	// left. Zero means DefaultMinRemaining; negative is an error.
	MinRemaining time.Duration
	// Now is the clock; nil means time.Now. Tests pass a movable one. It
	// also decides which files in Dir are old enough for the sweep (their
	// mtimes against Now; see disk.sweep).
	Now func() time.Time
	// WriteFailed is told of each entry that could not be written to Dir,
	// with the context of the Get that minted it (for logging). Get still
	// succeeds: the next process just mints again. nil means nobody is told.
	WriteFailed func(ctx context.Context, err error)
	// Shared is an object store every machine of a fleet points at
	// (token_cache_url), looked up after Dir and before minting; nil means
	// none. Its first failure turns it off for this Cache (see SharedFailure).
	Shared Store
	// SharedWait bounds how long a caller that lost the shared lease waits
	// for the winner's entry before minting itself. Zero means
	// DefaultSharedWait; negative is an error.
	SharedWait time.Duration
	// Debug receives the cache's debug events (never secrets); nil drops them.
	Debug func(ctx context.Context, msg string, fields map[string]any)
}

// Minter mints an access token for a grant; *zoho.Client is one.
type Minter interface {
	Mint(ctx context.Context, g zoho.Grant) (*zoho.Token, error)
}

// Source says where Get found the token.
type Source int

const (
	SourceMinted Source = iota
	SourceMemory
	SourceDisk
	SourceShared
)

func (s Source) String() string {
	switch s {
	case SourceMinted:
		return "minted"
	case SourceMemory:
		return "memory"
	case SourceDisk:
		return "disk"
	case SourceShared:
		return "shared"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Cache hands out access tokens, minting only when neither memory, nor disk,
// nor the shared store holds one with enough life left. Safe for concurrent
// use.
type Cache struct {
	disk         *disk   // nil: no cache directory
	shared       *shared // nil: no shared store
	minRemaining time.Duration
	now          func() time.Time
	writeFailed  func(context.Context, error)
	flights      singleflight.Group

	mu  sync.Mutex
	mem map[string]*zoho.Token // by Key.ID; values are never handed out, only copies

	waitHook func() // tests only: called once a caller has joined a flight
}

// found is what one flight hands to all of its callers.
type found struct {
	tok    *zoho.Token
	source Source
}

// New makes a Cache. A Dir that cannot be created, or that exists but is not
// safe to use (not a directory, another user's, writable by its group or by
// others; see prepareDir), is an error that says what to fix: the user asked
// for a cross-process cache, and silently going without would burn mints.
func New(opts Options) (*Cache, error) {
	if opts.MinRemaining < 0 {
		return nil, fmt.Errorf("token cache: MinRemaining must not be negative, got %s", opts.MinRemaining)
	}
	if opts.SharedWait < 0 {
		return nil, fmt.Errorf("token cache: SharedWait must not be negative, got %s", opts.SharedWait)
	}
	c := &Cache{
		minRemaining: opts.MinRemaining,
		now:          opts.Now,
		writeFailed:  opts.WriteFailed,
		mem:          map[string]*zoho.Token{},
	}
	if c.minRemaining == 0 {
		c.minRemaining = DefaultMinRemaining
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.writeFailed == nil {
		c.writeFailed = func(context.Context, error) {}
	}
	if opts.Dir != "" {
		dir, err := prepareDir(opts.Dir)
		if err != nil {
			return nil, err
		}
		c.disk = &disk{dir: dir}
	}
	if opts.Shared != nil {
		c.shared = &shared{store: opts.Shared, wait: opts.SharedWait, debug: opts.Debug, firstPoll: firstPoll}
		if c.shared.wait == 0 {
			c.shared.wait = DefaultSharedWait
		}
		if c.shared.debug == nil {
			c.shared.debug = func(context.Context, string, map[string]any) {}
		}
	}
	return c, nil
}

// SharedFailure returns the error that turned the shared store off, the first
// time it is called after that happened, and nil otherwise: the caller
// reports it once (as a warning: the run goes on without the store).
func (c *Cache) SharedFailure() error {
	if c.shared == nil {
		return nil
	}
	return c.shared.takeFailure()
}

// Get returns a token for key: from memory, else from disk (when the cache
// has a Dir), else by asking m once to mint for key's grant. Concurrent Gets
// for one key share one flight and all report its source. The flight runs
// under a context that is never cancelled (it keeps ctx's values), so one
// caller giving up doesn't waste a mint the others are waiting for; each
// caller still returns ctx.Err() as soon as its own ctx ends. A mint error
// goes to every caller of that flight and is not cached. The token returned
// is the caller's own copy.
func (c *Cache) Get(ctx context.Context, key Key, m Minter) (*zoho.Token, Source, error) {
	// A caller already gone must not start a mint nobody waits for.
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	id := key.ID()
	if tok := c.fromMemory(id); tok != nil {
		return tok, SourceMemory, nil
	}
	flightCtx := context.WithoutCancel(ctx)
	ch := c.flights.DoChan(id, func() (any, error) {
		return c.fetch(flightCtx, key, id, m)
	})
	if c.waitHook != nil {
		c.waitHook()
	}
	select {
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, 0, r.Err
		}
		f := r.Val.(found)
		return cloneToken(f.tok), f.source, nil
	}
}

// fetch is the body of one flight: memory again (a flight that ended between
// the caller's memory check and DoChan has filled it), then disk, then the
// shared store, then mint.
func (c *Cache) fetch(ctx context.Context, key Key, id string, m Minter) (found, error) {
	if tok := c.fromMemory(id); tok != nil {
		return found{tok, SourceMemory}, nil
	}
	if c.disk != nil {
		if tok := c.disk.read(key, id, c.now()); tok != nil && c.fresh(tok) {
			c.remember(id, tok)
			return found{tok, SourceDisk}, nil
		}
	}
	if c.shared != nil && c.shared.usable() {
		return c.fetchShared(ctx, key, id, m)
	}
	return c.mint(ctx, key, id, m, false, "")
}

// fetchShared looks the key up in the shared store and, on a miss, mints as
// the lease winner, or waits for the winner's entry as a loser (minting
// itself when none comes in time). Any store failure turns the layer off and
// this caller mints as if there were no store: the cache saves requests, it
// never costs a run.
func (c *Cache) fetchShared(ctx context.Context, key Key, id string, m Minter) (found, error) {
	s := c.shared
	failed := func(step string, err error) (found, error) {
		s.fail(fmt.Errorf("%s: %w", step, err))
		return c.mint(ctx, key, id, m, false, "")
	}
	tok, err := s.lookup(ctx, key, id, c.fresh)
	if err != nil {
		return failed("looking up the entry", err)
	}
	if tok != nil {
		return c.keep(ctx, key, id, tok, SourceShared), nil
	}
	lease := s.leaseName(id, c.now())
	won, lastWriterWins, err := s.lease(ctx, id, lease)
	switch {
	case err != nil:
		return failed("taking the lease", err)
	case lastWriterWins:
		return c.mint(ctx, key, id, m, true, "")
	case won:
		// Another winner (the previous time bucket's) may have published
		// between the lookup and the lease.
		tok, err := s.lookup(ctx, key, id, c.fresh)
		if err != nil {
			return failed("looking up the entry", err)
		}
		if tok != nil {
			s.release(ctx, id, lease)
			return c.keep(ctx, key, id, tok, SourceShared), nil
		}
		return c.mint(ctx, key, id, m, true, lease)
	}
	tok, err = s.awaitEntry(ctx, key, id, c.fresh)
	if err != nil {
		return failed("waiting for the lease holder's entry", err)
	}
	if tok != nil {
		return c.keep(ctx, key, id, tok, SourceShared), nil
	}
	s.debug(ctx, "no entry in the shared token cache within the wait; minting without the lease",
		map[string]any{"cache_key_id": id, "wait": s.wait.String()})
	return c.mint(ctx, key, id, m, true, "")
}

// mint asks m for a token and keeps it in memory and on disk; with publish,
// it also writes it to the shared store (and releases lease, if held).
func (c *Cache) mint(ctx context.Context, key Key, id string, m Minter, publish bool, lease string) (found, error) {
	minted, err := m.Mint(ctx, key.Grant())
	if err != nil {
		if publish {
			c.shared.release(ctx, id, lease)
		}
		return found{}, err
	}
	if minted == nil {
		return found{}, errors.New("token cache: mint returned no token and no error")
	}
	tok := cloneToken(minted) // the minter keeps its own; we keep ours
	f := c.keep(ctx, key, id, tok, SourceMinted)
	if publish {
		if err := c.shared.publish(ctx, key, id, tok, lease); err != nil {
			c.shared.fail(fmt.Errorf("publishing the entry: %w", err))
		}
	}
	return f, nil
}

// keep remembers tok and writes it to disk, so the next process on this
// machine finds it without asking the store or Zoho.
func (c *Cache) keep(ctx context.Context, key Key, id string, tok *zoho.Token, source Source) found {
	c.remember(id, tok)
	if c.disk != nil {
		// A cache that can't be written costs a mint later, never this Get.
		if err := c.disk.write(key, id, tok); err != nil {
			c.writeFailed(ctx, err)
		} else {
			c.disk.sweepOnce(c.now(), id)
		}
	}
	return found{tok, source}
}

// fromMemory returns a copy of the remembered token while it is fresh.
func (c *Cache) fromMemory(id string) *zoho.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tok := c.mem[id]; tok != nil && c.fresh(tok) {
		return cloneToken(tok)
	}
	return nil
}

func (c *Cache) remember(id string, tok *zoho.Token) {
	c.mu.Lock()
	c.mem[id] = tok
	c.mu.Unlock()
}

// fresh: strictly more than minRemaining left, so a token at the margin is
// replaced rather than handed out to expire mid-use.
func (c *Cache) fresh(tok *zoho.Token) bool {
	return tok.ExpiresIn(c.now()) > c.minRemaining
}

// cloneToken copies tok deeply enough that no caller shares the cache's
// slices. The refresh token is dropped: the cache holds access tokens only,
// and a memory hit must look like a disk hit.
func cloneToken(tok *zoho.Token) *zoho.Token {
	cp := *tok
	cp.RefreshToken = ""
	cp.Scopes = slices.Clone(tok.Scopes)
	return &cp
}
