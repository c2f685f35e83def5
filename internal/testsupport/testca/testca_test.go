package testca

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestServerAndClient(t *testing.T) {
	files, err := Write(t.TempDir(), "testca test CA")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	srv.TLS = files.ServerConfig()
	srv.StartTLS()
	defer srv.Close()

	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: files.ClientConfig()}}
	resp, err := trusting.Get(srv.URL)
	if err != nil {
		t.Fatalf("a client trusting the CA: %v", err)
	}
	_ = resp.Body.Close()

	other, err := Write(t.TempDir(), "another CA")
	if err != nil {
		t.Fatal(err)
	}
	stranger := &http.Client{Transport: &http.Transport{TLSClientConfig: other.ClientConfig()}}
	if resp, err := stranger.Get(srv.URL); err == nil {
		_ = resp.Body.Close()
		t.Fatal("a client trusting another CA connected")
	}
}
