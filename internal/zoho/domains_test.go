package zoho

import (
	"slices"
	"testing"
)

func TestServiceDomains(t *testing.T) {
	want := map[string][]string{
		"us": {"zoho.com", "zohoapis.com"}, "eu": {"zoho.eu", "zohoapis.eu"}, "in": {"zoho.in", "zohoapis.in"},
		"au": {"zoho.com.au", "zohoapis.com.au"}, "jp": {"zoho.jp", "zohoapis.jp"}, "cn": {"zoho.com.cn", "zohoapis.com.cn"},
		"ca": {"zohocloud.ca", "zohoapis.ca"}, "sa": {"zoho.sa", "zohoapis.sa"}, "uk": {"zoho.uk", "zohoapis.uk"},
	}
	for _, code := range DataCenterCodes() {
		dc, _ := LookupDataCenter(code)
		if got := dc.ServiceDomains(); !slices.Equal(got, want[code]) {
			t.Errorf("%s: %q, want %q", code, got, want[code])
		}
	}
}

func TestUpstreamDomains(t *testing.T) {
	tests := []struct {
		accountsURL string
		want        []string
	}{
		{"https://accounts.zoho.eu", []string{"zoho.eu", "zohoapis.eu"}},
		{"https://ACCOUNTS.ZOHOCLOUD.CA", []string{"zohocloud.ca", "zohoapis.ca"}},
		// A data center the table does not know yet follows the pattern.
		{"https://accounts.zoho.ae", []string{"zoho.ae", "zohoapis.ae"}},
		{"https://accounts.zoho.com.br", []string{"zoho.com.br", "zohoapis.com.br"}},
		// Anything else has no Zoho domains: only loopback upstreams.
		{"http://127.0.0.1:8080", nil},
		{"https://localhost", nil},
		{"https://accounts.zoho.evil.example", nil},
		{"https://accounts.zoho.com.evil", nil},
		{"https://accounts.zoho.ae:8443", nil},
		{"https://accounts.zoho.", nil},
		{"https://accounts.example.com", nil},
		{"http://accounts.zoho.ae", nil},
		{"https://accounts.zoho.x1", nil},
		{"::", nil},
	}
	for _, tt := range tests {
		if got := UpstreamDomains(tt.accountsURL); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.accountsURL, got, tt.want)
		}
	}
}
