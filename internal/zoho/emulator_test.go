package zoho_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// These tests run the client against the emulator: the whole life of a
// token as Zoho documents it, over real HTTP on loopback.

func newEmulatedClient(tb testing.TB, opts zohotest.Options) (*zohotest.Emulator, zohotest.Client, *zoho.Client) {
	tb.Helper()
	emu := zohotest.New(opts)
	url := emu.StartServer(tb, "eu")
	c := emu.RegisterClient(zohotest.Client{DC: "eu"})
	return emu, c, zoho.New(zoho.Config{AccountsURL: url, ClientID: c.ID, ClientSecret: c.Secret,
		RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond, UserAgent: "terraform-provider-zoho/test"})
}

func TestLifecycleAgainstEmulator(t *testing.T) {
	emu, c, client := newEmulatedClient(t, zohotest.Options{})
	ctx := context.Background()
	code, err := emu.IssueGrantCode(c.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := client.ExchangeCode(ctx, code, "")
	if err != nil {
		t.Fatal(err)
	}
	if first.APIDomain != "https://www.zohoapis.eu" || len(first.Scopes) != 1 || !emu.RefreshTokenLive(first.RefreshToken) {
		t.Fatalf("exchange gave %+v", first)
	}
	if _, err := client.ExchangeCode(ctx, code, ""); errorCode(err) != zoho.CodeInvalidCode {
		t.Fatalf("second use of a code: %v, want invalid_code", err)
	}
	minted, err := client.Refresh(ctx, first.RefreshToken)
	if err != nil || minted.RefreshToken != "" || !emu.AccessTokenLive(minted.AccessToken) {
		t.Fatalf("refresh: %+v, %v", minted, err)
	}
	if err := client.Revoke(ctx, first.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if emu.AccessTokenLive(minted.AccessToken) {
		t.Error("revoking the refresh token must revoke its access tokens")
	}
	if err := client.Revoke(ctx, first.RefreshToken); !errors.Is(err, zoho.ErrTokenNotFound) {
		t.Errorf("second revoke: %v, want ErrTokenNotFound", err)
	}
	if _, err := client.Refresh(ctx, first.RefreshToken); errorCode(err) != zoho.CodeInvalidCode {
		t.Errorf("refresh with a revoked token: %v, want invalid_code", err)
	}
	for _, r := range emu.Requests() {
		if r.RawQuery != "" {
			t.Errorf("%s %s carried a query string", r.Method, r.Path)
		}
	}
}

func TestThrottleAgainstEmulator(t *testing.T) {
	emu, c, client := newEmulatedClient(t, zohotest.Options{MintLimit: 3})
	refresh, err := emu.IssueRefreshToken(c.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := client.Refresh(context.Background(), refresh); err != nil {
			t.Fatal(err)
		}
	}
	for _, localized := range []bool{false, true} {
		emu.SetLocalizedThrottle(localized)
		before := emu.Counters().TokenRequests
		_, err := client.Refresh(context.Background(), refresh)
		if errorCode(err) != zoho.CodeThrottled {
			t.Fatalf("localized=%v: %v, want throttled", localized, err)
		}
		if n := emu.Counters().TokenRequests - before; n != 1 {
			t.Errorf("localized=%v: %d requests, want 1 (throttle is not retried)", localized, n)
		}
	}
}

func TestLegacyExpiryAgainstEmulator(t *testing.T) {
	emu, c, client := newEmulatedClient(t, zohotest.Options{})
	emu.SetLegacyExpiry(true)
	refresh, _ := emu.IssueRefreshToken(c.ID, []string{"ZohoCRM.users.READ"})
	before := time.Now()
	tok, err := client.Refresh(context.Background(), refresh)
	if err != nil {
		t.Fatal(err)
	}
	if left := tok.ExpiresAt.Sub(before); left < 59*time.Minute || left > 61*time.Minute {
		t.Errorf("legacy answer gave a lifetime of %v, want an hour (expires_in is in ms there)", left)
	}
}

// BenchmarkRefresh measures one refresh round trip against the emulator on
// loopback: the client's own cost (encoding, parsing, retry wrapper).
func BenchmarkRefresh(b *testing.B) {
	emu, c, client := newEmulatedClient(b, zohotest.Options{MintLimit: 1 << 30, LiveAccessTokenCap: 1 << 30})
	refresh, err := emu.IssueRefreshToken(c.ID, []string{"ZohoCRM.users.READ"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.Refresh(context.Background(), refresh); err != nil {
			b.Fatal(err)
		}
	}
}

// errorCode is the Code of a *zoho.Error in err's chain, or "".
func errorCode(err error) string {
	var zerr *zoho.Error
	if errors.As(err, &zerr) {
		return zerr.Code
	}
	return ""
}
