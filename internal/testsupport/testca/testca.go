// Package testca makes a throwaway certificate authority and a server
// certificate for loopback that it signed, so a test server can speak HTTPS
// to a client that trusts this CA for one run only (a Go program's
// SSL_CERT_FILE, a tls.Config's RootCAs), and to nothing else.
//
// It imports nothing of package testing: programs use it too (the release
// rehearsal's registry).
package testca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Files are a CA and a server certificate for 127.0.0.1, ::1 and localhost,
// valid for a day, as PEM files in one directory.
type Files struct {
	CA   string // the CA certificate: SSL_CERT_FILE for a client
	Cert string // the server's certificate
	Key  string // the server's private key (PKCS #8)
	Pool *x509.CertPool
	pair tls.Certificate
}

// Write makes a CA named name and a server certificate it signed, and
// writes them to dir as ca.pem, cert.pem and key.pem.
func Write(dir, name string) (*Files, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	f := &Files{
		CA:   filepath.Join(dir, "ca.pem"),
		Cert: filepath.Join(dir, "cert.pem"),
		Key:  filepath.Join(dir, "key.pem"),
		Pool: x509.NewCertPool(),
		pair: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
	}
	f.Pool.AddCert(ca)
	for path, block := range map[string]*pem.Block{
		f.CA:   {Type: "CERTIFICATE", Bytes: caDER},
		f.Cert: {Type: "CERTIFICATE", Bytes: der},
		f.Key:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// ServerConfig is a TLS configuration for a server presenting the
// certificate.
func (f *Files) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{f.pair}, MinVersion: tls.VersionTLS12}
}

// ClientConfig is a TLS configuration for a client trusting this CA alone.
func (f *Files) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: f.Pool, MinVersion: tls.VersionTLS12}
}
