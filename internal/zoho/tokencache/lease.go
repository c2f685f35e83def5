package tokencache

// The lease protocol: how a fleet of machines that miss the shared store at
// once gets one access token from Zoho, and learns of it, whatever happens
// to the machine that asks.
//
//   - A machine that misses creates <id>.lease with the store's
//     create-if-absent write. Exactly one succeeds: the holder. A lost race
//     is any of the store's "exists / conflict / precondition" answers.
//   - The lease says how long its holder may take (its mint budget: every
//     attempt and backoff, plus one store request), and its age is read on
//     the store's clock (Last-Modified against Date), never the machines'.
//   - The holder reads the entry again (another holder may just have
//     published), then mints, and publishes the outcome before it deletes
//     the lease: the entry when Zoho gave a token, <id>.failed when not.
//   - The others poll the lease, with jitter. When it is gone they read the
//     outcome: the entry, or the failure. Zoho's refusals (a throttle, a
//     revoked refresh token, a wrong client) reach every waiter as the same
//     error, and jobs that miss within refusalTTL get it too, with no
//     request to Zoho. After a transient failure (no answer within the
//     budget, a 5xx, a cancelled holder), the waiters race for the lease
//     again: exactly one takes over. A waiter gives up after its second
//     failure, so a Zoho outage costs each job at most two budgets.
//   - A lease still there after its lifetime has a dead holder (killed,
//     not cancelled: a cancelled holder publishes that it gave up). The
//     waiters race to create <id>.<nonce>.takeover, named after that lease:
//     exactly one wins, rewrites the lease as its own, and mints.
//   - Right after taking a lease, the holder tries to create it once more.
//     A store that accepts that does not honour conditional writes: it
//     cannot arbitrate, every machine holds "the" lease, and the cache says
//     so once per process (takeNotice) instead of failing silently.

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// leaseRecord is the body of a lease: who holds it and for how long.
type leaseRecord struct {
	Nonce      string `json:"nonce"`
	LifetimeMS int64  `json:"lifetime_ms"`
}

// heldLease is a lease this process holds.
type heldLease struct {
	nonce string
	taken time.Time // local, monotonic: the promise runs from here
}

// observedLease is a lease another machine holds, as a waiter saw it.
type observedLease struct {
	nonce   string
	expires time.Time // local, monotonic: when its holder must be dead
}

// maxRounds bounds how often one Get goes back to the lease after an
// outcome that was not a token (a transient failure, a lease gone without
// an outcome), so that no store behaviour can keep a job waiting forever.
const maxRounds = 3

// errNoShared says the protocol gave up on the store for this Get: mint
// without it, and publish what was minted.
var errNoShared = errors.New("no lease")

// obtain gets a token through the lease protocol after a miss: as the
// lease holder, or from the holder's outcome.
func (c *Cache) obtain(ctx context.Context, key Key, id string, m Minter) (found, error) {
	s := c.shared
	var lastFailure error
	for range maxRounds {
		tried := &heldLease{nonce: newNonce(), taken: time.Now()}
		held, err := s.takeLease(ctx, key, id, tried)
		if err != nil {
			return c.withoutStore(ctx, key, id, m, err)
		}
		if held == nil {
			var out outcome
			out, held, err = c.await(ctx, key, id, tried)
			switch {
			case err != nil:
				return c.withoutStore(ctx, key, id, m, err)
			case out.tok != nil:
				return c.keep(ctx, key, id, out.tok, SourceShared), nil
			case out.err != nil && !out.transient:
				return found{}, out.err
			case out.err != nil && lastFailure != nil:
				return found{}, out.err
			case out.err != nil:
				lastFailure = out.err
			}
		}
		if held != nil {
			return c.holdAndMint(ctx, key, id, m, held)
		}
	}
	s.debug(ctx, "the shared token cache's lease gave no outcome; minting without it",
		map[string]any{"cache_key_id": id, "rounds": maxRounds})
	return c.mintAndPublish(ctx, key, id, m)
}

