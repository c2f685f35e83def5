package tokencache_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/tempdir"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// joinCounter is a wait hook that reports every caller joining a flight.
func joinCounter(c *tokencache.Cache) <-chan struct{} {
	joined := make(chan struct{}, 100)
	tokencache.SetWaitHook(c, func() { joined <- struct{}{} })
	return joined
}

func waitN(ch <-chan struct{}, n int) {
	for range n {
		<-ch
	}
}

type getResult struct {
	tok *zoho.Token
	src tokencache.Source
	err error
}

// goGet runs Get in a goroutine and delivers its result on the channel.
func goGet(ctx context.Context, c *tokencache.Cache, key tokencache.Key, m *minter) <-chan getResult {
	out := make(chan getResult, 1)
	go func() {
		tok, src, err := c.Get(ctx, key, m)
		out <- getResult{tok, src, err}
	}()
	return out
}

func TestGet_ConcurrentCallersShareOneMint(t *testing.T) {
	clk := newClock()
	c := newCache(t, "", clk)
	m := newMinter(clk).blocking()
	joined := joinCounter(c)

	const callers = 20
	results := make([]<-chan getResult, callers)
	for i := range results {
		results[i] = goGet(t.Context(), c, refreshKey, m)
	}
	waitN(joined, callers) // every caller is inside the one flight
	close(m.release)

	var first string
	for i, ch := range results {
		r := <-ch
		if r.err != nil || r.src != tokencache.SourceMinted {
			t.Fatalf("caller %d: src %v err %v, want minted", i, r.src, r.err)
		}
		if first == "" {
			first = r.tok.AccessToken
		}
		if r.tok.AccessToken != first {
			t.Fatalf("caller %d got %q, caller 0 got %q", i, r.tok.AccessToken, first)
		}
	}
	if got := m.Calls(); got != 1 {
		t.Fatalf("mint called %d times for %d concurrent callers, want 1", got, callers)
	}
}

func TestGet_EachKeyMintsOnce(t *testing.T) {
	base := refreshKey
	with := func(edit func(*tokencache.Key)) tokencache.Key {
		k := base
		edit(&k)
		return k
	}
	keys := map[string]tokencache.Key{
		"base":           base,
		"accounts url":   with(func(k *tokencache.Key) { k.AccountsURL = "https://accounts.zoho.eu" }),
		"client id":      with(func(k *tokencache.Key) { k.ClientID = "1000.OTHER" }),
		"client secret":  with(func(k *tokencache.Key) { k.ClientSecret = "other-secret" }),
		"refresh token":  with(func(k *tokencache.Key) { k.RefreshToken = "1000.other.refresh" }),
		"client creds":   clientCredsKey,
		"other scopes":   with(func(k *tokencache.Key) { *k = clientCredsKey; k.Scopes = []string{"ZohoCRM.users.READ"} }),
		"other soid":     with(func(k *tokencache.Key) { *k = clientCredsKey; k.SOID = "ZohoCRM.700000002" }),
		"no soid at all": with(func(k *tokencache.Key) { *k = clientCredsKey; k.SOID = "" }),
	}
	clk := newClock()
	c := newCache(t, tempdir.New(t), clk)
	m := newMinter(clk)
	var wg sync.WaitGroup
	for name, key := range keys {
		wg.Go(func() {
			if _, src, err := c.Get(t.Context(), key, m); err != nil || src != tokencache.SourceMinted {
				t.Errorf("%s: src %v err %v, want minted", name, src, err)
			}
		})
	}
	wg.Wait()
	if got := m.Calls(); got != len(keys) {
		t.Fatalf("mint called %d times for %d distinct keys", got, len(keys))
	}
	for name, key := range keys {
		if _, src, err := c.Get(t.Context(), key, m); err != nil || src != tokencache.SourceMemory {
			t.Errorf("%s again: src %v err %v, want memory", name, src, err)
		}
	}
}

