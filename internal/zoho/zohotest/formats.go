package zohotest

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
)

// Zoho's credential shapes are reproduced so that code under test which
// recognises or masks them (a log filter for 1000.<hex>.<hex>, say) meets the
// real thing. All randomness comes from crypto/rand: tests may hand these
// values to code that treats them as real secrets.

// tokenPrefix starts every Zoho grant code, access token, refresh token and
// client id.
const tokenPrefix = "1000."

const clientIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newToken makes a grant code, access token or refresh token:
// 1000.<32 hex>.<32 hex>.
func newToken() string {
	return tokenPrefix + randomHex(16) + "." + randomHex(16)
}

// newClientID makes a client id: 1000. followed by 30 upper-case
// alphanumerics.
func newClientID() string {
	return tokenPrefix + randomString(clientIDAlphabet, 30)
}

// newClientSecret makes a client secret: 42 lower-case hex digits.
func newClientSecret() string {
	return randomHex(21)
}

func randomHex(nbytes int) string {
	b := make([]byte, nbytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return hex.EncodeToString(b)
}

func randomString(alphabet string, n int) string {
	out := make([]byte, n)
	size := big.NewInt(int64(len(alphabet)))
	for i := range out {
		idx, err := rand.Int(rand.Reader, size)
		if err != nil {
			panic("zohotest: crypto/rand failed: " + err.Error())
		}
		out[i] = alphabet[idx.Int64()]
	}
	return string(out)
}
