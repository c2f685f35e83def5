package tokencache_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/ and run with every go test.
// The entries there are sealed for refreshKey; TestFuzzSeeds_ValidEntryOpens
// notices when a format change leaves them stale.

var fuzzExpiry = time.Date(2025, 3, 4, 6, 6, 7, 8, time.UTC)

// checkOpened is the contract of open: an error and no token, or a token a
// caller can use (an access token and an expiry), which seal accepts again
// and which survives another round trip unchanged.
func checkOpened(t *testing.T, how string, tok *zoho.Token, err error) {
	t.Helper()
	if err != nil {
		if tok != nil {
			t.Fatalf("%s: open returned a token with its error %v", how, err)
		}
		return
	}
	if tok.AccessToken == "" || tok.ExpiresAt.IsZero() {
		t.Fatalf("%s: open accepted an unusable token %+v", how, tok)
	}
	if tok.RefreshToken != "" {
		t.Fatalf("%s: open produced a refresh token", how)
	}
	again, err := tokencache.Seal(refreshKey, tok)
	if err != nil {
		t.Fatalf("%s: open accepted %+v, which seal refuses: %v", how, tok, err)
	}
	back, err := tokencache.Open(refreshKey, again)
	if err != nil || !sameToken(tok, back) || (tok.Scopes == nil) != (back.Scopes == nil) {
		t.Fatalf("%s: %+v does not survive a round trip: %+v, %v", how, tok, back, err)
	}
}

// FuzzOpen feeds arbitrary bytes to open, as a whole entry (the framing: the
// length, magic and version checks and GCM) and, since the fuzzer cannot
// forge a GCM tag, also as the payload of a validly sealed entry (the JSON
// decoder and the checks behind it).
func FuzzOpen(f *testing.F) {
	for _, tok := range []*zoho.Token{
		{AccessToken: "1000.a", APIDomain: "https://www.zohoapis.com", TokenType: "Bearer", Scopes: []string{"ZohoCRM.modules.ALL"}, ExpiresAt: fuzzExpiry},
		{AccessToken: "a", ExpiresAt: fuzzExpiry},
	} {
		sealed, err := tokencache.Seal(refreshKey, tok)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(sealed)
	}
	f.Add([]byte(`{"access_token":"a","expires_at":"2025-03-04T05:06:07Z","scopes":["s"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := tokencache.Open(refreshKey, data)
		checkOpened(t, "as an entry", tok, err)

		sealed, err := tokencache.SealPlaintext(refreshKey, data)
		if err != nil {
			t.Fatal(err)
		}
		tok, err = tokencache.Open(refreshKey, sealed)
		checkOpened(t, "as a payload", tok, err)
	})
}

// FuzzSealOpen: seal either refuses a token that open would refuse, or what
// open returns is the token, field for field (bar the refresh token, which is
// never sealed). scopeMode picks nil scopes (0), empty ones (1), or scopes
// split from scopes on "\n".
func FuzzSealOpen(f *testing.F) {
	f.Add("1000.abc.def", "https://www.zohoapis.com", "Bearer", "ZohoCRM.modules.ALL\nZohoCRM.users.READ", uint8(2), fuzzExpiry.Unix(), int64(fuzzExpiry.Nanosecond()), int32(0))
	f.Add("a", "", "", "", uint8(0), int64(1), int64(0), int32(3600))
	f.Fuzz(func(t *testing.T, access, domain, typ, scopes string, scopeMode uint8, sec, nsec int64, offset int32) {
		tok := &zoho.Token{
			AccessToken:  access,
			RefreshToken: "1000.refresh",
			APIDomain:    domain,
			TokenType:    typ,
			ExpiresAt:    time.Unix(sec, nsec).In(time.FixedZone("", int(offset))),
		}
		switch scopeMode % 3 {
		case 1:
			tok.Scopes = []string{}
		case 2:
			tok.Scopes = strings.Split(scopes, "\n")
		}
		want := *tok
		want.RefreshToken = ""

		sealed, err := tokencache.Seal(refreshKey, tok)
		if valid, why := sealable(tok); err != nil {
			if valid {
				t.Fatalf("seal refused a usable token %+v: %v", tok, err)
			}
			return
		} else if !valid {
			t.Fatalf("seal accepted a token that it cannot store faithfully (%s): %+v", why, tok)
		}
		if tok.RefreshToken != "1000.refresh" {
			t.Fatal("seal changed the caller's token")
		}
		got, err := tokencache.Open(refreshKey, sealed)
		if err != nil {
			t.Fatalf("open refused what seal wrote: %v (token %+v)", err, tok)
		}
		if !sameToken(&want, got) || (want.Scopes == nil) != (got.Scopes == nil) {
			t.Fatalf("round trip gave %+v, want %+v", got, want)
		}
	})
}

// sealable is the spec FuzzSealOpen holds seal to: a token is stored when a
// cache could hand it out (an access token, a non-zero expiry) and its fields
// survive the entry's JSON payload (valid UTF-8; an expiry in years 1 to
// 9999, UTC).
func sealable(tok *zoho.Token) (bool, string) {
	if tok.AccessToken == "" {
		return false, "no access token"
	}
	if tok.ExpiresAt.IsZero() {
		return false, "no expiry"
	}
	if y := tok.ExpiresAt.UTC().Year(); y < 1 || y > 9999 {
		return false, "expiry in year " + strconv.Itoa(y)
	}
	for _, s := range append([]string{tok.AccessToken, tok.APIDomain, tok.TokenType}, tok.Scopes...) {
		if !utf8.ValidString(s) {
			return false, "invalid UTF-8"
		}
	}
	return true, ""
}

// TestFuzzSeeds_ValidEntryOpens keeps the committed seed corpus honest: its
// valid entry must still open, so the fuzzer starts past the GCM check.
func TestFuzzSeeds_ValidEntryOpens(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzOpen", "valid_entry"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		t.Fatalf("not a one-value corpus file: %q", raw)
	}
	lit, ok := strings.CutPrefix(lines[1], "[]byte(")
	lit, ok2 := strings.CutSuffix(lit, ")")
	if !ok || !ok2 {
		t.Fatalf("not a []byte value: %q", lines[1])
	}
	entry, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokencache.Open(refreshKey, []byte(entry))
	if err != nil {
		t.Fatalf("the seed entry no longer opens (regenerate it): %v", err)
	}
	if tok.AccessToken != "1000.seed.accesstoken" {
		t.Fatalf("seed entry holds %+v", tok)
	}
}
