package zoho

import (
	"net/url"
	"strings"
)

// ServiceDomains lists the registrable domains of dc's Zoho hosts, read
// off the data center table: the accounts host's ("zoho.eu",
// "zohocloud.ca") and the API host's ("zohoapis.eu"). Every product's API
// host of that data center is one of them or a subdomain (www.zohoapis.eu,
// desk.zoho.eu, mail.zoho.eu...); a host elsewhere is not Zoho's.
func (dc DataCenter) ServiceDomains() []string {
	return []string{
		strings.TrimPrefix(hostOf(dc.AccountsURL), "accounts."),
		strings.TrimPrefix(hostOf(dc.APIDomain), "www."),
	}
}

// AllServiceDomains is every data center's ServiceDomains: where an API
// host may be when the data center is not known yet.
func AllServiceDomains() []string {
	var all []string
	for _, dc := range dataCenters {
		all = append(all, dc.ServiceDomains()...)
	}
	return all
}

// UpstreamDomains returns the domains an API host may be under for tokens
// minted at accountsURL (normalised, as NormalizeAccountsURL returns it):
//   - a data center's accounts URL: that data center's ServiceDomains;
//   - another https://accounts.zoho.<tld> (a data center this table does not
//     know yet): zoho.<tld> and zohoapis.<tld>, the pattern every data center
//     but Canada's follows;
//   - anything else (the emulator on loopback, a host that is not Zoho's):
//     none, so only a loopback host qualifies. A token from there means
//     nothing to Zoho, and guessing domains for an unknown host could send
//     a real token to whoever owns the guess.
func UpstreamDomains(accountsURL string) []string {
	for _, dc := range dataCenters {
		if strings.EqualFold(dc.AccountsURL, accountsURL) {
			return dc.ServiceDomains()
		}
	}
	u, err := url.Parse(accountsURL)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Port() != "" {
		return nil
	}
	tld, ok := strings.CutPrefix(strings.ToLower(u.Hostname()), "accounts.zoho.")
	if !ok || !isZohoTLD(tld) {
		return nil
	}
	return []string{"zoho." + tld, "zohoapis." + tld}
}

// isZohoTLD accepts the shapes of the top-level domains Zoho's data
// centers use: one label of letters ("eu", "ae") or "com." and a country
// code ("com.au"). "evil.example" is neither.
func isZohoTLD(s string) bool {
	letters := func(l string) bool { return l != "" && strings.Trim(l, "abcdefghijklmnopqrstuvwxyz") == "" }
	if cc, ok := strings.CutPrefix(s, "com."); ok {
		return len(cc) == 2 && letters(cc)
	}
	return letters(s)
}

// hostOf is the host name of a URL from the data center table.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic("zoho: bad URL in the data center table: " + raw)
	}
	return u.Hostname()
}
