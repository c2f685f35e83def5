package tokencache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// DefaultSharedWait is how long a caller that lost the lease waits for the
// winner's entry when Options.SharedWait is zero.
const DefaultSharedWait = 30 * time.Second

// Polling for the lease winner's entry: quick at first (a mint takes a
// fraction of a second), then backing off so a hundred waiters cost the store
// a few requests a second each at most.
const (
	firstPoll = 100 * time.Millisecond
	maxPoll   = time.Second
)

// shared is the object-store layer (token_cache_url). It is used until the
// store first fails; from then on the cache goes on without it, and the
// failure is reported once (takeFailure).
//
// One mint per fleet: a caller that misses takes a lease, a create-if-absent
// object named after the key and a time bucket, so that among all the
// machines missing at once exactly one wins, mints and publishes, and the
// others poll for its entry. Because the name carries the time bucket, a
// lease expires on its own when the bucket ends: a winner that crashed
// blocks nobody beyond the waiters' bound, and no store needs a conditional
// delete. A bucket boundary falling inside a burst can let a second caller
// win; it reads the entry again before minting, so it mints only if the
// first has not published yet.
type shared struct {
	store Store
	wait  time.Duration // how long a loser waits for the entry
	debug func(ctx context.Context, msg string, fields map[string]any)

	mu       sync.Mutex
	failed   error // first store failure; the layer is off once set
	reported bool  // takeFailure has handed failed out

	firstPoll time.Duration // tests shorten it
}

// Names in the store: the same entry name as on disk, and the lease.
func entryName(id string) string { return id + ".token" }

func (s *shared) leaseName(id string, now time.Time) string {
	period := int64(s.wait / time.Second)
	if period < 1 {
		period = 1
	}
	return id + "." + strconv.FormatInt(now.Unix()/period, 10) + ".lease"
}

// usable reports whether the layer is still on.
func (s *shared) usable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed == nil
}

// fail turns the layer off for the rest of the process; only the first
// failure is kept, to be reported.
func (s *shared) fail(err error) {
	s.mu.Lock()
	if s.failed == nil {
		s.failed = err
	}
	s.mu.Unlock()
}

// takeFailure returns the store's failure the first time it is asked after
// one happened, and nil ever after: one warning per process.
func (s *shared) takeFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed == nil || s.reported {
		return nil
	}
	s.reported = true
	return s.failed
}

// lookup reads the entry for key. It returns the token when the store holds
// one that opens and is fresh by fresh; nil, nil for a miss (none there, or
// expired, or too close to expiry); and an error when the store failed or
// holds something that is not an entry for key, which turns the layer off.
func (s *shared) lookup(ctx context.Context, key Key, id string, fresh func(*zoho.Token) bool) (*zoho.Token, error) {
	sealed, err := s.store.Read(ctx, entryName(id), maxEntrySize)
	switch {
	case errors.Is(err, ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case len(sealed) > maxEntrySize:
		return nil, fmt.Errorf("the entry %s is larger than %d bytes: not one this provider wrote", entryName(id), maxEntrySize)
	}
	tok, err := open(key, id, sealed)
	if err != nil {
		// The name is a hash of these very credentials: only a writer holding
		// them could have put a valid entry there.
		return nil, fmt.Errorf("the entry %s is unreadable (%w): the store returned something this provider did not write", entryName(id), err)
	}
	if !fresh(tok) {
		return nil, nil
	}
	return tok, nil
}

// lease tries to take the lease named name for id. won reports whether this
// caller may mint; lastWriterWins that the store cannot arbitrate (then
// everyone mints and publishes); err that the store failed.
func (s *shared) lease(ctx context.Context, id, name string) (won, lastWriterWins bool, err error) {
	err = s.store.CreateIfAbsent(ctx, name, nil)
	switch {
	case err == nil:
		return true, false, nil
	case errors.Is(err, ErrExist):
		return false, false, nil
	case errors.Is(err, ErrUnsupported):
		s.debug(ctx, "the shared token cache cannot create objects conditionally: the last writer wins, so machines missing at once each mint",
			map[string]any{"cache_key_id": id, "error": err.Error()})
		return false, true, nil
	}
	return false, false, err
}

// awaitEntry polls for the lease winner's entry until it is there and fresh,
// or until the wait is over (nil, nil), or the store fails.
func (s *shared) awaitEntry(ctx context.Context, key Key, id string, fresh func(*zoho.Token) bool) (*zoho.Token, error) {
	deadline := time.NewTimer(s.wait)
	defer deadline.Stop()
	interval := s.firstPoll
	for {
		select {
		case <-deadline.C:
			return nil, nil
		case <-time.After(interval):
		}
		tok, err := s.lookup(ctx, key, id, fresh)
		if tok != nil || err != nil {
			return tok, err
		}
		interval = min(interval*3/2, maxPoll)
	}
}

// publish writes the entry for everyone else and releases the lease if this
// caller held one (best effort: the bucket ends anyway).
func (s *shared) publish(ctx context.Context, key Key, id string, tok *zoho.Token, lease string) error {
	sealed, err := seal(key, id, tok)
	if err != nil {
		return err
	}
	if err := s.store.Write(ctx, entryName(id), sealed); err != nil {
		return err
	}
	s.release(ctx, id, lease)
	return nil
}

// release deletes a lease this caller holds, best effort: its time bucket
// ends anyway.
func (s *shared) release(ctx context.Context, id, lease string) {
	if lease == "" {
		return
	}
	if err := s.store.Delete(ctx, lease); err != nil {
		s.debug(ctx, "could not release the shared token cache lease; it expires on its own",
			map[string]any{"cache_key_id": id, "error": err.Error()})
	}
}
