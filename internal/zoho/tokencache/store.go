package tokencache

import (
	"context"
	"io/fs"
	"time"
)

// Store is a shared object store (token_cache_url) that holds the same sealed
// entries as the cache directory, for every machine that points at it, and
// the records of the lease protocol (shared.go). The cache calls it only on
// a memory and disk miss, each call under its own deadline. Names are
// non-secret (hashes, a nonce's hash); bodies are sealed.
//
// Implementations live in package objectstore (file://, s3://, gs://,
// azblob://); tests use an in-memory one.
type Store interface {
	// Read returns the object at name with the store's timestamps. A missing
	// object is an error matching ErrNotExist. Implementations read at most
	// limit+1 bytes, so a caller can tell an oversized object from one of
	// exactly limit bytes.
	Read(ctx context.Context, name string, limit int64) (Object, error)
	// Write creates or replaces the object at name (the last writer wins).
	Write(ctx context.Context, name string, data []byte) error
	// CreateIfAbsent writes the object only if nothing is at name, in one
	// atomic step of the store (S3 and Azure If-None-Match: *, GCS
	// generation match 0, O_EXCL on a file system). An existing object, or
	// the store's answer that another conditional write of that name is in
	// progress (S3's 409 ConditionalRequestConflict), is an error matching
	// ErrExist: a lost race, never a store failure.
	CreateIfAbsent(ctx context.Context, name string, data []byte) error
	// Delete removes the object at name; a missing one is not an error.
	Delete(ctx context.Context, name string) error
}

// Object is what Read returns: the bytes and the store's own clock, so ages
// are measured on one clock whatever the machines' clocks say.
type Object struct {
	Data []byte
	// Modified is the store's timestamp of the object's last write (S3, GCS
	// and Azure Last-Modified, a file's mtime); zero when unknown.
	Modified time.Time
	// StoreNow is the store's clock when it answered (the HTTP Date header;
	// for a file system, the local clock corrected by the offset measured
	// on a file it wrote); zero when unknown.
	StoreNow time.Time
}

// httpDatePrecision: Last-Modified and Date are whole seconds, so an age
// computed from them may be off by up to this much either way.
const httpDatePrecision = time.Second

// age bounds how long ago the object was written, by the store's clock:
// low and high are the least and the most it can be, and ok whether the
// store told enough to say. An age read from whole-second timestamps (HTTP
// dates) may be off by up to a second either way; a file system's is exact.
// A token's age is better overestimated (high), a lease's underestimated
// (low): neither a stale token nor an early takeover.
func (o Object) age() (low, high time.Duration, ok bool) {
	if o.Modified.IsZero() || o.StoreNow.IsZero() {
		return 0, 0, false
	}
	age := max(o.StoreNow.Sub(o.Modified), 0)
	if o.Modified.Nanosecond() == 0 && o.StoreNow.Nanosecond() == 0 {
		return max(age-httpDatePrecision, 0), age + httpDatePrecision, true
	}
	return age, age, true
}

// Sweeper is a Store that can remove its own leftovers: the cache's
// short-lived records and temporary files that a crashed writer left. Only
// stores that list cheaply implement it (file://); cloud buckets rely on a
// lifecycle rule instead (docs: the CI and scaling guide).
type Sweeper interface {
	// Sweep removes the objects for which stale(name) is true that were last
	// written longer than olderThan ago, and the store's own temporary files
	// of that age, reading at most a bounded number of names.
	Sweep(ctx context.Context, olderThan time.Duration, stale func(name string) bool) error
}

// Errors a Store's methods wrap, so the cache can tell a miss and a lost
// race from a failing store.
var (
	ErrNotExist = fs.ErrNotExist
	ErrExist    = fs.ErrExist
)
