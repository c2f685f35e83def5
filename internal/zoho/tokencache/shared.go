package tokencache

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// Defaults of the shared layer when Options leave them zero.
const (
	// DefaultStoreTimeout bounds each store request: the provider's
	// request_timeout default.
	DefaultStoreTimeout = zoho.DefaultRequestTimeout
	// maxLeaseLifetime bounds what a lease read from the store may claim, so
	// a planted or garbled lease cannot stall the fleet for long.
	maxLeaseLifetime = 15 * time.Minute
	// recordsStaleAfter: a lease, failure record or takeover claim older
	// than this is a leftover of a crash; Sweep removes it.
	recordsStaleAfter = time.Hour
)

// Polling for the lease holder's outcome: quick at first (a mint takes a
// fraction of a second), then backing off, with jitter so that a hundred
// waiters do not ask the store in step.
const (
	firstPoll = 250 * time.Millisecond
	maxPoll   = 2 * time.Second
)

// shared is the object-store layer (token_cache_url). Each of its store
// requests has its own deadline (opTimeout). It is used until the store
// first fails (a request that errs or times out); from then on this process
// goes on without it, and the failure is reported once (takeFailure). What
// the store holds that does not open (a corrupt entry, garbage) is no
// failure: the next mint overwrites it.
//
// The lease protocol that makes a fleet mint once is in lease.go.
type shared struct {
	store     Store
	leaseLife time.Duration // what this process promises as a lease holder
	opTimeout time.Duration
	debug     func(ctx context.Context, msg string, fields map[string]any)
	firstPoll time.Duration // tests shorten it

	mu       sync.Mutex
	failed   error // first store failure; the layer is off once set
	reported bool  // takeFailure has handed failed out
	notice   error // the store does not arbitrate conditional writes
	noticed  bool  // takeNotice has handed notice out
	swept    bool
}

// Object names: the entry (the same name as on disk), the lease, the
// holder's failure record, and a claim to take over a dead holder's lease.
func entryName(id string) string   { return id + ".token" }
func leaseName(id string) string   { return id + ".lease" }
func failureName(id string) string { return id + ".failed" }
func takeoverName(id, nonce string) string {
	return id + "." + nonce + ".takeover"
}

// isRecordName: names of the protocol's short-lived records (and of the
// time-bucketed leases of the provider's first shared cache), which Sweep
// may remove once old.
func isRecordName(name string) bool {
	id, rest, ok := strings.Cut(name, ".")
	if !ok || !isID(id) {
		return false
	}
	switch {
	case rest == "lease", rest == "failed":
		return true
	case strings.HasSuffix(rest, ".takeover"), strings.HasSuffix(rest, ".lease"):
		return true
	}
	return false
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

// takeNotice is takeFailure for a store that works but cannot arbitrate.
func (s *shared) takeNotice() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notice == nil || s.noticed {
		return nil
	}
	s.noticed = true
	return s.notice
}

// storeError is a store request that failed: the layer turns off.
// timedOut: the store gave no answer within the request's deadline.
type storeError struct {
	step     string
	err      error
	timedOut bool
}

