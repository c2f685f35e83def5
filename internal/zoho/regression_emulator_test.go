package zoho_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// Defect 4b: a Ctrl-C (the caller's context cancelled) while Zoho was
// processing the exchange dropped the answer, so the refresh token Zoho had
// issued was lost and the single-use code spent.
func TestExchangeCode_cancelAfterSendingStillReturnsTheToken(t *testing.T) {
	emu, c, client := newEmulatedClient(t, zohotest.Options{})
	code, err := emu.IssueGrantCode(c.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}})
	if err != nil {
		t.Fatal(err)
	}
	emu.InjectFault(zohotest.Fault{GrantType: "authorization_code", Kind: zohotest.FaultDelay, Delay: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for emu.Counters().TokenRequests == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel() // Zoho is now working on the request
	}()
	tok, err := client.ExchangeCode(ctx, code, "")
	if err != nil {
		t.Fatalf("err = %v, want the refresh token Zoho issued", err)
	}
	if ctx.Err() == nil {
		t.Fatal("the caller's context was not cancelled during the exchange: the test proves nothing")
	}
	if tok.RefreshToken == "" || !emu.RefreshTokenLive(tok.RefreshToken) {
		t.Errorf("refresh token %q is not the live one Zoho issued", zoho.Fingerprint(tok.RefreshToken))
	}
	if n := emu.Counters().TokenRequests; n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func TestExchangeCode_alreadyCancelledSendsNothing(t *testing.T) {
	emu, c, client := newEmulatedClient(t, zohotest.Options{})
	code, _ := emu.IssueGrantCode(c.ID, zohotest.CodeOptions{Scopes: []string{"ZohoCRM.users.READ"}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client.ExchangeCode(ctx, code, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := emu.Counters().TokenRequests; n != 0 {
		t.Errorf("%d token requests sent with a cancelled context", n)
	}
}

// Until a connection exists nothing was sent, so a cancellation still stops
// the exchange at once instead of waiting out request_timeout.
func TestExchangeCode_cancelWhileConnectingStopsAtOnce(t *testing.T) {
	dialing := make(chan struct{})
	transport := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		close(dialing)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	client := zoho.New(zoho.Config{AccountsURL: "http://127.0.0.1:9", ClientID: "id", ClientSecret: "secret",
		RequestTimeout: time.Minute, Transport: transport})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-dialing; cancel() }()
	started := time.Now()
	_, err := client.ExchangeCode(ctx, "1000.code.code", "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(started); elapsed > 5*time.Second {
		t.Errorf("cancellation took %v", elapsed)
	}
}
