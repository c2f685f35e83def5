package tokencache

import (
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// Seal and Open expose the sealing layer to the external tests and benchmarks.
func Seal(key Key, tok *zoho.Token) ([]byte, error) {
	return seal(key, key.ID(), tok, tok.ExpiresAt.Add(-time.Hour))
}

func Open(key Key, sealed []byte) (*zoho.Token, error) { return open(key, key.ID(), sealed) }

// SetWaitHook lets a test learn that a caller has joined a flight, so it can
// release a blocked mint without sleeping.
func SetWaitHook(c *Cache, hook func()) { c.waitHook = hook }

// MaxEntrySize is the largest entry the cache reads.
const MaxEntrySize = maxEntrySize

// SealPlaintext seals arbitrary bytes as an entry's payload, so a fuzzer can
// reach the payload decoder behind the GCM tag it cannot forge.
func SealPlaintext(key Key, plain []byte) ([]byte, error) {
	return sealRecord(key, key.ID(), kindToken, plain)
}

// SetSharedPoll shortens the first wait between a waiter's looks at the lease.
func SetSharedPoll(c *Cache, d time.Duration) { c.shared.firstPoll = d }

// Object names of the shared store, for tests that plant or inspect them.
func EntryObject(key Key) string   { return entryName(key.ID()) }
func LeaseObject(key Key) string   { return leaseName(key.ID()) }
func FailureObject(key Key) string { return failureName(key.ID()) }

// Lease is a sealed lease of key whose holder promised an outcome within
// lifetime, as a holder that then died would have left it.
func Lease(key Key, lifetime time.Duration) ([]byte, error) {
	return sealJSON(key, key.ID(), kindLease, leaseRecord{Nonce: newNonce(), LifetimeMS: lifetime.Milliseconds()})
}

// SealAt seals tok as a machine whose clock reads now would.
func SealAt(key Key, tok *zoho.Token, now time.Time) ([]byte, error) {
	return seal(key, key.ID(), tok, now)
}
