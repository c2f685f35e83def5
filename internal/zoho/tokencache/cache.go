// Package tokencache spends Zoho's access-token budget carefully. One refresh
// token may mint only about 10 access tokens per 10 minutes, and Zoho keeps
// about 15 alive (minting more silently kills the oldest), so N requests for
// the same credentials cost one mint per process; with a cache directory,
// one mint across processes (Terraform's plan and apply are separate provider
// processes); and with a shared object store, one mint across every machine
// that points at it (a CI fleet).
package tokencache

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// DefaultMinRemaining is how much lifetime a cached token must still have to
// be handed out: the provider's min_token_lifetime default, enough for a
// long apply to use it.
const DefaultMinRemaining = 15 * time.Minute

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
	// mtimes against Now; see disk.sweep). Durations this process measures
	// by itself (how long a lease lasts) use the monotonic clock instead.
	Now func() time.Time
	// WriteFailed is told of each entry that could not be written to Dir,
	// with the context of the Get that minted it (for logging). Get still
	// succeeds: the next process just mints again. nil means nobody is told.
	WriteFailed func(ctx context.Context, err error)
	// Shared is an object store every machine of a fleet points at
	// (token_cache_url), looked up after Dir and before minting; nil means
	// none. Its first failure turns it off for this Cache (see SharedFailure).
	Shared Store
	// StoreTimeout bounds each request to Shared. Zero means
	// DefaultStoreTimeout; negative is an error.
	StoreTimeout time.Duration
	// MintBudget is the longest the Minter takes (zoho.Config.MintBudget):
	// as the shared lease's holder, this process promises the fleet an
	// outcome within it plus one StoreTimeout. Zero means the budget of a
	// zoho.Client with default settings; negative is an error.
	MintBudget time.Duration
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
	flights      flights

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
	for name, d := range map[string]time.Duration{"MinRemaining": opts.MinRemaining, "StoreTimeout": opts.StoreTimeout, "MintBudget": opts.MintBudget} {
		if d < 0 {
			return nil, fmt.Errorf("token cache: %s must not be negative, got %s", name, d)
		}
	}
	c := &Cache{
		minRemaining: cmp.Or(opts.MinRemaining, DefaultMinRemaining),
		now:          opts.Now,
		writeFailed:  opts.WriteFailed,
		mem:          map[string]*zoho.Token{},
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
		timeout := cmp.Or(opts.StoreTimeout, DefaultStoreTimeout)
		c.shared = &shared{
			store:     opts.Shared,
			opTimeout: timeout,
			leaseLife: cmp.Or(opts.MintBudget, zoho.Config{}.MintBudget()) + timeout,
			debug:     opts.Debug,
			firstPoll: firstPoll,
		}
		if c.shared.debug == nil {
			c.shared.debug = func(context.Context, string, map[string]any) {}
		}
	}
	return c, nil
}

