package azurite

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Tenant is the Microsoft Entra tenant the tokens name (made up).
const Tenant = "72f988bf-0000-4000-8000-00000000ce11"

// tokenServer plays App Service's managed identity endpoint (the source
// azidentity's ManagedIdentityCredential picks when IDENTITY_ENDPOINT and
// IDENTITY_HEADER are set): GET with X-IDENTITY-HEADER and
// ?api-version=2019-08-01&resource=..., answered with an access token.
// The tokens are unsigned JWTs with what Azurite's "basic" OAuth check
// reads: aud, iss, iat, nbf, exp (it checks no signature).
type tokenServer struct {
	srv    *http.Server
	ln     net.Listener
	secret string // IDENTITY_HEADER

	mu       sync.Mutex
	issued   int
	refused  int
	resource []string
}

func startTokenServer() (*tokenServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	ts := &tokenServer{ln: ln, secret: hex.EncodeToString(b)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /msi/token", ts.token)
	ts.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = ts.srv.Serve(ln) }()
	return ts, nil
}

// endpoint is IDENTITY_ENDPOINT.
func (ts *tokenServer) endpoint() string {
	return "http://" + ts.ln.Addr().String() + "/msi/token"
}

func (ts *tokenServer) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if r.Header.Get("X-IDENTITY-HEADER") != ts.secret || q.Get("api-version") != "2019-08-01" || q.Get("resource") == "" {
		ts.refused++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"wrong identity header, api-version or resource"}`))
		return
	}
	resource := q.Get("resource")
	ts.issued++
	ts.resource = append(ts.resource, resource)
	now := time.Now()
	exp := now.Add(time.Hour)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"access_token": unsignedJWT(resource, now, exp),
		"expires_on":   strconv.FormatInt(exp.Unix(), 10),
		"resource":     resource,
		"token_type":   "Bearer",
	})
}

// counts returns the tokens issued, the requests refused and the
// resources asked for.
func (ts *tokenServer) counts() (int, int, []string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.issued, ts.refused, append([]string(nil), ts.resource...)
}

func (ts *tokenServer) close() { _ = ts.srv.Close() }

// unsignedJWT is an access token for the audience ("alg": "none").
func unsignedJWT(aud string, now, exp time.Time) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(map[string]any{
		"aud": aud,
		"iss": "https://sts.windows.net/" + Tenant + "/",
		"iat": now.Add(-time.Minute).Unix(),
		"nbf": now.Add(-time.Minute).Unix(),
		"exp": exp.Unix(),
		"tid": Tenant,
		"oid": "00000000-0000-4000-8000-00000000a11c",
		"sub": "zoho-test-managed-identity",
	}) + "."
}
