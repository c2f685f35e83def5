package tokencache

import (
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// Seal and Open expose the sealing layer to the external tests and benchmarks.
func Seal(key Key, tok *zoho.Token) ([]byte, error) { return seal(key, key.ID(), tok) }

func Open(key Key, sealed []byte) (*zoho.Token, error) { return open(key, key.ID(), sealed) }

// SetWaitHook lets a test learn that a caller has joined a flight, so it can
// release a blocked mint without sleeping.
func SetWaitHook(c *Cache, hook func()) { c.waitHook = hook }

// MaxEntrySize is the largest entry the cache reads.
const MaxEntrySize = maxEntrySize

// SealPlaintext seals arbitrary bytes as an entry's payload, so a fuzzer can
// reach the payload decoder behind the GCM tag it cannot forge.
func SealPlaintext(key Key, plain []byte) ([]byte, error) { return sealPlaintext(key, key.ID(), plain) }

// SetSharedPoll shortens the first wait between a lease loser's lookups.
func SetSharedPoll(c *Cache, d time.Duration) { c.shared.firstPoll = d }

// LeaseName is the lease a Get on c would take for key now.
func LeaseName(c *Cache, key Key) string { return c.shared.leaseName(key.ID(), c.now()) }
