package apiproxy_test

import (
	"strings"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/apiproxy"
)

func TestCheckUpstream(t *testing.T) {
	eu := zoho.UpstreamDomains("https://accounts.zoho.eu")
	ca := zoho.UpstreamDomains("https://accounts.zohocloud.ca")
	emulator := zoho.UpstreamDomains("http://127.0.0.1:8080")
	tests := []struct {
		raw     string
		domains []string
		want    string // the URL CheckUpstream returns, or
		wantErr string // what its error says
	}{
		{"https://www.zohoapis.eu", eu, "https://www.zohoapis.eu", ""},
		{"https://zohoapis.eu/crm/v8", eu, "https://zohoapis.eu/crm/v8", ""},
		{" HTTPS://Desk.Zoho.EU ", eu, "https://Desk.Zoho.EU", ""},
		{"https://www.zohoapis.eu.:8443/", eu, "https://www.zohoapis.eu.:8443/", ""},
		{"https://www.zohoapis.ca", ca, "https://www.zohoapis.ca", ""},
		{"https://crm.zohocloud.ca", ca, "https://crm.zohocloud.ca", ""},
		{"http://127.0.0.1:8080", emulator, "http://127.0.0.1:8080", ""},
		{"https://localhost:8443/api", eu, "https://localhost:8443/api", ""},
		{"http://[::1]:9", nil, "http://[::1]:9", ""},
		{"http://127.9.9.9/a%2Fb", eu, "http://127.9.9.9/a%2Fb", ""},

		{"http://www.zohoapis.eu", eu, "", `upstream "http://www.zohoapis.eu": the scheme must be https, since every request carries the access token; allowed: https on zoho.eu, zohoapis.eu or a subdomain (such as https://www.zohoapis.eu), or http or https on a loopback host (127.0.0.0/8, ::1, localhost)`},
		{"https://www.zohoapis.com", eu, "", "www.zohoapis.com is not a Zoho host of the token's data center"},
		{"https://zohoapis.eu.evil.example", eu, "", "zohoapis.eu.evil.example is not a Zoho host"},
		{"https://evilzohoapis.eu", eu, "", "evilzohoapis.eu is not a Zoho host"},
		{"https://www.zohoapis.eu", emulator, "", "the token's accounts server is no Zoho data center, so only http or https on a loopback host"},
		{"https://10.0.0.1", eu, "", "10.0.0.1 is not a Zoho host"},
		{"ftp://www.zohoapis.eu", eu, "", `the scheme must be https (got "ftp")`},
		{"www.zohoapis.eu", eu, "", "is not an absolute URL"},
		{"", eu, "", "is not an absolute URL"},
		{"https://user:s3cr3tpass@www.zohoapis.eu", eu, "", `upstream "https://REDACTED@www.zohoapis.eu" must not carry a user name or password`},
		{"https://www.zohoapis.eu@evil.example", eu, "", "must not carry a user name or password"},
		{"https://www.zohoapis.eu/?authtoken=s3cr3t", eu, "", `upstream "https://www.zohoapis.eu/?REDACTED" must not carry a query`},
		{"https://www.zohoapis.eu?", eu, "", "must not carry a query"},
		{"https://www.zohoapis.eu/#s3cr3t", eu, "", "must not carry a fragment"},
		{"https://www.zohoapis.eu/#", eu, "", "must not carry a fragment"},
	}
	for _, tt := range tests {
		got, err := apiproxy.CheckUpstream(tt.raw, tt.domains)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: %v, want an error containing %q", tt.raw, err, tt.wantErr)
			} else if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("%q: the error repeats a secret: %v", tt.raw, err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%q = %v, %v; want %s", tt.raw, got, err, tt.want)
		}
	}
}
