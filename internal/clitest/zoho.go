package clitest

import (
	"errors"

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
	for _, url := range []*string{&z.AccountsURL, &z.APIURL} {
		u, stop, err := z.Emu.Serve(dc)
		if err != nil {
			_ = z.Close()
			return nil, err
		}
		*url = u
		z.stops = append(z.stops, stop)
	}
	z.Emu.SetAPIDomain(dc, z.APIURL)
	z.Client = z.Emu.RegisterClient(client)
	return z, nil
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
