// Package azurite starts Azurite's Blob service (the npm package azurite,
// Microsoft's Azure Storage emulator) on loopback for tests of
// token_cache_url's azblob:// backend, in one of two modes:
//
//   - SharedKey: plain HTTP, the emulator's well-known account
//     devstoreaccount1 and its published key.
//   - Bearer: HTTPS with a throwaway CA (Azurite takes bearer tokens only
//     over HTTPS) and --oauth basic; the client gets its token through
//     azidentity's DefaultAzureCredential, from an in-process stand-in for
//     App Service's managed identity endpoint (IDENTITY_ENDPOINT,
//     IDENTITY_HEADER), which hands out unsigned JWTs with the audience,
//     issuer and lifetime Azurite's basic check reads. DefaultAzureCredential
//     (azidentity v1.14.1) reaches that source at once: EnvironmentCredential
//     and WorkloadIdentityCredential are unavailable without their variables
//     (Unset removes them) and send nothing; with IDENTITY_ENDPOINT set, the
//     managed identity is App Service's, not IMDS, so there is no IMDS probe
//     (TestBearer: the first token in milliseconds). The client must
//     trust the CA: SSL_CERT_FILE (in Env) for a process of its own. Go
//     reads SSL_CERT_FILE once per process, at the first certificate
//     check against the system roots, so an in-process client needs it set
//     before that (a test binary of its own, or a subprocess).
//
// The entry point comes from scripts/tool.sh azurite (an npm install of a
// pinned version into the tools cache); tests find it through
// ZOHO_TEST_AZURITE and run it with node from PATH.
//
// What Azurite 3.37.0 does of what the cache relies on (checked by
// TestServerFacts in this package):
//
//   - Put Blob with If-None-Match: * where the blob exists: 409
//     BlobAlreadyExists (Azure Storage answers the same), blob unchanged.
//   - Get Blob answers Last-Modified (the write's time, to the second) and
//     Date (the server's clock), as Azure Storage does.
//   - A missing blob is 404 BlobNotFound, a missing container 404
//     ContainerNotFound.
package azurite

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/serverproc"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/testca"
)

// EnvEntry names the environment variable that holds the path of
// Azurite's azurite-blob entry point (dist/src/blob/main.js).
const EnvEntry = "ZOHO_TEST_AZURITE"

// The emulator's well-known account and key (published by Microsoft), and
// the container Start creates.
const (
	Account   = "devstoreaccount1"
	Key       = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	Container = "zoho-cache"
)

// Auth is how clients authorize their requests.
type Auth int

const (
	// SharedKey is plain HTTP and the account key.
	SharedKey Auth = iota
	// Bearer is HTTPS and an OAuth token from DefaultAzureCredential.
	Bearer
)

func (a Auth) String() string {
	if a == Bearer {
		return "bearer"
	}
	return "shared key"
}

// Options configures Start.
type Options struct {
	// Entry is azurite-blob's main.js; empty means $ZOHO_TEST_AZURITE.
	Entry string
	// Node is the node executable; empty means node on PATH.
	Node string
	// Auth is the mode: SharedKey or Bearer.
	Auth Auth
	// Dir holds the blobs (--location), the certificates and the log;
	// empty means a new temporary directory, removed by Stop.
	Dir string
	// ReadyTimeout bounds the wait for the server to listen and create the
	// container; zero means one minute (about a second on an idle machine).
	ReadyTimeout time.Duration
}

// Server is a running azurite-blob on 127.0.0.1.
type Server struct {
	// Endpoint is the Blob service's base URL: http://127.0.0.1:PORT, or
	// https:// in Bearer mode. Blobs are at /devstoreaccount1/container/name.
	Endpoint string
	// Host is 127.0.0.1:PORT (AZURE_STORAGE_DOMAIN).
	Host string
	// Auth is the server's mode.
	Auth Auth
	// Account, Key and Container: where and how to reach it.
	Account, Key, Container string
	// CAFile is the PEM file of the CA that signed the server's
	// certificate (Bearer only; empty for SharedKey).
	CAFile string

	proc   *serverproc.Process
	dir    string
	ownDir bool
	certs  *testca.Files
	tokens *tokenServer
	client *http.Client
}

// Start runs azurite-blob and creates Container. Stop it with Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	entry := opts.Entry
	if entry == "" {
		entry = os.Getenv(EnvEntry)
	}
	if entry == "" {
		return nil, fmt.Errorf("no Azurite: set %s to the path of its azurite-blob entry point (scripts/tool.sh azurite installs it)", EnvEntry)
	}
	if _, err := os.Stat(entry); err != nil {
		return nil, fmt.Errorf("%s: %w", EnvEntry, err)
	}
	node := opts.Node
	if node == "" {
		var err error
		if node, err = exec.LookPath("node"); err != nil {
			return nil, fmt.Errorf("azurite needs node: %w", err)
		}
	}
	timeout := opts.ReadyTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	s := &Server{Auth: opts.Auth, Account: Account, Key: Key, Container: Container, dir: opts.Dir}
	if s.dir == "" {
		d, err := os.MkdirTemp("", "zoho-azurite-")
		if err != nil {
			return nil, err
		}
		s.dir, s.ownDir = d, true
	}
	if err := s.launch(ctx, node, entry, timeout); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