func (e *storeError) Error() string { return e.step + ": " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// bounded runs one store request under its own deadline, once more if the
// store answered with an error (a 5xx, a reset connection) and time is
// left: a store that errs now and then should not cost the fleet its one
// mint, and every request here may be repeated (a repeated create that
// landed the first time is recognised by its nonce). A request that the
// caller's cancellation ended is returned as is; any other failure is a
// *storeError naming step.
func (s *shared) bounded(ctx context.Context, step string, call func(ctx context.Context) error) error {
	rctx, cancel := context.WithTimeout(ctx, s.opTimeout)
	defer cancel()
	err := call(rctx)
	if err != nil && !errors.Is(err, ErrNotExist) && !errors.Is(err, ErrExist) && rctx.Err() == nil {
		err = call(rctx)
	}
	switch {
	case err == nil, errors.Is(err, ErrNotExist), errors.Is(err, ErrExist):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case rctx.Err() != nil:
		return &storeError{step: step, err: fmt.Errorf("no answer within %s (request_timeout): %w", s.opTimeout, err), timedOut: true}
	}
	return &storeError{step: step, err: err}
}

// read reads name; found is false for a missing object.
func (s *shared) read(ctx context.Context, step, name string) (obj Object, found bool, err error) {
	err = s.bounded(ctx, step, func(ctx context.Context) error {
		var rerr error
		obj, rerr = s.store.Read(ctx, name, maxEntrySize)
		return rerr
	})
	switch {
	case errors.Is(err, ErrNotExist):
		return Object{}, false, nil
	case err != nil:
		return Object{}, false, err
	}
	return obj, true, nil
}

// readEntry returns the entry's token, converted to this machine's clock,
// or nil when there is none, or it does not open (the next mint overwrites
// it), or it has too little life left by fresh. Its lifetime is read on the
// store's clock: what the sealer measured on its own clock when it sealed,
// minus the entry's age by the store, and never more than Zoho's maximum
// from the moment the store took the entry. A machine whose clock is off
// by minutes or days can neither extend nor shorten it.
func (s *shared) readEntry(ctx context.Context, key Key, id string, now time.Time, fresh func(*zoho.Token) bool) (*zoho.Token, error) {
	obj, found, err := s.read(ctx, "looking up the entry", entryName(id))
	if err != nil || !found {
		return nil, err
	}
	if len(obj.Data) > maxEntrySize {
		s.debug(ctx, "the shared token cache entry is oversized; the next mint replaces it", map[string]any{"cache_key_id": id})
		return nil, nil
	}
	plain, err := openRecord(key, id, kindToken, obj.Data)
	var p *payload
	if err == nil {
		p, err = decodePayload(plain)
	}
	if err != nil {
		s.debug(ctx, "the shared token cache entry does not open; the next mint replaces it",
			map[string]any{"cache_key_id": id, "error": err.Error()})
		return nil, nil
	}
	tok := p.token()
	tok.ExpiresAt = now.Add(lifetimeLeft(p, obj, now))
	if !fresh(tok) {
		return nil, nil
	}
	return tok, nil
}

// lifetimeLeft is what is left of an entry's token: see readEntry. Without
// the store's clock, the reader's clock has to do.
func lifetimeLeft(p *payload, obj Object, now time.Time) time.Duration {
	left := p.ExpiresAt.Sub(now)
	_, age, ok := obj.age()
	if !ok && !obj.Modified.IsZero() {
		age, ok = max(now.Sub(obj.Modified), 0), true
	}
	if ok {
		if p.LifetimeLeftMS > 0 {
			left = time.Duration(p.LifetimeLeftMS)*time.Millisecond - age
		}
		left = min(left, zoho.MaxTokenLifetime-age)
	}
	return max(left, 0)
}

// readFailure returns the failure record, with its age on the store's
// clock, or nil when there is none or it does not open.
func (s *shared) readFailure(ctx context.Context, key Key, id string) (*failureRecord, time.Duration, error) {
	obj, found, err := s.read(ctx, "looking up a failure record", failureName(id))
	if err != nil || !found {
		return nil, 0, err
	}
	var rec failureRecord
	if err := openJSON(key, id, kindFailure, obj.Data, &rec); err != nil {
		return nil, 0, nil
	}
	_, age, ok := obj.age()
	if !ok {
		// No clock to tell its age by: it answers only for its own lease.
		age = refusalTTL
	}
	return &rec, age, nil
}

// recentRefusal is Zoho's refusal of a holder within refusalTTL, by the
// store's clock, as the fleet's answer; nil when there is none.
func (s *shared) recentRefusal(ctx context.Context, key Key, id string) (*FleetError, error) {
	rec, age, err := s.readFailure(ctx, key, id)
	if err != nil || rec == nil || rec.Transient || age >= refusalTTL {
		return nil, err
	}
	return &FleetError{Err: rec.Err.error(), Age: age}, nil
}

// removeFailure deletes the failure record after a success; one that was
// never there costs the store a delete that S3, GCS and Azure answer alike.
func (s *shared) removeFailure(ctx context.Context, id string) {
	s.remove(ctx, id, failureName(id))
}

// write writes an object, under step's name if it fails.
func (s *shared) write(ctx context.Context, step, name string, data []byte) error {
	return s.bounded(ctx, step, func(ctx context.Context) error { return s.store.Write(ctx, name, data) })
}

// remove deletes an object, best effort: a leftover costs nothing but a
// sweep, so a failure is only logged.
func (s *shared) remove(ctx context.Context, id, name string) {
	err := s.bounded(ctx, "deleting "+name, func(ctx context.Context) error { return s.store.Delete(ctx, name) })
	if err != nil {
		s.debug(ctx, "could not delete a record of the shared token cache; it expires on its own",
			map[string]any{"cache_key_id": id, "object": name, "error": err.Error()})
	}
}

// publish writes the entry for everyone else.
func (s *shared) publish(ctx context.Context, key Key, id string, tok *zoho.Token, now time.Time) error {
	sealed, err := seal(key, id, tok, now)
	if err != nil {
		return err
	}
	return s.write(ctx, "publishing the entry", entryName(id), sealed)
}

// sweepOnce removes leftovers of crashed holders once per process, on a
// store that can list (file://); others rely on a lifecycle rule.
func (s *shared) sweepOnce(ctx context.Context) {
	sw, ok := s.store.(Sweeper)
	s.mu.Lock()
	run := ok && !s.swept
	s.swept = true
	s.mu.Unlock()
	if !run {
		return
	}
	err := s.bounded(ctx, "sweeping", func(ctx context.Context) error {
		return sw.Sweep(ctx, recordsStaleAfter, func(name string) bool {
			return isRecordName(name) || strings.HasSuffix(name, ".token") && isID(strings.TrimSuffix(name, ".token"))
		})
	})
	if err != nil {
		s.debug(ctx, "could not sweep the shared token cache", map[string]any{"error": err.Error()})
	}
}

// newNonce names one lease: 64 random bits in hex.
func newNonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// nonceOf names a lease that does not open, by its content, so every
// waiter names it alike.
func nonceOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// forget deletes the entry when it holds accessToken, best effort.
func (s *shared) forget(ctx context.Context, key Key, id, accessToken string) {
	obj, found, err := s.read(ctx, "looking up the entry to forget", entryName(id))
	if err != nil || !found {
		return
	}
	if tok, err := open(key, id, obj.Data); err == nil && tok.AccessToken == accessToken {
		s.remove(ctx, id, entryName(id))
	}
}
