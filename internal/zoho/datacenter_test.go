package zoho

import (
	"strings"
	"testing"
)

func TestNormalizeAccountsURL(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "https://accounts.zoho.eu", want: "https://accounts.zoho.eu"},
		{in: "https://accounts.zoho.eu/", want: "https://accounts.zoho.eu"},
		{in: " HTTPS://accounts.zoho.com ", want: "https://accounts.zoho.com"},
		{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{in: "http://127.3.4.5:1", want: "http://127.3.4.5:1"},
		{in: "http://localhost:9/", want: "http://localhost:9"},
		{in: "http://[::1]:9", want: "http://[::1]:9"},
		{in: "http://accounts.zoho.com", wantErr: "http:// is allowed only for loopback hosts"},
		{in: "http://10.0.0.1", wantErr: "only for loopback"},
		{in: "ftp://accounts.zoho.com", wantErr: "scheme must be https"},
		{in: "accounts.zoho.com", wantErr: "not an absolute URL"},
		{in: "https://user:pw@accounts.zoho.com", wantErr: "user name or password"},
		{in: "https://accounts.zoho.com?x=1", wantErr: "query or fragment"},
		{in: "https://accounts.zoho.com/oauth/v2/token", wantErr: "without a path"},
		{in: "", wantErr: "not an absolute URL"},
	}
	for _, tt := range tests {
		got, err := NormalizeAccountsURL(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestDataCenters(t *testing.T) {
	want := map[string]string{
		"us": "https://accounts.zoho.com", "eu": "https://accounts.zoho.eu", "in": "https://accounts.zoho.in",
		"au": "https://accounts.zoho.com.au", "jp": "https://accounts.zoho.jp", "cn": "https://accounts.zoho.com.cn",
		"ca": "https://accounts.zohocloud.ca", "sa": "https://accounts.zoho.sa", "uk": "https://accounts.zoho.uk",
	}
	if got := strings.Join(DataCenterCodes(), ","); got != "us,eu,in,au,jp,cn,ca,sa,uk" {
		t.Errorf("codes = %s", got)
	}
	for code, accounts := range want {
		dc, ok := LookupDataCenter(strings.ToUpper(code))
		if !ok || dc.AccountsURL != accounts {
			t.Errorf("%s: %+v", code, dc)
		}
		if _, err := NormalizeAccountsURL(dc.AccountsURL); err != nil {
			t.Errorf("%s: %v", code, err)
		}
	}
	if dc, _ := LookupDataCenter("ca"); dc.APIDomain != "https://www.zohoapis.ca" {
		t.Errorf("ca api domain = %s", dc.APIDomain)
	}
	if _, ok := LookupDataCenter("mars"); ok {
		t.Error("mars is no data center")
	}
	if _, ok := LookupDataCenter(" eu"); ok {
		t.Error(`" eu" is no data center: codes are matched exactly, in any case`)
	}
}

func TestFingerprint(t *testing.T) {
	a, b := Fingerprint("1000.a.b"), Fingerprint("1000.a.c")
	if len(a) != 16 || a == b || strings.Contains(a, "1000") {
		t.Errorf("fingerprints %q %q", a, b)
	}
	if Fingerprint("1000.a.b") != a {
		t.Error("fingerprint is not stable")
	}
}