var listening = regexp.MustCompile(`successfully listens on (https?)://(127\.0\.0\.1:\d+)`)

func (s *Server) launch(ctx context.Context, node, entry string, timeout time.Duration) error {
	data := filepath.Join(s.dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	// --blobPort 0: the system picks a free port, and Azurite prints it.
	args := []string{entry, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", data,
		"--silent", "--skipApiVersionCheck", "--disableTelemetry"}
	s.client = &http.Client{Timeout: 10 * time.Second}
	if s.Auth == Bearer {
		certs, err := testca.Write(s.dir, "zoho test CA (azurite)")
		if err != nil {
			return err
		}
		s.certs, s.CAFile = certs, certs.CA
		args = append(args, "--oauth", "basic", "--cert", certs.Cert, "--key", certs.Key)
		s.client.Transport = &http.Transport{TLSClientConfig: s.TLSConfig()}
		if s.tokens, err = startTokenServer(); err != nil {
			return err
		}
	}
	addr := make(chan []string, 1)
	cmd := exec.Command(node, args...)
	cmd.Env = serverproc.Environ("AZURITE_") // AZURITE_ACCOUNTS would replace the well-known account
	var err error
	s.proc, err = serverproc.Start("azurite", cmd, filepath.Join(s.dir, "azurite.log"), func(line string) {
		if m := listening.FindStringSubmatch(line); m != nil {
			select {
			case addr <- m:
			default:
			}
		}
	})
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case m := <-addr:
		s.Host = m[2]
		s.Endpoint = m[1] + "://" + m[2]
	case <-s.proc.Exited():
		return fmt.Errorf("azurite exited before it listened\n%s", s.proc.LogTail())
	case <-ctx.Done():
		return fmt.Errorf("azurite did not listen within %s\n%s", timeout, s.proc.LogTail())
	}
	if want := map[Auth]string{SharedKey: "http://", Bearer: "https://"}[s.Auth]; !strings.HasPrefix(s.Endpoint, want) {
		return fmt.Errorf("azurite listens on %s, want %s", s.Endpoint, want)
	}
	return s.proc.Poll(ctx, timeout, 100*time.Millisecond, "create a container", func(ctx context.Context) error {
		return s.createContainer(ctx, s.Container)
	})
}

// TLSConfig trusts the server's CA (Bearer), for in-process clients that
// can take a *tls.Config; nil for SharedKey.
func (s *Server) TLSConfig() *tls.Config {
	if s.certs == nil {
		return nil
	}
	return s.certs.ClientConfig()
}

// Client is an HTTP client for the server (trusting its CA in Bearer
// mode), for tests that look at the container directly.
func (s *Server) Client() *http.Client { return s.client }

// Do sends req to the server, signed with the account's shared key (which
// Azurite takes in both modes), with x-ms-version and x-ms-date set.
func (s *Server) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("x-ms-version", "2020-10-02")
	req.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Authorization", "SharedKey "+s.Account+":"+signSharedKey(s.Account, s.Key, req))
	return s.client.Do(req)
}

// BlobURL is the URL of a blob in the container.
func (s *Server) BlobURL(name string) string {
	return s.Endpoint + "/" + s.Account + "/" + s.Container + "/" + name
}

func (s *Server) createContainer(ctx context.Context, name string) error {
	attempt, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(attempt, http.MethodPut, s.Endpoint+"/"+s.Account+"/"+name+"?restype=container", http.NoBody)
	if err != nil {
		return err
	}
	resp, err := s.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusCreated && resp.Header.Get("x-ms-error-code") != "ContainerAlreadyExists" {
		return fmt.Errorf("create container %s: HTTP %d %s", name, resp.StatusCode, bytes.TrimSpace(body))
	}
	return nil
}

