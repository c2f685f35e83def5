package tokencache

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// A sealed record is header || nonce || AES-256-GCM(payload). The header is
// magic and a kind byte, and is authenticated too, so a lease or a failure
// record can never be opened as a token entry, nor the other way round.
const (
	magic        = "ZTKC"
	headerLen    = len(magic) + 1
	hkdfInfo     = "terraform-provider-zoho token cache v1"
	aesKeyLength = 32
)

// recordKind is the header's kind byte. kindToken is what the first version
// called format 1, so entries written before leases had kinds still open.
type recordKind byte

const (
	kindToken   recordKind = 1 // an access token (disk and shared entries)
	kindLease   recordKind = 2 // a lease of the shared store (lease.go)
	kindFailure recordKind = 3 // a lease holder's failed mint (outcome.go)
)

var (
	errShort   = errors.New("token cache entry is truncated")
	errMagic   = errors.New("token cache entry has no token cache header")
	errVersion = errors.New("token cache entry is not of the kind expected (or of an unknown format)")
	errForeign = errors.New("token cache entry does not open with these credentials (foreign or corrupt)")
	errPayload = errors.New("token cache entry holds no usable token")
)

// payload is what a cache file holds: the access token's fields, never the
// refresh token or the client secret. ExpiresAt marshals as RFC 3339 with
// nanoseconds (time.Time's JSON form).
//
// LifetimeLeftMS is the token's lifetime left when it was sealed, by the
// sealer's own clock: a difference of two readings of one clock, so a
// reader on another machine can trust it where it cannot trust ExpiresAt
// (whose clock may be minutes or days off). Entries sealed before it
// existed have 0: unknown.
type payload struct {
	AccessToken    string    `json:"access_token"`
	APIDomain      string    `json:"api_domain"`
	TokenType      string    `json:"token_type"`
	Scopes         []string  `json:"scopes"`
	ExpiresAt      time.Time `json:"expires_at"`
	LifetimeLeftMS int64     `json:"lifetime_left_ms,omitempty"`
}

// seal encrypts tok for key; id is key.ID(), passed in because the caller has
// it already and it is both the HKDF salt and the additional data.
//
// A token that open would refuse, or that JSON would not carry faithfully, is
// an error rather than an entry that reads back as something else: see check.
// The expiry is stored in UTC (an instant; the zone a clock happened to use is
// not worth keeping, and a fixed offset with seconds would not survive RFC
// 3339).
func seal(key Key, id string, tok *zoho.Token, now time.Time) ([]byte, error) {
	p := payload{
		AccessToken:    tok.AccessToken,
		APIDomain:      tok.APIDomain,
		TokenType:      tok.TokenType,
		Scopes:         tok.Scopes,
		ExpiresAt:      tok.ExpiresAt.UTC(),
		LifetimeLeftMS: tok.ExpiresIn(now).Milliseconds(),
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("token cache: not storing this token: %w", err)
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return sealRecord(key, id, kindToken, plain)
}

// check is the one rule for a payload, applied by seal before writing and by
// open after reading, so whatever seal writes open reads back unchanged: an
// access token, a non-zero expiry within years 1 to 9999 in UTC (what RFC 3339
// can write), and text that is valid UTF-8 (JSON would replace the rest, so a
// token would come back altered). Errors name the problem, never a value.
func (p *payload) check() error {
	switch {
	case p.AccessToken == "":
		return errors.New("no access token")
	case p.ExpiresAt.IsZero():
		return errors.New("no expiry")
	}
	if y := p.ExpiresAt.UTC().Year(); y < 1 || y > 9999 {
		return errors.New("expiry outside years 1 to 9999")
	}
	for _, s := range append([]string{p.AccessToken, p.APIDomain, p.TokenType}, p.Scopes...) {
		if !utf8.ValidString(s) {
			return errors.New("a field is not valid UTF-8")
		}
	}
	return nil
}

// sealRecord frames and encrypts an encoded payload of the given kind.
func sealRecord(key Key, id string, kind recordKind, plain []byte) ([]byte, error) {
	aead, err := newAEAD(key, id)
	if err != nil {
		return nil, err
	}
	out := make([]byte, headerLen+aead.NonceSize(), headerLen+aead.NonceSize()+len(plain)+aead.Overhead())
	copy(out, magic)
	out[len(magic)] = byte(kind)
	nonce := out[headerLen:]
	// A fresh random nonce per write: the same key seals many entries over
	// time, and GCM must never reuse a nonce under one key.
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(out, nonce, plain, additionalData(out[:headerLen], id)), nil
}

// open decrypts what seal wrote for the same key. An entry sealed for another
// key fails: its secrets derive another AES key, and its ID is other
// additional data even where the secrets agree.
func open(key Key, id string, sealed []byte) (*zoho.Token, error) {
	plain, err := openRecord(key, id, kindToken, sealed)
	if err != nil {
		return nil, err
	}
	p, err := decodePayload(plain)
	if err != nil {
		return nil, err
	}
	return p.token(), nil
}

// decodePayload reads a token entry's payload, applying check.
func decodePayload(plain []byte) (*payload, error) {
	var p payload
	if err := json.Unmarshal(plain, &p); err != nil || p.check() != nil {
		return nil, errPayload
	}
	return &p, nil
}

func (p *payload) token() *zoho.Token {
	return &zoho.Token{
		AccessToken: p.AccessToken,
		APIDomain:   p.APIDomain,
		TokenType:   p.TokenType,
		Scopes:      p.Scopes,
		ExpiresAt:   p.ExpiresAt.UTC(),
	}
}

// openRecord decrypts a record of the given kind sealed for key.
func openRecord(key Key, id string, kind recordKind, sealed []byte) ([]byte, error) {
	aead, err := newAEAD(key, id)
	if err != nil {
		return nil, err
	}
	if len(sealed) < headerLen+aead.NonceSize()+aead.Overhead() {
		return nil, errShort
	}
	if string(sealed[:len(magic)]) != magic {
		return nil, errMagic
	}
	if recordKind(sealed[len(magic)]) != kind {
		return nil, errVersion
	}
	nonce := sealed[headerLen : headerLen+aead.NonceSize()]
	plain, err := aead.Open(nil, nonce, sealed[headerLen+aead.NonceSize():], additionalData(sealed[:headerLen], id))
	if err != nil {
		return nil, errForeign
	}
	return plain, nil
}

// newAEAD derives the entry's AES-256 key with HKDF-SHA256: secrets as input,
// the ID as salt, a versioned label as info.
func newAEAD(key Key, id string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, key.secretMaterial(), []byte(id), hkdfInfo, aesKeyLength)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// additionalData binds the ciphertext to its header and to the file's ID, so
// an entry copied over another key's file fails to open.
func additionalData(header []byte, id string) []byte {
	return append(append(make([]byte, 0, len(header)+len(id)), header...), id...)
}
