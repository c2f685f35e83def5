// Package registry serves a release the way the public registries
// (registry.terraform.io, registry.opentofu.org) serve one: the provider
// registry protocol over HTTPS, on loopback, with a certificate from a CA
// made for the run (package testca). A CLI configuration's host block points
// a registry's hostname at it (ServicesURL), so `terraform init` and
// `tofu init` install the unchanged source address from it, verifying the
// SHA256SUMS signature and the archive's checksum as they do in production.
//
// Several releases can be served at once, each under its own path prefix:
// the release rehearsal serves the real one at "/" and its tampered
// variants (a changed zip, another key's signature, protocols the CLIs do
// not speak) beside it.
//
// It imports nothing of package testing: the release rehearsal, a program,
// runs it.
package registry

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/testca"
)

// Release is one provider version as a registry serves it: what goreleaser
// produced (the zips, SHA256SUMS and its signature, in Dir) and what the
// maintainer registered (the signing key; the protocols come from
// terraform-registry-manifest.json).
type Release struct {
	Namespace  string   // "cd40c554"
	Type       string   // "zoho"
	Version    string   // "0.1.0"
	Protocols  []string // the version's plugin protocols: ["6.0"]
	Dir        string   // where the files are
	SHA256SUMS string   // the checksum file's name in Dir
	Signature  string   // its detached signature's name in Dir
	KeyID      string   // the signing key's ID (16 hex digits)
	KeyArmor   string   // the signing key, ASCII-armored
	// Replace serves another file under a name (a tampered zip, another
	// key's signature): name in Dir -> path of what is served instead.
	Replace map[string]string
}

// Platform is an OS and an architecture the release has a zip for.
type Platform struct {
	OS   string `json:"os"`
	Arch string `json:"arch"`
}

// Request is one request the server answered.
type Request struct {
	Prefix string // the release's prefix ("" for the one at /)
	Method string
	Path   string
	Status int
}

// Server is the registry on loopback.
type Server struct {
	URL    string // https://127.0.0.1:PORT
	CAFile string // the CA to trust (SSL_CERT_FILE)

	releases map[string]*served
	srv      *http.Server
	mu       sync.Mutex
	log      []Request
}

type served struct {
	Release
	prefix    string            // "" for /, else the path segment(s) it is served under
	shasums   map[string]string // zip name -> hex SHA-256, from SHA256SUMS
	platforms []Platform
}

// Start serves releases, each under its prefix ("" for /, "tampered" for
// /tampered/), with a CA and certificate written to certDir.
func Start(certDir string, releases map[string]Release) (*Server, error) {
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return nil, err
	}
	certs, err := testca.Write(certDir, "terraform-provider-zoho release rehearsal CA")
	if err != nil {
		return nil, err
	}
	s := &Server{CAFile: certs.CA, releases: map[string]*served{}}
	for prefix, r := range releases {
		sv, err := load(r)
		if err != nil {
			return nil, fmt.Errorf("release %q: %w", prefix, err)
		}
		sv.prefix = strings.Trim(prefix, "/")
		s.releases[sv.prefix] = sv
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.URL = "https://" + ln.Addr().String()
	// ErrorLog: a client refusing the certificate (as the rehearsal has one
	// do) is not the server's error to print.
	s.srv = &http.Server{Handler: s, TLSConfig: certs.ServerConfig(), ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = s.srv.ServeTLS(ln, "", "") }()
	return s, nil
}

// ServicesURL is the providers.v1 URL of the release at prefix, for a CLI
// configuration's host block.
func (s *Server) ServicesURL(prefix string) string {
	return s.URL + s.base(strings.Trim(prefix, "/")) + "v1/providers/"
}

// Requests returns what the server answered, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

func (s *Server) base(prefix string) string {
	if prefix == "" {
		return "/"
	}
	return "/" + prefix + "/"
}

// zipName is goreleaser's (and the registries') name of a provider zip:
// terraform-provider-TYPE_VERSION_OS_ARCH.zip.
var zipName = regexp.MustCompile(`^terraform-provider-([a-z0-9-]+)_([^_]+)_([a-z0-9]+)_([a-z0-9]+)\.zip$`)