func TestGet_ReusesWhileMoreThanMinRemainingLeft(t *testing.T) {
	// Tokens live one hour from the first Get.
	tests := []struct {
		name         string
		minRemaining time.Duration
		advance      time.Duration
		want         tokencache.Source
	}{
		{"at once", 0, 0, tokencache.SourceMemory},
		// The default margin is the provider's min_token_lifetime default, 15 minutes.
		{"one second above the default margin", 0, 44*time.Minute + 59*time.Second, tokencache.SourceMemory},
		{"exactly the default margin left", 0, 45 * time.Minute, tokencache.SourceMinted},
		{"below the default margin", 0, 59 * time.Minute, tokencache.SourceMinted},
		{"expired", 0, 2 * time.Hour, tokencache.SourceMinted},
		{"custom margin, above", 10 * time.Minute, 49*time.Minute + 59*time.Second, tokencache.SourceMemory},
		{"custom margin, at", 10 * time.Minute, 50 * time.Minute, tokencache.SourceMinted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			c, err := tokencache.New(tokencache.Options{MinRemaining: tt.minRemaining, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			m := newMinter(clk)
			mustGet(t, c, refreshKey, m, tokencache.SourceMinted)
			clk.Advance(tt.advance)
			mustGet(t, c, refreshKey, m, tt.want)
			wantCalls := 1
			if tt.want == tokencache.SourceMinted {
				wantCalls = 2
			}
			if got := m.Calls(); got != wantCalls {
				t.Fatalf("mint called %d times, want %d", got, wantCalls)
			}
		})
	}
}

func TestGet_MintErrorReachesEveryWaiterAndIsNotCached(t *testing.T) {
	clk := newClock()
	c := newCache(t, tempdir.New(t), clk)
	boom := errors.New("zoho said no")
	m := newMinter(clk).blocking()
	m.err = boom
	joined := joinCounter(c)

	const callers = 5
	results := make([]<-chan getResult, callers)
	for i := range results {
		results[i] = goGet(t.Context(), c, refreshKey, m)
	}
	waitN(joined, callers)
	close(m.release)
	for i, ch := range results {
		if r := <-ch; !errors.Is(r.err, boom) || r.tok != nil {
			t.Fatalf("caller %d: tok %v err %v, want %v", i, r.tok, r.err, boom)
		}
	}
	if got := m.Calls(); got != 1 {
		t.Fatalf("mint called %d times, want 1 shared call", got)
	}

	mustGet(t, c, refreshKey, newMinter(clk), tokencache.SourceMinted) // the failure left nothing behind
}

func TestGet_CancelledCallerLeavesSharedMintRunning(t *testing.T) {
	for _, cancelLeader := range []bool{true, false} {
		name := map[bool]string{true: "leader cancels", false: "follower cancels"}[cancelLeader]
		t.Run(name, func(t *testing.T) {
			clk := newClock()
			c := newCache(t, "", clk)
			m := newMinter(clk).blocking()
			joined := joinCounter(c)

			leaderCtx, cancelLeaderCtx := context.WithCancel(t.Context())
			defer cancelLeaderCtx()
			followerCtx, cancelFollowerCtx := context.WithCancel(t.Context())
			defer cancelFollowerCtx()

			leader := goGet(leaderCtx, c, refreshKey, m)
			<-m.started // the leader's mint is under way
			follower := goGet(followerCtx, c, refreshKey, m)
			waitN(joined, 2)

			gone, stays := leader, follower
			if cancelLeader {
				cancelLeaderCtx()
			} else {
				gone, stays = follower, leader
				cancelFollowerCtx()
			}
			if r := <-gone; !errors.Is(r.err, context.Canceled) || r.tok != nil {
				t.Fatalf("cancelled caller: tok %v err %v, want context.Canceled", r.tok, r.err)
			}

			close(m.release)
			if r := <-stays; r.err != nil || r.src != tokencache.SourceMinted {
				t.Fatalf("remaining caller: src %v err %v, want a minted token", r.src, r.err)
			}
			mustGet(t, c, refreshKey, m, tokencache.SourceMemory)
			if got := m.Calls(); got != 1 {
				t.Fatalf("mint called %d times, want 1", got)
			}
		})
	}
}

func TestGet_CancelledContextStartsNoMint(t *testing.T) {
	clk := newClock()
	c := newCache(t, "", clk)
	m := newMinter(clk)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := c.Get(ctx, refreshKey, m); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if m.Calls() != 0 {
		t.Fatal("a caller that had already gone started a mint")
	}
}

func TestGet_ReturnsCopies(t *testing.T) {
	clk := newClock()
	c := newCache(t, "", clk)
	var minted *zoho.Token
	mint := mintFunc(func(ctx context.Context, g zoho.Grant) (*zoho.Token, error) {
		var err error
		minted, err = newMinter(clk).Mint(ctx, g)
		return minted, err
	})
	first, _, err := c.Get(t.Context(), refreshKey, mint)
	if err != nil {
		t.Fatal(err)
	}
	want := first.AccessToken
	if first.RefreshToken != "" {
		t.Errorf("the cache handed out a refresh token: it holds access tokens only")
	}
	first.AccessToken, first.Scopes[0] = "mutated", "mutated"
	minted.AccessToken, minted.Scopes[0] = "mutated", "mutated"

	second := mustGet(t, c, refreshKey, newMinter(clk), tokencache.SourceMemory)
	if second.AccessToken != want || second.Scopes[0] != "ZohoCRM.modules.ALL" {
		t.Fatalf("cached token changed through a returned pointer: %+v", second)
	}
}

// Get asks the minter for the key's own grant: its refresh token, or its
// scopes and soid.
func TestGet_MintsForTheKeysGrant(t *testing.T) {
	for _, key := range []tokencache.Key{refreshKey, clientCredsKey} {
		clk := newClock()
		var got zoho.Grant
		mint := mintFunc(func(ctx context.Context, g zoho.Grant) (*zoho.Token, error) {
			got = g
			return newMinter(clk).Mint(ctx, g)
		})
		if _, _, err := newCache(t, "", clk).Get(t.Context(), key, mint); err != nil {
			t.Fatal(err)
		}
		if got.RefreshToken != key.RefreshToken || !slices.Equal(got.Scopes, key.Scopes) || got.SOID != key.SOID {
			t.Errorf("minted for %+v, want the grant of %+v", got, key)
		}
	}
}

func TestGet_NilTokenWithoutErrorIsAnError(t *testing.T) {
	c := newCache(t, "", newClock())
	_, _, err := c.Get(t.Context(), refreshKey, mintFunc(func(context.Context, zoho.Grant) (*zoho.Token, error) { return nil, nil }))
	if err == nil {
		t.Fatal("Get accepted a mint that returned neither token nor error")
	}
}

func TestNew(t *testing.T) {
	file := tempdir.New(t) + "/a-file"
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    tokencache.Options
		wantErr bool
	}{
		{"zero options", tokencache.Options{}, false},
		{"missing nested dir", tokencache.Options{Dir: tempdir.New(t) + "/a/b/c"}, false},
		{"dir is a file", tokencache.Options{Dir: file}, true},
		{"dir under a file", tokencache.Options{Dir: file + "/sub"}, true},
		{"negative margin", tokencache.Options{MinRemaining: -time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tokencache.New(tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New error = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestSourceString(t *testing.T) {
	for src, want := range map[tokencache.Source]string{
		tokencache.SourceMinted: "minted",
		tokencache.SourceMemory: "memory",
		tokencache.SourceDisk:   "disk",
		tokencache.Source(9):    "Source(9)",
	} {
		if got := src.String(); got != want {
			t.Errorf("Source(%d).String() = %q, want %q", int(src), got, want)
		}
	}
}
