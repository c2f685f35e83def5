package zohotest_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// Both limits at work on one refresh token: past the live cap the oldest
// tokens die (counted as evictions), past the mint limit requests are
// refused (counted as throttled), and client credentials throttle too.
func TestCounters_throttledAndCapEvictions(t *testing.T) {
	v := newEnv(t, zohotest.Options{MintLimit: 17})
	c := v.selfClient("us")
	rt := v.refreshToken(c)
	first := v.mint("us", c, rt)
	for range 16 {
		v.mint("us", c, rt)
	}
	wantThrottled(t, v, c, rt)
	v.emu.ThrottleClientCredentials(c.ID)
	v.token("us", credentialsParams(c, "A.b.READ"))
	v.emu.InjectFault(zohotest.Fault{Kind: zohotest.FaultStatus})
	v.token("us", refreshParams(c, rt))

	got := v.emu.Counters()
	if got.Mints != 17 || got.Throttled != 2 || got.CapEvictions != 2 || got.Faults != 1 {
		t.Errorf("Mints, Throttled, CapEvictions, Faults = %d, %d, %d, %d; want 17, 2 (one refresh, one client credentials), 2 (17 minted, 15 kept), 1",
			got.Mints, got.Throttled, got.CapEvictions, got.Faults)
	}
	if v.emu.AccessTokenLive(first) {
		t.Error("the first access token is still live after two evictions")
	}
	if peak := v.emu.PeakLiveAccessTokens(rt); peak != 15 {
		t.Errorf("PeakLiveAccessTokens = %d, want the cap, 15", peak)
	}
}

// The peak is a high-water mark over the code exchange's token and the
// refreshes: revoked and expired tokens leave the live count but not the
// peak, which also survives the refresh token itself.
func TestPeakLiveAccessTokens(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	c := v.selfClient("us")
	if peak := v.emu.PeakLiveAccessTokens("1000.abc.def"); peak != 0 {
		t.Errorf("PeakLiveAccessTokens(unknown) = %d, want 0", peak)
	}
	first, rt := v.exchange("us", c, v.code(c, zohotest.CodeOptions{}))
	second := v.mint("us", c, rt)
	v.mint("us", c, rt)
	wantPeak(t, v, rt, 3, 3)

	v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {first}})
	v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {second}})
	v.mint("us", c, rt)
	wantPeak(t, v, rt, 2, 3)

	v.clock.Advance(time.Hour)
	v.mint("us", c, rt)
	wantPeak(t, v, rt, 1, 3)
	for range 3 {
		v.mint("us", c, rt)
	}
	wantPeak(t, v, rt, 4, 4)

	v.post("us", "/oauth/v2/token/revoke", url.Values{"token": {rt}})
	wantPeak(t, v, rt, 0, 4)
}

func wantPeak(t *testing.T, v *env, rt string, live, peak int) {
	t.Helper()
	if got := v.emu.LiveAccessTokens(rt); got != live {
		t.Errorf("LiveAccessTokens = %d, want %d", got, live)
	}
	if got := v.emu.PeakLiveAccessTokens(rt); got != peak {
		t.Errorf("PeakLiveAccessTokens = %d, want %d", got, peak)
	}
}
