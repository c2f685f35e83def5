package tokencache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// Secrets are distinctive so a test can search file bytes for them.
var (
	refreshKey = tokencache.Key{
		AccountsURL:  "https://accounts.zoho.com",
		ClientID:     "1000.CLIENTIDCLIENTID",
		ClientSecret: "clientsecret0123456789abcdef0123456789",
		RefreshToken: "1000.refreshrefreshrefresh0123.fedcba9876543210",
	}
	clientCredsKey = tokencache.Key{
		AccountsURL:  "https://accounts.zoho.com",
		ClientID:     "1000.CLIENTIDCLIENTID",
		ClientSecret: "clientsecret0123456789abcdef0123456789",
		Scopes:       []string{"ZohoCRM.modules.ALL", "ZohoCRM.settings.READ"},
		SOID:         "ZohoCRM.700000001",
	}
)

// newClock is a movable clock: expiry is tested by moving it, never by sleeping.
func newClock() *zohotest.Clock {
	return zohotest.NewClock(time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC))
}

// minter stands in for Zoho's token endpoint and counts what it is asked.
type minter struct {
	clock   *zohotest.Clock
	calls   atomic.Int32
	err     error         // returned instead of a token when set
	started chan struct{} // if set, receives once per call
	release chan struct{} // if set, every call waits for it to close
}

func newMinter(c *zohotest.Clock) *minter { return &minter{clock: c} }

// blocking makes every call announce itself and wait for release.
func (m *minter) blocking() *minter {
	m.started = make(chan struct{}, 100)
	m.release = make(chan struct{})
	return m
}

func (m *minter) Mint(ctx context.Context, _ zoho.Grant) (*zoho.Token, error) {
	n := m.calls.Add(1)
	if m.started != nil {
		m.started <- struct{}{}
	}
	if m.release != nil {
		<-m.release
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("the shared mint saw a cancelled context: %w", err)
	}
	if m.err != nil {
		return nil, m.err
	}
	return &zoho.Token{
		AccessToken:  fmt.Sprintf("1000.accesstoken%04d.0123456789abcdef", n),
		RefreshToken: "never-cached",
		APIDomain:    "https://www.zohoapis.com",
		TokenType:    "Bearer",
		Scopes:       []string{"ZohoCRM.modules.ALL"},
		ExpiresAt:    m.clock.Now().Add(time.Hour),
	}, nil
}

func (m *minter) Calls() int { return int(m.calls.Load()) }

// mintFunc makes a function a tokencache.Minter.
type mintFunc func(ctx context.Context, g zoho.Grant) (*zoho.Token, error)

func (f mintFunc) Mint(ctx context.Context, g zoho.Grant) (*zoho.Token, error) { return f(ctx, g) }

func newCache(t testing.TB, dir string, c *zohotest.Clock) *tokencache.Cache {
	t.Helper()
	cache, err := tokencache.New(tokencache.Options{Dir: dir, Now: c.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return cache
}

// mustGet is Get for tests that expect a token from a given source.
func mustGet(t testing.TB, c *tokencache.Cache, key tokencache.Key, m *minter, want tokencache.Source) *zoho.Token {
	t.Helper()
	tok, src, err := c.Get(context.Background(), key, m)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if src != want {
		t.Fatalf("Get source = %v, want %v", src, want)
	}
	return tok
}

func entryPath(dir string, key tokencache.Key) string {
	return filepath.Join(dir, key.ID()+".token")
}

func readEntry(t testing.TB, dir string, key tokencache.Key) []byte {
	t.Helper()
	b, err := os.ReadFile(entryPath(dir, key))
	if err != nil {
		t.Fatalf("reading cache entry: %v", err)
	}
	return b
}
