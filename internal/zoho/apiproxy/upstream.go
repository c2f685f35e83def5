package apiproxy

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// CheckUpstream reads the upstream attribute: where the proxy sends every
// request, with a live access token in it. It must be https on a host
// under one of domains (zoho.UpstreamDomains of the token's accounts URL:
// "zohoapis.eu", "zoho.eu"...) or one of their subdomains, or http or
// https on a loopback host (127.0.0.0/8, ::1, localhost: the emulator,
// tests). With no domains, only loopback qualifies. It may carry a path
// (requests are joined under it) but no user name or password, query or
// fragment. Errors name the attribute and quote the value with any
// credential, query or fragment redacted.
func CheckUpstream(raw string, domains []string) (*url.URL, error) {
	quoted := zoho.RedactURL(raw)
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("upstream %q is not an absolute URL such as https://www.zohoapis.com", quoted)
	}
	switch {
	case u.User != nil:
		return nil, fmt.Errorf("upstream %q must not carry a user name or password: the proxy adds the only credential, the access token", quoted)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("upstream %q must not carry a query: each request brings its own", quoted)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("upstream %q must not carry a fragment", quoted)
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	loopback := zoho.IsLoopbackHost(host)
	switch {
	case scheme != "https" && scheme != "http":
		return nil, fmt.Errorf("upstream %q: the scheme must be https (got %q); %s", quoted, u.Scheme, allowed(domains))
	case loopback:
	case !underAny(host, domains):
		return nil, fmt.Errorf("upstream %q: %s is not a Zoho host of the token's data center; %s", quoted, host, allowed(domains))
	case scheme == "http":
		return nil, fmt.Errorf("upstream %q: the scheme must be https, since every request carries the access token; %s", quoted, allowed(domains))
	}
	return &url.URL{Scheme: scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}, nil
}

// underAny reports whether host is one of domains or a subdomain of one.
func underAny(host string, domains []string) bool {
	for _, d := range domains {
		d = strings.ToLower(d)
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// allowed says what CheckUpstream accepts, for its errors.
func allowed(domains []string) string {
	const loopback = "http or https on a loopback host (127.0.0.0/8, ::1, localhost)"
	if len(domains) == 0 {
		return "the token's accounts server is no Zoho data center, so only " + loopback + " is allowed"
	}
	return fmt.Sprintf("allowed: https on %s or a subdomain (such as https://www.%s), or %s",
		strings.Join(domains, ", "), domains[len(domains)-1], loopback)
}
