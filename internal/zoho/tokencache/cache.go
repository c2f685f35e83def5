// Package tokencache spends Zoho's access-token budget carefully. One refresh
// token may mint only about 10 access tokens per 10 minutes, and Zoho keeps
// about 15 alive (minting more silently kills the oldest), so N requests for
// the same credentials cost one mint per process, and, with a cache directory,
// one mint across processes (Terraform's plan and apply are separate provider
// processes).
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
)

func (s Source) String() string {
	switch s {
	case SourceMinted:
		return "minted"
	case SourceMemory:
		return "memory"
	case SourceDisk:
		return "disk"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Cache hands out access tokens, minting only when neither memory nor disk
// holds one with enough life left. Safe for concurrent use.
type Cache struct {
	disk         *disk // nil: memory only
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
	return c, nil
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
// the caller's memory check and DoChan has filled it), then disk, then mint.
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
	minted, err := m.Mint(ctx, key.Grant())
	if err != nil {
		return found{}, err
	}
	if minted == nil {
		return found{}, errors.New("token cache: mint returned no token and no error")
	}
	tok := cloneToken(minted) // the minter keeps its own; we keep ours
	c.remember(id, tok)
	if c.disk != nil {
		// A cache that can't be written costs a mint later, never this Get.
		if err := c.disk.write(key, id, tok); err != nil {
			c.writeFailed(ctx, err)
		} else {
			c.disk.sweepOnce(c.now(), id)
		}
	}
	return found{tok, SourceMinted}, nil
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
