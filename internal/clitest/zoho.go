package clitest

import (
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// Zoho is an emulated Zoho on loopback for one data center: its accounts
// host and, apart as Zoho's is, its API host (the api_domain it answers),
// with one Self Client registered.
type Zoho struct {
	Emu         *zohotest.Emulator
	DC          string
	AccountsURL string
	APIURL      string
	Client      zohotest.Client
	stops       []func() error

	mu       sync.Mutex
	arrived  []time.Time // when each token request reached the accounts host
	answered []time.Time // when each was answered (or its client left)
}

// StartZoho starts an emulator with opts and registers client, a Self
// Client unless it says otherwise, in its data center (client.DC, "us" when
// empty).
func StartZoho(opts zohotest.Options, client zohotest.Client) (*Zoho, error) {
	if client.DC == "" {
		client.DC = "us"
	}
	dc := client.DC
	z := &Zoho{Emu: zohotest.New(opts), DC: dc}
	for _, host := range []struct {
		url     *string
		handler http.Handler
	}{{&z.AccountsURL, z.timeTokenRequests(z.Emu.Handler(dc))}, {&z.APIURL, z.Emu.Handler(dc)}} {
		u, stop, err := zohotest.ServeHandler(host.handler)
		if err != nil {
			_ = z.Close()
			return nil, err
		}
		*host.url = u
		z.stops = append(z.stops, stop)
	}
	z.Emu.SetAPIDomain(dc, z.APIURL)
	z.Client = z.Emu.RegisterClient(client)
	return z, nil
}

// timeTokenRequests notes when each request of the token endpoint reaches
// handler and when handler is done with it.
func (z *Zoho) timeTokenRequests(handler http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != zohotest.TokenPath {
			handler.ServeHTTP(w, r)
			return
		}
		z.note(&z.arrived)
		handler.ServeHTTP(w, r)
		z.note(&z.answered)
	})
}

func (z *Zoho) note(times *[]time.Time) {
	z.mu.Lock()
	*times = append(*times, time.Now())
	z.mu.Unlock()
}

// TokenTimes is when token requests reached the accounts host and when it
// answered them (or gave up on a client that left), each in order: what a
// fleet's waits are measured against.
func (z *Zoho) TokenTimes() (arrived, answered []time.Time) {
	z.mu.Lock()
	defer z.mu.Unlock()
	return slices.Clone(z.arrived), slices.Clone(z.answered)
}

// Env is what the provider needs to reach this Zoho as this client:
// ZOHO_ACCOUNTS_URL, ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET.
func (z *Zoho) Env() map[string]string {
	return map[string]string{"ZOHO_ACCOUNTS_URL": z.AccountsURL, "ZOHO_CLIENT_ID": z.Client.ID, "ZOHO_CLIENT_SECRET": z.Client.Secret}
}

// Close stops both hosts.
func (z *Zoho) Close() error {
	var errs []error
	for _, stop := range z.stops {
		errs = append(errs, stop())
	}
	z.stops = nil
	return errors.Join(errs...)
}
