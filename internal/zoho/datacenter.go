package zoho

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// DataCenter is one of Zoho's isolated regions: a client, its grant codes and
// its tokens exist only in the data center where the client was registered.
type DataCenter struct {
	Code        string
	AccountsURL string
	// APIDomain is what Zoho usually answers as api_domain there; the answer
	// itself is authoritative (it differs per product).
	APIDomain string
}

var dataCenters = []DataCenter{
	{Code: "us", AccountsURL: "https://accounts.zoho.com", APIDomain: "https://www.zohoapis.com"},
	{Code: "eu", AccountsURL: "https://accounts.zoho.eu", APIDomain: "https://www.zohoapis.eu"},
	{Code: "in", AccountsURL: "https://accounts.zoho.in", APIDomain: "https://www.zohoapis.in"},
	{Code: "au", AccountsURL: "https://accounts.zoho.com.au", APIDomain: "https://www.zohoapis.com.au"},
	{Code: "jp", AccountsURL: "https://accounts.zoho.jp", APIDomain: "https://www.zohoapis.jp"},
	{Code: "cn", AccountsURL: "https://accounts.zoho.com.cn", APIDomain: "https://www.zohoapis.com.cn"},
	{Code: "ca", AccountsURL: "https://accounts.zohocloud.ca", APIDomain: "https://www.zohoapis.ca"},
	{Code: "sa", AccountsURL: "https://accounts.zoho.sa", APIDomain: "https://www.zohoapis.sa"},
	{Code: "uk", AccountsURL: "https://accounts.zoho.uk", APIDomain: "https://www.zohoapis.uk"},
}

// DefaultDataCenter is Zoho's original region, where most clients live.
const DefaultDataCenter = "us"

// DataCenterCodes lists the valid data_center values, in a stable order.
func DataCenterCodes() []string {
	codes := make([]string, len(dataCenters))
	for i, dc := range dataCenters {
		codes[i] = dc.Code
	}
	return codes
}

// LookupDataCenter finds a data center by its code, in any case but
// exactly: " eu" is no data center.
func LookupDataCenter(code string) (DataCenter, bool) {
	for _, dc := range dataCenters {
		if strings.EqualFold(dc.Code, code) {
			return dc, true
		}
	}
	return DataCenter{}, false
}

// NormalizeAccountsURL checks an accounts URL and returns it without a
// trailing slash. It must be https, except for loopback hosts (the local
// emulator), and must name the host only: tokens travel to it, so a typo'd
// scheme or an embedded credential is refused rather than guessed at.
func NormalizeAccountsURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an absolute URL such as https://accounts.zoho.eu", RedactURL(raw))
	}
	switch {
	case u.User != nil:
		return "", fmt.Errorf("the URL must not carry a user name or password")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("the URL must not carry a query or fragment")
	case strings.Trim(u.Path, "/") != "":
		return "", fmt.Errorf("the URL must name the accounts host only, without a path (got path %q)", u.Path)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return "", fmt.Errorf("http:// is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); use https://%s", u.Host)
		}
	default:
		return "", fmt.Errorf("the scheme must be https (got %q)", u.Scheme)
	}
	// url.URL re-escapes the host, which url.Parse unescaped: an IPv6 zone
	// ("%25en0" is read as "%en0") must come back in a form that parses.
	return (&url.URL{Scheme: strings.ToLower(u.Scheme), Host: u.Host}).String(), nil
}

// IsLoopbackHost reports whether host is localhost or a loopback address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactURL returns raw fit to quote in a diagnostic: whatever precedes
// the last "@" of the authority (userinfo: a user name, a password, a token
// used as either) becomes "REDACTED", and so does any query or fragment
// (an OAuth redirect carries tokens there). It works on the text alone, so
// input url.Parse rejects (a password with a space or a stray "%") is made
// safe as well; over-redacting a URL that is wrong anyway costs nothing.
func RedactURL(raw string) string {
	s := strings.TrimSpace(raw)
	start := 0
	if m := schemePrefix.FindStringIndex(s); m != nil {
		start = m[1]
	}
	rest := s[start:]
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = "REDACTED" + rest[at:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i+1] + "REDACTED"
	}
	return s[:start] + rest
}

// schemePrefix matches "scheme://" at the start of a URL (RFC 3986).
var schemePrefix = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
