package tokencache

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// A sealed entry is header || nonce || AES-256-GCM(payload). The header is
// also authenticated, so a version byte can't be swapped under a valid body.
const (
	magic        = "ZTKC"
	formatV1     = 1
	headerLen    = len(magic) + 1
	hkdfInfo     = "terraform-provider-zoho token cache v1"
	aesKeyLength = 32
)

var (
	errShort   = errors.New("token cache entry is truncated")
	errMagic   = errors.New("token cache entry has no token cache header")
	errVersion = errors.New("token cache entry has an unknown format version")
	errForeign = errors.New("token cache entry does not open with these credentials (foreign or corrupt)")
	errPayload = errors.New("token cache entry holds no usable token")
)

// payload is what a cache file holds: the access token's fields, never the
// refresh token or the client secret. ExpiresAt marshals as RFC 3339 with
// nanoseconds (time.Time's JSON form).
type payload struct {
	AccessToken string    `json:"access_token"`
	APIDomain   string    `json:"api_domain"`
	TokenType   string    `json:"token_type"`
	Scopes      []string  `json:"scopes"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// seal encrypts tok for key; id is key.ID(), passed in because the caller has
// it already and it is both the HKDF salt and the additional data.
func seal(key Key, id string, tok *zoho.Token) ([]byte, error) {
	aead, err := newAEAD(key, id)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(payload{
		AccessToken: tok.AccessToken,
		APIDomain:   tok.APIDomain,
		TokenType:   tok.TokenType,
		Scopes:      tok.Scopes,
		ExpiresAt:   tok.ExpiresAt,
	})
	if err != nil {
		return nil, err
	}
	out := make([]byte, headerLen+aead.NonceSize(), headerLen+aead.NonceSize()+len(plain)+aead.Overhead())
	copy(out, magic)
	out[len(magic)] = formatV1
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
	if sealed[len(magic)] != formatV1 {
		return nil, errVersion
	}
	nonce := sealed[headerLen : headerLen+aead.NonceSize()]
	plain, err := aead.Open(nil, nonce, sealed[headerLen+aead.NonceSize():], additionalData(sealed[:headerLen], id))
	if err != nil {
		return nil, errForeign
	}
	var p payload
	if err := json.Unmarshal(plain, &p); err != nil || p.AccessToken == "" || p.ExpiresAt.IsZero() {
		return nil, errPayload
	}
	return &zoho.Token{
		AccessToken: p.AccessToken,
		APIDomain:   p.APIDomain,
		TokenType:   p.TokenType,
		Scopes:      p.Scopes,
		ExpiresAt:   p.ExpiresAt,
	}, nil
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
