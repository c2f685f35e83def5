package tokencache_test

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

func TestKeyID(t *testing.T) {
	cc := func(scopes []string, soid string) tokencache.Key {
		k := clientCredsKey
		k.Scopes, k.SOID = scopes, soid
		return k
	}
	tests := []struct {
		name string
		a, b tokencache.Key
		same bool
	}{
		{"scope order does not matter", cc([]string{"a", "b", "c"}, "s"), cc([]string{"c", "a", "b"}, "s"), true},
		{"nil and empty scopes agree", cc(nil, "s"), cc([]string{}, "s"), true},
		{"other soid", cc([]string{"a"}, "s1"), cc([]string{"a"}, "s2"), false},
		{"soid or none", cc([]string{"a"}, "s"), cc([]string{"a"}, ""), false},
		{"other scopes", cc([]string{"a"}, "s"), cc([]string{"a", "b"}, "s"), false},
		{"scopes are not split on spaces", cc([]string{"a b"}, ""), cc([]string{"a", "b"}, ""), false},
		{"a scope can't become the soid", cc([]string{"x"}, ""), cc(nil, "x"), false},
		{"field boundaries are kept", tokencache.Key{AccountsURL: "ab", ClientID: "c"}, tokencache.Key{AccountsURL: "a", ClientID: "bc"}, false},
		{"secret and refresh token are not interchangeable", tokencache.Key{ClientSecret: "x"}, tokencache.Key{RefreshToken: "x"}, false},
		{"other refresh token", refreshKey, func() tokencache.Key { k := refreshKey; k.RefreshToken += "x"; return k }(), false},
		{"refresh grant versus client credentials", refreshKey, clientCredsKey, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if same := tt.a.ID() == tt.b.ID(); same != tt.same {
				t.Fatalf("IDs equal = %v, want %v", same, tt.same)
			}
		})
	}
}

func TestKeyID_IsHexAndRevealsNothing(t *testing.T) {
	k := clientCredsKey
	k.Scopes = []string{"z", "a"}
	id := k.ID()
	if raw, err := hex.DecodeString(id); err != nil || len(raw) != 32 {
		t.Fatalf("ID %q is not hex SHA-256", id)
	}
	if id != k.ID() {
		t.Fatal("ID is not stable")
	}
	for _, secret := range []string{k.ClientSecret, refreshKey.RefreshToken, k.ClientID} {
		if strings.Contains(id, secret) {
			t.Fatalf("ID contains %q", secret)
		}
	}
	if !slices.Equal(k.Scopes, []string{"z", "a"}) {
		t.Fatalf("ID reordered the caller's scopes: %v", k.Scopes)
	}
}
