package tokencache

import (
	"context"
	"errors"
	"io/fs"
)

// Store is a shared object store (token_cache_url) that holds the same sealed
// entries as the cache directory, for every machine that points at it. The
// cache calls it only on a memory and disk miss. Names are non-secret
// (hashes and a time bucket); bodies are sealed, or empty for leases.
//
// Implementations live in package objectstore (file://, s3://, gs://,
// azblob://); tests use an in-memory one.
type Store interface {
	// Read returns the object at name. A missing object is an error matching
	// ErrNotExist. Implementations read at most limit+1 bytes, so a caller
	// can tell an oversized object from one of exactly limit bytes.
	Read(ctx context.Context, name string, limit int64) ([]byte, error)
	// Write creates or replaces the object at name (the last writer wins).
	Write(ctx context.Context, name string, data []byte) error
	// CreateIfAbsent writes the object only if nothing is at name, in one
	// atomic step of the store (S3 and Azure If-None-Match: *, GCS
	// generation match 0, O_EXCL on a file system). An existing object is an
	// error matching ErrExist; a store that cannot do it atomically returns
	// an error matching ErrUnsupported, and the cache degrades to
	// last-writer-wins.
	CreateIfAbsent(ctx context.Context, name string, data []byte) error
	// Delete removes the object at name; a missing one is not an error.
	Delete(ctx context.Context, name string) error
}

// Errors a Store's methods wrap, so the cache can tell a miss, a lost race
// and a store without conditional writes from a failing store.
var (
	ErrNotExist    = fs.ErrNotExist
	ErrExist       = fs.ErrExist
	ErrUnsupported = errors.ErrUnsupported
)
