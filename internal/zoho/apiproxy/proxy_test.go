package apiproxy_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/apiproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// invalidTokenBody is CRM's answer to a dead token, as the emulator sends it.
const invalidTokenBody = `{"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}`

// A stream of API calls across five token lifetimes, four at a time, with
// the clock moved between rounds: the source replaces each token before
// it expires, so no call fails and none needs Zoho's invalid-token answer.
func TestCallsOutliveTokens(t *testing.T) {
	v := newEnv(t, zohotest.Options{AccessTokenTTL: time.Minute})
	p := v.start(v.api, nil)
	const workers, rounds, step = 4, 100, 3 * time.Second // 300 s: five lifetimes

	failed := 0
	var mu sync.Mutex
	for range rounds {
		v.clock.Advance(step)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				if a := v.get(p.URL() + "crm/v8/users?type=CurrentUser"); a.status != http.StatusOK {
					mu.Lock()
					failed++
					mu.Unlock()
					t.Errorf("call answered %d %s", a.status, a.body)
				}
			})
		}
		wg.Wait()
	}

	v.settle(p)
	mints, invalidated := v.src.counts()
	if failed != 0 || invalidated != 0 {
		t.Errorf("%d failed calls, %d invalidated tokens; want none", failed, invalidated)
	}
	if mints < 5 {
		t.Errorf("%d tokens minted over five lifetimes, want at least 5", mints)
	}
	if got, calls := v.upstreamHits(), v.emu.Counters().APICalls; got != workers*rounds || calls != got {
		t.Errorf("upstream reached %d times, %d API calls; want %d", got, calls, workers*rounds)
	}
	if n := v.logs.count("forwarded a request", "path:/crm/v8/users?type=", "status:200"); n != workers*rounds {
		t.Errorf("%d log lines for the calls, want %d:\n%s", n, workers*rounds, strings.Join(v.logs.lines(), "\n"))
	}
}

// On the real clock, with tokens that live one second while the source
// believes they live a minute (as a token revoked behind its back does):
// every token dies under the callers, and the proxy's invalidate-and-replay
// alone keeps a stream of concurrent calls across four lifetimes at zero
// failures.
func TestCallsOutliveTokensThatDieEarly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four seconds of real time")
	}
	v := newEnv(t, zohotest.Options{AccessTokenTTL: time.Second, Now: time.Now})
	v.src.believed = time.Minute
	p := v.start(v.api, nil)
	const workers, lifetimes = 4, 4

	var failed, calls atomic.Int32
	deadline := time.Now().Add(lifetimes*time.Second + 200*time.Millisecond)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				calls.Add(1)
				if a := v.get(p.URL() + "crm/v8/users?type=CurrentUser"); a.status != http.StatusOK {
					failed.Add(1)
					t.Errorf("call answered %d %s", a.status, a.body)
				}
			}
		})
	}
	wg.Wait()
	v.settle(p)

	mints, invalidated := v.src.counts()
	t.Logf("%d calls, %d tokens minted, %d invalidated, %d replays", calls.Load(), mints, invalidated, v.logs.count("replayed:true"))
	if failed.Load() != 0 {
		t.Errorf("%d of %d calls failed, want none", failed.Load(), calls.Load())
	}
	if mints < lifetimes || invalidated < lifetimes-1 || v.logs.count("replayed:true", "status:200") < lifetimes-1 {
		t.Errorf("want a token per lifetime, each replacing an invalidated one for a replayed call")
	}
}

// A token revoked behind the source's back: Zoho's invalid-token answer
// makes the proxy invalidate it once, get the next one and send the
// request again, and the client sees only the success.
func TestRevokedTokenIsReplacedAndTheRequestReplayed(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	p := v.start(v.api, nil)
	if a := v.get(p.URL() + "crm/v8/users?type=CurrentUser"); a.status != http.StatusOK {
		t.Fatalf("first call: %d %s", a.status, a.body)
	}
	revoked := v.revokeCurrentToken()
	before := v.upstreamHits()

	if a := v.get(p.URL() + "crm/v8/users?type=CurrentUser"); a.status != http.StatusOK {
		t.Fatalf("call after revocation: %d %s, want 200", a.status, a.body)
	}
	v.settle(p)
	if mints, invalidated := v.src.counts(); mints != 2 || invalidated != 1 {
		t.Errorf("mints %d, invalidations %d; want 2 and 1", mints, invalidated)
	}
	if got := v.upstreamHits() - before; got != 2 {
		t.Errorf("upstream saw %d calls, want 2 (refused, replayed)", got)
	}
	if v.src.current() == revoked || v.logs.count("replayed:true", "status:200") != 1 ||
		v.logs.count("invalidated it", zoho.Fingerprint(revoked)) != 1 {
		t.Errorf("want one replay and one invalidation of %s:\n%s", zoho.Fingerprint(revoked), strings.Join(v.logs.lines(), "\n"))
	}
}

// Request bodies: a small one (of known or unknown length) is buffered and
// replayed byte for byte; a large one is streamed, so Zoho's 401 reaches the
// client unchanged, and the token is still invalidated for the next call.
func TestBodiesAreReplayedOnlyWhenBuffered(t *testing.T) {
	small, large := strings.Repeat("s", 1000), strings.Repeat("L", 4000)
	cases := []struct {
		name    string
		body    string
		chunked bool
		replay  bool
	}{
		{"small, known length", small, false, true},
		{"small, chunked", small, true, true},
		{"empty", "", false, true},
		{"large, known length", large, false, false},
		{"large, chunked", large, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			var mu sync.Mutex
			var received []string
			echo := v.protected(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				received = append(received, r.Method+" "+string(b))
				mu.Unlock()
				_, _ = w.Write([]byte(r.Method + " " + r.URL.Path + " " + string(b)))
			})
			p := v.start(echo, func(c *apiproxy.Config) { c.MaxReplayBody = 2048 })
			v.revokeCurrentToken()
			before := v.upstreamHits()

			var body io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			a := v.do(newRequest(t, http.MethodPost, p.URL()+"records", body))

			if got := v.upstreamHits() - before; got != 1+btoi(tc.replay) {
				t.Errorf("upstream reached %d times, want %d", got, 1+btoi(tc.replay))
			}
			if _, invalidated := v.src.counts(); invalidated != 1 {
				t.Errorf("%d invalidations, want 1", invalidated)
			}
			if tc.replay {
				if want := "POST /records " + tc.body; a.status != http.StatusOK || a.body != want {
					t.Errorf("answer %d %.60q, want 200 %.60q", a.status, a.body, want)
				}
				if len(received) != 1 || received[0] != "POST "+tc.body {
					t.Errorf("echo received %d bodies, want the one replayed", len(received))
				}
				return
			}
			if a.status != http.StatusUnauthorized || a.body != invalidTokenBody {
				t.Errorf("answer %d %q, want Zoho's 401 unchanged", a.status, a.body)
			}
			if next := v.get(p.URL() + "records"); next.status != http.StatusOK || len(received) != 1 {
				t.Errorf("the call after the refusal answered %d %s, want 200 with a new token", next.status, next.body)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
