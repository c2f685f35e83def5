package zoho

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// MaxTokenLifetime is the longest an access token lives: Zoho documents 3600
// seconds for every one, and the client clamps longer claims to it. A token
// read from a shared cache is never trusted to live longer than this from
// the moment its entry was written.
const MaxTokenLifetime = time.Hour

// Token is what Zoho's token endpoint hands out. RefreshToken is set only by
// the grant-code exchange: Zoho never rotates refresh tokens.
type Token struct {
	AccessToken  string
	RefreshToken string
	APIDomain    string
	TokenType    string
	// Scopes as Zoho granted them (it answers space-separated); nil when the
	// answer carried no scope.
	Scopes []string
	// ExpiresAt is the moment the access token stops working, computed from
	// expires_in (or the legacy expires_in_sec) and the client's clock.
	ExpiresAt time.Time
}

// Grant is what an access token is minted from: a refresh token or, with
// none, the Self Client client-credentials grant for Scopes (SOID picks the
// organisation of a client that belongs to several).
type Grant struct {
	RefreshToken string
	Scopes       []string
	SOID         string
}

// ExpiresIn is the lifetime left at now, never negative.
func (t *Token) ExpiresIn(now time.Time) time.Duration {
	d := t.ExpiresAt.Sub(now)
	if d < 0 {
		return 0
	}
	return d
}

// Fingerprint names a secret without revealing it: the first 16 hex digits
// of its SHA-256. It is what state IDs, logs and diagnostics show.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:8])
}
