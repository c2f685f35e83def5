package tokencache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// Key identifies who a token is for. For the refresh-token grant RefreshToken
// is set; for the client-credentials grant Scopes (and optionally SOID) are.
type Key struct {
	AccountsURL  string
	ClientID     string
	ClientSecret string
	RefreshToken string
	// Scopes are order-insensitive: ID and the sealing key sort a copy.
	Scopes []string
	SOID   string
}

// Grant is what a token for k is minted from.
func (k Key) Grant() zoho.Grant {
	return zoho.Grant{RefreshToken: k.RefreshToken, Scopes: k.Scopes, SOID: k.SOID}
}

// Version tags: changing the encoding changes every ID and sealing key, so
// entries written by an older layout are simply never found.
const (
	idTag       = "terraform-provider-zoho token cache key v1"
	refreshTag  = "refresh_token"
	clientCreds = "client_credentials"
)

// ID is the non-secret id of a key: hex SHA-256 over a canonical,
// length-prefixed encoding of every field. It names the cache file and is
// safe to log (the secrets it covers are high-entropy, so the hash reveals
// nothing a reader could use).
func (k Key) ID() string {
	b := appendField(nil, idTag)
	b = appendField(b, k.AccountsURL)
	b = appendField(b, k.ClientID)
	b = appendField(b, k.ClientSecret)
	b = appendField(b, k.RefreshToken)
	b = appendList(b, k.sortedScopes())
	b = appendField(b, k.SOID)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// secretMaterial is what the sealing key derives from: only what a reader
// would need to mint a token itself, so the cache never makes a token easier
// to get than the credentials already do. The grant tag keeps the two
// encodings apart.
func (k Key) secretMaterial() []byte {
	if k.RefreshToken != "" {
		b := appendField(nil, refreshTag)
		b = appendField(b, k.RefreshToken)
		return appendField(b, k.ClientSecret)
	}
	b := appendField(nil, clientCreds)
	b = appendField(b, k.ClientSecret)
	b = appendList(b, k.sortedScopes())
	return appendField(b, k.SOID)
}

// sortedScopes sorts a copy: the caller's slice is theirs.
func (k Key) sortedScopes() []string {
	s := slices.Clone(k.Scopes)
	slices.Sort(s)
	return s
}

// appendField writes a length prefix before s, so ("ab","c") and ("a","bc")
// never encode alike.
func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

// appendList writes the element count first, so a list can't absorb the
// field after it.
func appendList(b []byte, list []string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(list)))
	for _, s := range list {
		b = appendField(b, s)
	}
	return b
}
