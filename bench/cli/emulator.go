package main

import (
	"fmt"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// emulator is the Zoho accounts emulator on loopback, in this process, with
// one Self Client. Zoho's mint and token limits are lifted: the bench makes
// thousands of tokens in minutes, which the real service would refuse.
type emulator struct {
	*zohotest.Emulator
	url    string
	client zohotest.Client
	close  func() error
}

const unlimited = 1 << 30

var benchScopes = []string{"ZohoCRM.users.READ"}

func startEmulator() (*emulator, error) {
	z, err := clitest.StartZoho(zohotest.Options{
		CodeTTL:            time.Hour,
		MintLimit:          unlimited,
		LiveAccessTokenCap: unlimited,
		RefreshTokenCap:    unlimited,
		CodeIssueLimit:     unlimited,
	}, zohotest.Client{})
	if err != nil {
		return nil, err
	}
	return &emulator{Emulator: z.Emu, url: z.AccountsURL, client: z.Client, close: z.Close}, nil
}

// codes issues n grant codes for the Self Client.
func (e *emulator) codes(n int) ([]string, error) {
	codes := make([]string, n)
	for i := range codes {
		code, err := e.IssueGrantCode(e.client.ID, zohotest.CodeOptions{Scopes: benchScopes})
		if err != nil {
			return nil, fmt.Errorf("issue grant code: %w", err)
		}
		codes[i] = code
	}
	return codes, nil
}

// refreshTokens issues n refresh tokens, as if exchanged earlier.
func (e *emulator) refreshTokens(n int) ([]string, error) {
	tokens := make([]string, n)
	for i := range tokens {
		token, err := e.IssueRefreshToken(e.client.ID, benchScopes)
		if err != nil {
			return nil, fmt.Errorf("issue refresh token: %w", err)
		}
		tokens[i] = token
	}
	return tokens, nil
}

// requests is the difference of two counter snapshots: what one run sent.
type requests struct {
	exchanges, refreshes, other, revokes int
}

func (r requests) total() int { return r.exchanges + r.refreshes + r.other + r.revokes }

func (r requests) String() string {
	if r.total() == 0 {
		return "0"
	}
	var s string
	add := func(n int, what string) {
		if n == 0 {
			return
		}
		if s != "" {
			s += " + "
		}
		s += fmt.Sprintf("%d %s", n, what)
	}
	add(r.exchanges, "exchanges")
	add(r.refreshes, "refreshes")
	add(r.other, "other token requests")
	add(r.revokes, "revokes")
	return s
}

func since(before, after zohotest.Counters) requests {
	exchanges := after.ByGrantType["authorization_code"] - before.ByGrantType["authorization_code"]
	refreshes := after.ByGrantType["refresh_token"] - before.ByGrantType["refresh_token"]
	return requests{
		exchanges: exchanges,
		refreshes: refreshes,
		other:     after.TokenRequests - before.TokenRequests - exchanges - refreshes,
		revokes:   after.RevokeRequests - before.RevokeRequests,
	}
}