// load reads the release's SHA256SUMS: the zips it lists are the
// platforms, and their checksums are what the download answers say.
func load(r Release) (*served, error) {
	f, err := os.Open(filepath.Join(r.Dir, r.SHA256SUMS))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sv := &served{Release: r, shasums: map[string]string{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			return nil, fmt.Errorf("%s: not a SHA256SUMS line: %q", r.SHA256SUMS, sc.Text())
		}
		m := zipName.FindStringSubmatch(name)
		if m == nil || m[1] != r.Type || m[2] != r.Version {
			continue // the manifest, the emulator's archives
		}
		sv.shasums[name] = sum
		sv.platforms = append(sv.platforms, Platform{OS: m[3], Arch: m[4]})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(sv.platforms) == 0 {
		return nil, fmt.Errorf("%s lists no terraform-provider-%s_%s_*.zip", r.SHA256SUMS, r.Type, r.Version)
	}
	return sv, nil
}

// ServeHTTP answers the registry protocol:
//
//	/.well-known/terraform.json                          service discovery
//	/PREFIX/v1/providers/NS/TYPE/versions                the versions
//	/PREFIX/v1/providers/NS/TYPE/VERSION/download/OS/ARCH one platform's package
//	/PREFIX/files/NAME                                   the release's files
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	prefix := s.serve(rec, r)
	s.mu.Lock()
	s.log = append(s.log, Request{Prefix: prefix, Method: r.Method, Path: r.URL.Path, Status: rec.status})
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) (prefix string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return ""
	}
	p := path.Clean(r.URL.Path)
	if p == "/.well-known/terraform.json" {
		writeJSON(w, map[string]string{"providers.v1": "/v1/providers/"})
		return ""
	}
	rel, rest := s.match(p)
	if rel == nil {
		http.NotFound(w, r)
		return ""
	}
	prefix = rel.prefix
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "files":
		s.serveFile(w, r, rel, parts[1])
	case len(parts) == 5 && parts[0] == "v1" && parts[1] == "providers" && parts[4] == "versions" &&
		parts[2] == rel.Namespace && parts[3] == rel.Type:
		writeJSON(w, rel.versions())
	case len(parts) == 8 && parts[0] == "v1" && parts[1] == "providers" && parts[5] == "download" &&
		parts[2] == rel.Namespace && parts[3] == rel.Type && parts[4] == rel.Version:
		answer, ok := rel.download(s.URL+s.base(prefix)+"files/", parts[4], parts[6], parts[7])
		if !ok {
			http.NotFound(w, r)
			return prefix
		}
		writeJSON(w, answer)
	default:
		http.NotFound(w, r)
	}
	return prefix
}

// match finds the release whose prefix starts p (the longest), and the rest
// of p after it.
func (s *Server) match(p string) (*served, string) {
	var best *served
	bestBase, rest := "", ""
	for prefix, sv := range s.releases {
		base := s.base(prefix)
		if strings.HasPrefix(p+"/", base) && len(base) > len(bestBase) {
			best, bestBase, rest = sv, base, strings.TrimPrefix(p+"/", base)
		}
	}
	return best, rest
}

// versions is the answer to GET .../versions: one version, its protocols
// and platforms.
func (sv *served) versions() any {
	type version struct {
		Version   string     `json:"version"`
		Protocols []string   `json:"protocols"`
		Platforms []Platform `json:"platforms"`
	}
	return map[string]any{"versions": []version{{Version: sv.Version, Protocols: sv.Protocols, Platforms: sv.platforms}}}
}

// download is the answer to GET .../VERSION/download/OS/ARCH, with the
// file URLs under filesURL.
func (sv *served) download(filesURL, version, goos, goarch string) (any, bool) {
	name := fmt.Sprintf("terraform-provider-%s_%s_%s_%s.zip", sv.Type, version, goos, goarch)
	sum, ok := sv.shasums[name]
	if !ok {
		return nil, false
	}
	type key struct {
		KeyID          string `json:"key_id"`
		ASCIIArmor     string `json:"ascii_armor"`
		TrustSignature string `json:"trust_signature"`
		Source         string `json:"source"`
		SourceURL      any    `json:"source_url"`
	}
	return map[string]any{
		"protocols":             sv.Protocols,
		"os":                    goos,
		"arch":                  goarch,
		"filename":              name,
		"download_url":          filesURL + name,
		"shasums_url":           filesURL + sv.SHA256SUMS,
		"shasums_signature_url": filesURL + sv.Signature,
		"shasum":                sum,
		"signing_keys": map[string]any{
			"gpg_public_keys": []key{{KeyID: sv.KeyID, ASCIIArmor: sv.KeyArmor, Source: sv.Namespace}},
		},
	}, true
}

// serveFile serves a file of the release (a zip, SHA256SUMS or its
// signature), or its replacement.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rel *served, name string) {
	if _, listed := rel.shasums[name]; !listed && name != rel.SHA256SUMS && name != rel.Signature {
		http.NotFound(w, r)
		return
	}
	file := filepath.Join(rel.Dir, name)
	if other, ok := rel.Replace[name]; ok {
		file = other
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeFile(w, r, file)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// recorder keeps the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