// LeaseLifetime is how long a lease this process takes on the shared store
// may last (its whole mint budget plus one store request): the longest a
// dead holder delays the fleet. 0 without a shared store.
func (c *Cache) LeaseLifetime() time.Duration {
	if c.shared == nil {
		return 0
	}
	return c.shared.leaseLife
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

// SharedNotice returns, once, why the shared store works but cannot keep a
// fleet to one mint (it ignores conditional writes); nil otherwise.
func (c *Cache) SharedNotice() error {
	if c.shared == nil {
		return nil
	}
	return c.shared.takeNotice()
}

// Get returns a token for key: from memory, else from disk (when the cache
// has a Dir), else from the shared store (when it has one), else by asking m
// to mint for key's grant. Concurrent Gets for one key share one flight and
// all report its source; the flight goes on while any of them waits, and
// stops when the last has gone (flights). Each caller returns ctx.Err() as
// soon as its own ctx ends. A mint error goes to every caller of that flight
// and is not cached. The token returned is the caller's own copy.
func (c *Cache) Get(ctx context.Context, key Key, m Minter) (*zoho.Token, Source, error) {
	// A caller already gone must not start a mint nobody waits for.
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	id := key.ID()
	if tok := c.fromMemory(id); tok != nil {
		return tok, SourceMemory, nil
	}
	f, err := c.flights.do(ctx, id, func(ctx context.Context) (found, error) {
		return c.fetch(ctx, key, id, m)
	}, c.waitHook)
	if err != nil {
		return nil, 0, err
	}
	return cloneToken(f.tok), f.source, nil
}

// fetch is the body of one flight: memory again (a flight that ended between
// the caller's memory check and this one has filled it), then disk, then the
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
	if c.shared == nil || !c.shared.usable() {
		return c.mint(ctx, key, id, m)
	}
	tok, err := c.shared.readEntry(ctx, key, id, c.now(), c.fresh)
	switch {
	case err != nil:
		return c.withoutStore(ctx, key, id, m, err)
	case tok != nil:
		return c.keep(ctx, key, id, tok, SourceShared), nil
	}
	// Zoho's recent refusal answers before the lease is even tried: a
	// throttled key must not become a burst of lease writes.
	if refusal, err := c.shared.recentRefusal(ctx, key, id); err != nil || refusal != nil {
		if err != nil {
			return c.withoutStore(ctx, key, id, m, err)
		}
		return found{}, refusal
	}
	return c.obtain(ctx, key, id, m)
}

// withoutStore goes on after the lease protocol stopped with err: a store
// request that failed turns the layer off, and this caller mints as if
// there were no store (the cache saves requests, it never costs a run); a
// protocol that gave no outcome mints and publishes; a cancelled run stops.
func (c *Cache) withoutStore(ctx context.Context, key Key, id string, m Minter, err error) (found, error) {
	var serr *storeError
	switch {
	case errors.As(err, &serr):
		c.shared.fail(serr)
		return c.mint(ctx, key, id, m)
	case errors.Is(err, errNoShared):
		return c.mintAndPublish(ctx, key, id, m)
	}
	return found{}, err
}

// mintAndPublish mints without the lease and publishes the token for the
// rest of the fleet.
func (c *Cache) mintAndPublish(ctx context.Context, key Key, id string, m Minter) (found, error) {
	f, err := c.mint(ctx, key, id, m)
	if err != nil {
		return f, err
	}
	if err := c.shared.publish(ctx, key, id, f.tok, c.now()); err != nil {
		var serr *storeError
		if errors.As(err, &serr) {
			c.shared.fail(serr)
		}
	}
	return f, nil
}

// mint asks m for a token and keeps it in memory and on disk.
func (c *Cache) mint(ctx context.Context, key Key, id string, m Minter) (found, error) {
	minted, err := m.Mint(ctx, key.Grant())
	if err != nil {
		return found{}, err
	}
	if minted == nil {
		return found{}, errors.New("token cache: mint returned no token and no error")
	}
	// The minter keeps its own; we keep ours.
	return c.keep(ctx, key, id, cloneToken(minted), SourceMinted), nil
}

// keep remembers tok and writes it to disk, so the next process on this
// machine finds it without asking the store or Zoho.
func (c *Cache) keep(ctx context.Context, key Key, id string, tok *zoho.Token, source Source) found {
	c.remember(id, tok)
	if c.disk != nil {
		// A cache that can't be written costs a mint later, never this Get.
		if err := c.disk.write(key, id, tok, c.now()); err != nil {
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

// Forget drops the token for key wherever this cache keeps it (memory,
// the cache directory, the shared store), if it is still accessToken: the
// API refused it (revoked, or killed by Zoho's cap on live tokens), so the
// next Get mints a new one instead of handing it out again. A newer token
// in any of them is kept.
func (c *Cache) Forget(ctx context.Context, key Key, accessToken string) {
	id := key.ID()
	c.mu.Lock()
	if tok := c.mem[id]; tok != nil && tok.AccessToken == accessToken {
		delete(c.mem, id)
	}
	c.mu.Unlock()
	if c.disk != nil {
		c.disk.forget(key, id, accessToken)
	}
	if c.shared != nil && c.shared.usable() {
		c.shared.forget(ctx, key, id, accessToken)
	}
}