// takeLease creates the lease; nil, nil when another machine holds it, or
// seems to: a store client that retried a create whose first attempt
// landed gets "exists" for its own lease, which await then recognises by
// its nonce (tried).
func (s *shared) takeLease(ctx context.Context, key Key, id string, tried *heldLease) (*heldLease, error) {
	held := tried
	body, err := sealJSON(key, id, kindLease, leaseRecord{Nonce: held.nonce, LifetimeMS: s.leaseLife.Milliseconds()})
	if err != nil {
		return nil, err
	}
	create := func() error {
		return s.bounded(ctx, "taking the lease", func(ctx context.Context) error {
			return s.store.CreateIfAbsent(ctx, leaseName(id), body)
		})
	}
	switch err := create(); {
	case errors.Is(err, ErrExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	// The same create again must lose; a store that lets it win ignores
	// conditional writes.
	switch err := create(); {
	case err == nil:
		s.mu.Lock()
		if s.notice == nil {
			s.notice = errors.New("it accepted a second create-if-absent write of an object that existed, so it does not " +
				"honour conditional writes (If-None-Match: *, or GCS's generation match): machines that miss at the same time each mint")
		}
		s.mu.Unlock()
	case !errors.Is(err, ErrExist):
		return nil, err
	}
	return held, nil
}

// outcome is what a waiter learnt: a token, or the holder's failure.
type outcome struct {
	tok       *zoho.Token
	err       error
	transient bool
}

// await waits for the current lease's holder. It returns the holder's
// outcome once the lease is gone (an empty outcome when the holder left
// none), or a lease of this process's own: the one it tried to take, if
// that is the lease there after all, or the dead holder's it took over.
func (c *Cache) await(ctx context.Context, key Key, id string, tried *heldLease) (outcome, *heldLease, error) {
	s := c.shared
	lease, present, err := s.observe(ctx, key, id)
	if err != nil || !present {
		out, err := c.outcomeOf(ctx, key, id, "")
		return out, nil, err
	}
	if lease.nonce == tried.nonce {
		return outcome{}, tried, nil
	}
	claimed := false // this process lost a takeover of lease: wait once more
	interval := s.firstPoll
	failedPolls := 0
	for {
		// Poll with jitter, but wake when the lease expires, not a poll later.
		if err := sleep(ctx, min(jitter(interval), max(time.Until(lease.expires), time.Millisecond))); err != nil {
			return outcome{}, nil, err
		}
		interval = min(interval*3/2, maxPoll)
		cur, present, err := s.observe(ctx, key, id)
		switch {
		case err != nil && tolerable(err) && failedPolls < maxFailedPolls:
			// One failed look at a store that answers is no reason to give
			// up the fleet's single mint; a store that hangs is (tolerable).
			failedPolls++
			continue
		case err != nil:
			return outcome{}, nil, err
		case !present:
			out, err := c.outcomeOf(ctx, key, id, lease.nonce)
			return out, nil, err
		case cur.nonce != lease.nonce:
			failedPolls = 0
			lease, claimed = cur, false // a new holder: its own lifetime
		case time.Now().Before(lease.expires):
		case claimed:
			// The takeover's winner died before it rewrote the lease.
			return outcome{}, nil, errNoShared
		default:
			held, err := s.takeOver(ctx, key, id, lease)
			if err != nil || held != nil {
				return outcome{}, held, err
			}
			// Another waiter took over; give it a lifetime to rewrite the lease.
			claimed = true
			lease.expires = time.Now().Add(s.leaseLife)
		}
	}
}

// maxFailedPolls is how many failed looks at the lease in a row a waiter
// lets pass before it gives up on the store.
const maxFailedPolls = 3

// tolerable reports whether a failed look at the lease may be retried: the
// store answered (an error, a reset connection), as opposed to a request
// that ran out of its deadline, which retrying would only repeat.
func tolerable(err error) bool {
	var serr *storeError
	return errors.As(err, &serr) && !serr.timedOut
}

// observe reads the lease: its nonce and when, by this machine's monotonic
// clock, its holder's time is up (its lifetime minus its age on the store's
// clock). present is false when there is none.
func (s *shared) observe(ctx context.Context, key Key, id string) (observedLease, bool, error) {
	obj, present, err := s.read(ctx, "watching the lease", leaseName(id))
	if err != nil || !present {
		return observedLease{}, false, err
	}
	var rec leaseRecord
	lifetime := s.leaseLife
	if err := openJSON(key, id, kindLease, obj.Data, &rec); err != nil || rec.Nonce == "" {
		// Not a lease of ours: wait for it as long as ours would last.
		rec.Nonce = nonceOf(obj.Data)
	} else {
		lifetime = min(time.Duration(rec.LifetimeMS)*time.Millisecond, maxLeaseLifetime)
	}
	age, _, _ := obj.age() // 0 when the store does not say: the lease counts from now
	return observedLease{nonce: rec.Nonce, expires: time.Now().Add(lifetime - age)}, true, nil
}

// takeOver claims a dead holder's lease: of all waiters, the one that
// creates the claim named after the lease rewrites the lease as its own.
// nil, nil: another waiter won, or the lease changed meanwhile.
func (s *shared) takeOver(ctx context.Context, key Key, id string, dead observedLease) (*heldLease, error) {
	err := s.bounded(ctx, "taking over the lease", func(ctx context.Context) error {
		return s.store.CreateIfAbsent(ctx, takeoverName(id, dead.nonce), nil)
	})
	switch {
	case errors.Is(err, ErrExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	defer s.remove(ctx, id, takeoverName(id, dead.nonce))
	// A late waiter can win a claim whose lease was already taken over
	// and finished: the lease must still be the dead one.
	cur, present, err := s.observe(ctx, key, id)
	if err != nil || !present || cur.nonce != dead.nonce {
		return nil, err
	}
	s.debug(ctx, "the shared token cache's lease holder did not finish within its lifetime; taking over",
		map[string]any{"cache_key_id": id})
	held := &heldLease{nonce: newNonce(), taken: time.Now()}
	body, err := sealJSON(key, id, kindLease, leaseRecord{Nonce: held.nonce, LifetimeMS: s.leaseLife.Milliseconds()})
	if err != nil {
		return nil, err
	}
	if err := s.write(ctx, "taking over the lease", leaseName(id), body); err != nil {
		return nil, err
	}
	return held, nil
}

// outcomeOf reads what the holder of the lease named nonce left (any
// holder's, when nonce is ""): its entry, or its failure record.
func (c *Cache) outcomeOf(ctx context.Context, key Key, id, nonce string) (outcome, error) {
	s := c.shared
	tok, err := s.readEntry(ctx, key, id, c.now(), c.fresh)
	if err != nil || tok != nil {
		return outcome{tok: tok}, err
	}
	rec, age, err := s.readFailure(ctx, key, id)
	if err != nil || rec == nil {
		return outcome{}, err
	}
	ours := nonce != "" && rec.Lease == nonce
	if !ours && (rec.Transient || age >= refusalTTL) {
		return outcome{}, nil // another round's: says nothing about this one
	}
	return outcome{err: &FleetError{Err: rec.Err.error(), Age: age}, transient: rec.Transient}, nil
}

// holdAndMint is the lease holder's part: look once more, mint within the
// lease's promise, publish the outcome, release the lease.
func (c *Cache) holdAndMint(ctx context.Context, key Key, id string, m Minter, held *heldLease) (found, error) {
	s := c.shared
	defer s.release(ctx, key, id, held)
	tok, err := s.readEntry(ctx, key, id, c.now(), c.fresh)
	if err != nil {
		return c.withoutStore(ctx, key, id, m, err)
	}
	if tok != nil {
		return c.keep(ctx, key, id, tok, SourceShared), nil
	}
	refusal, err := s.recentRefusal(ctx, key, id)
	switch {
	case err != nil:
		return c.withoutStore(ctx, key, id, m, err)
	case refusal != nil:
		return found{}, refusal
	}

	promise := held.taken.Add(s.leaseLife - s.opTimeout)
	mctx, cancel := context.WithDeadline(ctx, promise)
	minted, err := m.Mint(mctx, key.Grant())
	cancel()
	if err == nil && minted == nil {
		err = errors.New("token cache: mint returned no token and no error")
	}
	if err != nil {
		if !isCancelled(ctx) && mctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			err = leaseRanOut(s.leaseLife)
		}
		s.publishFailure(ctx, key, id, held, err)
		return found{}, err
	}
	f := c.keep(ctx, key, id, cloneToken(minted), SourceMinted)
	if err := s.publish(ctx, key, id, f.tok, c.now()); err != nil {
		var serr *storeError
		if errors.As(err, &serr) {
			s.fail(serr)
		}
		return f, nil
	}
	s.removeFailure(ctx, id) // an old failure, if any, now answered
	s.sweepOnce(ctx)
	return f, nil
}

// publishFailure records the holder's failed mint for the waiters. A holder
// whose run was cancelled says that it gave up, so one waiter takes over.
func (s *shared) publishFailure(ctx context.Context, key Key, id string, held *heldLease, mintErr error) {
	rec := newFailureRecord(held.nonce, mintErr)
	if isCancelled(ctx) {
		rec = abandonedRecord(held.nonce)
		// The run is over; these last requests still get their own deadlines.
		ctx = context.WithoutCancel(ctx)
	}
	body, err := sealJSON(key, id, kindFailure, rec)
	if err == nil {
		err = s.write(ctx, "publishing a failure record", failureName(id), body)
	}
	if err != nil {
		s.debug(ctx, "could not publish the failed mint; the waiters take over when the lease expires",
			map[string]any{"cache_key_id": id, "error": err.Error()})
	}
}

// release deletes the lease if it is still this process's own: a holder
// too slow for its promise may have been taken over, and must not delete
// the new holder's lease.
func (s *shared) release(ctx context.Context, key Key, id string, held *heldLease) {
	ctx = context.WithoutCancel(ctx) // a cancelled holder still hands the lease on
	cur, present, err := s.observe(ctx, key, id)
	if err != nil || !present || cur.nonce != held.nonce {
		return
	}
	s.remove(ctx, id, leaseName(id))
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jitter spreads d over [0.75 d, 1.25 d).
func jitter(d time.Duration) time.Duration {
	return d*3/4 + rand.N(d/2+1)
}
