package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// networkFloor sends bare requests with net/http to the emulator: the
// least any client could pay for the same exchanges, refreshes and revokes.
type networkFloor struct {
	accountsURL      string
	clientID, secret string
	client           *http.Client
	concurrency      int
}

func newNetworkFloor(accountsURL, clientID, secret string, concurrency int) *networkFloor {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = concurrency
	return &networkFloor{accountsURL: accountsURL, clientID: clientID, secret: secret, concurrency: concurrency,
		client: &http.Client{Transport: transport}}
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
	Status       string `json:"status"`
}

// exchange trades every code for a refresh token, concurrency at a time.
func (f *networkFloor) exchange(ctx context.Context, codes []string) (time.Duration, []string, error) {
	tokens := make([]string, len(codes))
	d, err := f.each(ctx, len(codes), func(i int) error {
		ans, err := f.post(ctx, "/oauth/v2/token", url.Values{"grant_type": {"authorization_code"},
			"client_id": {f.clientID}, "client_secret": {f.secret}, "code": {codes[i]}})
		if err == nil && ans.RefreshToken == "" {
			err = fmt.Errorf("exchange answered error %q", ans.Error)
		}
		tokens[i] = ans.RefreshToken
		return err
	})
	return d, tokens, err
}

// refresh mints one access token per refresh token.
func (f *networkFloor) refresh(ctx context.Context, refreshTokens []string) (time.Duration, error) {
	return f.each(ctx, len(refreshTokens), func(i int) error {
		ans, err := f.post(ctx, "/oauth/v2/token", url.Values{"grant_type": {"refresh_token"},
			"client_id": {f.clientID}, "client_secret": {f.secret}, "refresh_token": {refreshTokens[i]}})
		if err == nil && ans.AccessToken == "" {
			err = fmt.Errorf("refresh answered error %q", ans.Error)
		}
		return err
	})
}

// revoke revokes every token.
func (f *networkFloor) revoke(ctx context.Context, tokens []string) (time.Duration, error) {
	return f.each(ctx, len(tokens), func(i int) error {
		ans, err := f.post(ctx, "/oauth/v2/token/revoke", url.Values{"token": {tokens[i]}})
		if err == nil && ans.Status != "success" {
			err = fmt.Errorf("revoke answered %q %q", ans.Status, ans.Error)
		}
		return err
	})
}

// each runs do(0..n-1) on f.concurrency workers and times the lot.
func (f *networkFloor) each(ctx context.Context, n int, do func(i int) error) (time.Duration, error) {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range min(f.concurrency, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := do(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), firstErr
}

func (f *networkFloor) post(ctx context.Context, path string, form url.Values) (tokenAnswer, error) {
	var ans tokenAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.accountsURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return ans, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.client.Do(req)
	if err != nil {
		return ans, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&ans)
	return ans, err
}