// signSharedKey signs req for the Blob service's Shared Key scheme, as
// learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
// describes (written apart from the azblob:// store's signer, so that a
// shared mistake is less likely; Azurite checks both).
func signSharedKey(account, key string, req *http.Request) string {
	h := req.Header
	length := h.Get("Content-Length")
	if length == "" && req.ContentLength > 0 {
		length = fmt.Sprint(req.ContentLength)
	}
	if length == "0" {
		length = ""
	}
	lines := []string{req.Method, h.Get("Content-Encoding"), h.Get("Content-Language"), length,
		h.Get("Content-MD5"), h.Get("Content-Type"), h.Get("Date"), h.Get("If-Modified-Since"),
		h.Get("If-Match"), h.Get("If-None-Match"), h.Get("If-Unmodified-Since"), h.Get("Range")}
	var names []string
	for name := range h {
		if n := strings.ToLower(name); strings.HasPrefix(n, "x-ms-") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var canon strings.Builder
	for _, n := range names {
		canon.WriteString(n + ":" + strings.TrimSpace(h.Get(n)) + "\n")
	}
	resource := "/" + account + req.URL.EscapedPath()
	q := req.URL.Query()
	params := make([]string, 0, len(q))
	for k := range q {
		params = append(params, k)
	}
	sort.Strings(params)
	for _, k := range params {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		resource += "\n" + strings.ToLower(k) + ":" + strings.Join(vs, ",")
	}
	toSign := strings.Join(lines, "\n") + "\n" + canon.String() + resource
	k, _ := base64.StdEncoding.DecodeString(key)
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// URL returns the token_cache_url for blobs under prefix ("" for the
// container's root); the account and the endpoint come from Env.
func (s *Server) URL(prefix string) string {
	u := url.URL{Scheme: "azblob", Host: s.Container, Path: "/" + strings.Trim(prefix, "/")}
	return strings.TrimSuffix(u.String(), "/")
}

// Env returns the environment a process needs to reach the server with
// the azblob:// store (see openAzure in internal/zoho/objectstore): the
// local-emulator switch, domain and protocol, and the credential: the
// account key (SharedKey), or the managed identity endpoint and the CA
// (Bearer). Unset lists what must also be absent.
func (s *Server) Env() []string {
	env := []string{
		"AZURE_STORAGE_ACCOUNT=" + s.Account,
		"AZURE_STORAGE_IS_LOCAL_EMULATOR=true",
		"AZURE_STORAGE_DOMAIN=" + s.Host,
	}
	if s.Auth == SharedKey {
		return append(env, "AZURE_STORAGE_PROTOCOL=http", "AZURE_STORAGE_KEY="+s.Key)
	}
	return append(env,
		"AZURE_STORAGE_PROTOCOL=https",
		"IDENTITY_ENDPOINT="+s.tokens.endpoint(),
		"IDENTITY_HEADER="+s.tokens.secret,
		"SSL_CERT_FILE="+s.CAFile,
	)
}

// Unset lists the variables that must be absent from a client's
// environment for Env to mean what it says: other Azure Storage
// credentials, and (Bearer) every source DefaultAzureCredential would try
// before or instead of App Service's managed identity.
// AZURE_TOKEN_CREDENTIALS must be unset, not empty: azidentity refuses an
// empty value.
func (s *Server) Unset() []string {
	names := []string{"AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGEBLOB_CONNECTIONSTRING"}
	if s.Auth == SharedKey {
		return names
	}
	return append(names, "AZURE_STORAGE_KEY", "AZURE_TOKEN_CREDENTIALS",
		// EnvironmentCredential
		"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
		"AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_AUTHORITY_HOST",
		// WorkloadIdentityCredential
		"AZURE_FEDERATED_TOKEN_FILE",
		// managed identity sources other than App Service's
		"IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT",
		// certificates: SSL_CERT_FILE alone names the roots
		"SSL_CERT_DIR",
	)
}

// Environ returns base without the variables Env sets or Unset names,
// followed by Env: the environment of a client process.
func (s *Server) Environ(base []string) []string {
	drop := map[string]bool{}
	for _, k := range s.Unset() {
		drop[k] = true
	}
	for _, kv := range s.Env() {
		k, _, _ := strings.Cut(kv, "=")
		drop[k] = true
	}
	var env []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	return append(env, s.Env()...)
}

// Setenv sets Env and removes Unset in the test's environment (so t cannot
// be parallel); both are restored when the test ends. In Bearer mode it
// fails the test: SSL_CERT_FILE set now may be too late for this process
// (see the package doc); run the client in a process of its own.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	if s.Auth == Bearer {
		t.Fatal("azurite: Setenv in Bearer mode: Go reads SSL_CERT_FILE once per process; give a client process Environ(os.Environ()) instead")
	}
	for _, k := range s.Unset() {
		t.Setenv(k, "")
		_ = os.Unsetenv(k)
	}
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// TokenRequests returns how many tokens the managed identity endpoint
// issued, how many requests it refused, and the resources asked for.
func (s *Server) TokenRequests() (issued, refused int, resources []string) {
	if s.tokens == nil {
		return 0, 0, nil
	}
	return s.tokens.counts()
}

// Stop ends the server (SIGTERM, then SIGKILL after 10 s) and the token
// endpoint, and removes the directory if Start made it.
func (s *Server) Stop() error {
	if s.proc != nil {
		s.proc.Stop(10 * time.Second)
	}
	if s.tokens != nil {
		s.tokens.close()
	}
	if s.ownDir {
		_ = os.RemoveAll(s.dir)
	}
	return nil
}

// New starts a server for the test and stops it when the test ends.
// Without ZOHO_TEST_AZURITE the test is skipped, or fails under TF_ACC
// (make test installs Azurite and sets it).
func New(t testing.TB, auth Auth) *Server {
	t.Helper()
	serverproc.Require(t, EnvEntry, "Azurite tests", "Azurite's azurite-blob entry point: "+EnvEntry+"=$(scripts/tool.sh azurite)")
	t0 := time.Now()
	s, err := Start(context.Background(), Options{Auth: auth})
	if err != nil {
		t.Fatalf("start Azurite (%s): %v", auth, err)
	}
	t.Logf("Azurite (%s) ready at %s in %v", auth, s.Endpoint, time.Since(t0).Round(time.Millisecond))
	t.Cleanup(func() { _ = s.Stop() })
	return s
}
