package objectstore

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// azureVersion is the Blob service REST version sent with every request:
// old enough for every Azure cloud and Azurite, new enough for bearer
// tokens (2017-11-09).
const azureVersion = "2020-10-02"

// azureScope is the OAuth scope of Azure Storage.
const azureScope = "https://storage.azure.com/.default"

// azureAPI speaks the Blob service REST API: Get Blob, Put Blob of a block
// blob (with If-None-Match: * to create only where nothing is) and Delete
// Blob, each one request, authorized by one of the credentials below.
type azureAPI struct {
	client    *http.Client
	container url.URL // https://account.blob.core.windows.net/container (or the emulator's /account/container)
	sas       url.Values
	account   string
	key       []byte       // shared key, decoded
	token     *azureTokens // else a bearer token
}

// openAzure builds the service URL and picks the credential from the
// environment as gocloud's azureblob did before (AZURE_STORAGE_ACCOUNT
// with AZURE_STORAGE_KEY, else AZURE_STORAGE_SAS_TOKEN, else azidentity's
// DefaultAzureCredential), with the URL's storage_account and domain on top.
// It sends no request: a credential that does not work shows in the first.
func openAzure(loc *Location, opts Options) (*objectStore, error) {
	where := loc.String()
	fail := func(msg string) (*objectStore, error) {
		return nil, newError("open", "", where, nil, errors.New(msg))
	}
	account := loc.account
	if account == "" {
		account = os.Getenv("AZURE_STORAGE_ACCOUNT")
	}
	if account == "" {
		return fail("no Azure storage account: add ?storage_account=NAME to token_cache_url or set AZURE_STORAGE_ACCOUNT")
	}
	if !accountName.MatchString(account) {
		return fail("AZURE_STORAGE_ACCOUNT is not a storage account name (3 to 24 lower-case letters and digits)")
	}
	domain := loc.domain
	if domain == "" {
		domain = strings.ToLower(os.Getenv("AZURE_STORAGE_DOMAIN"))
	}
	if domain == "" {
		domain = "blob.core.windows.net"
	}
	protocol := strings.ToLower(os.Getenv("AZURE_STORAGE_PROTOCOL"))
	if protocol == "" {
		protocol = "https"
	}
	emulator, _ := strconv.ParseBool(os.Getenv("AZURE_STORAGE_IS_LOCAL_EMULATOR"))
	api := &azureAPI{client: newHTTPClient(opts), account: account}
	switch {
	case emulator:
		// Azurite's path style, http or https on this machine only.
		host, _, err := net.SplitHostPort(domain)
		if err != nil {
			host = domain
		}
		if !isLoopback(host) || protocol != "http" && protocol != "https" {
			return fail("AZURE_STORAGE_IS_LOCAL_EMULATOR needs AZURE_STORAGE_DOMAIN on a loopback address (127.0.0.1:10000) and AZURE_STORAGE_PROTOCOL http or https")
		}
		api.container = url.URL{Scheme: protocol, Host: domain, Path: "/" + account + "/" + loc.bucket}
	case protocol != "https":
		return fail("AZURE_STORAGE_PROTOCOL http is only for a local emulator (AZURE_STORAGE_IS_LOCAL_EMULATOR=true)")
	case !azureDomains[domain]:
		return fail("AZURE_STORAGE_DOMAIN is not an Azure cloud's blob domain: use one of " + strings.Join(sortedKeys(azureDomains), ", "))
	default:
		api.container = url.URL{Scheme: "https", Host: account + "." + domain, Path: "/" + loc.bucket}
	}

	switch key, sas := os.Getenv("AZURE_STORAGE_KEY"), os.Getenv("AZURE_STORAGE_SAS_TOKEN"); {
	case key != "" && os.Getenv("AZURE_STORAGE_ACCOUNT") != "":
		k, err := base64.StdEncoding.DecodeString(key)
		if err != nil || len(k) == 0 {
			return fail("AZURE_STORAGE_KEY is not a base64 account key")
		}
		api.key = k
	case sas != "":
		q, err := url.ParseQuery(strings.TrimPrefix(sas, "?"))
		if err != nil || q.Get("sig") == "" {
			return fail("AZURE_STORAGE_SAS_TOKEN is not a SAS token (sv=...&sig=...)")
		}
		api.sas = q
	default:
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, newError("open", "", where, nil, err)
		}
		api.token = &azureTokens{cred: cred}
	}
	return newObjectStore(api, loc), nil
}

func (a *azureAPI) get(ctx context.Context, key string, limit int64) (tokencache.Object, error) {
	resp, err := a.do(ctx, http.MethodGet, key, nil, nil)
	if err != nil {
		return tokencache.Object{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return tokencache.Object{}, azureFailure(resp, false)
	}
	return objectOf(resp, limit)
}

func (a *azureAPI) put(ctx context.Context, key string, data []byte, ifAbsent bool) error {
	h := http.Header{"X-Ms-Blob-Type": {"BlockBlob"}, "Content-Type": {"application/octet-stream"}}
	if ifAbsent {
		h.Set("If-None-Match", "*")
	}
	resp, err := a.do(ctx, http.MethodPut, key, h, data)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusCreated {
		return azureFailure(resp, ifAbsent)
	}
	return nil
}

func (a *azureAPI) remove(ctx context.Context, key string) error {
	resp, err := a.do(ctx, http.MethodDelete, key, nil, nil)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusAccepted {
		return azureFailure(resp, false)
	}
	return nil
}

func (a *azureAPI) do(ctx context.Context, method, key string, h http.Header, body []byte) (*http.Response, error) {
	u := a.container
	u.Path += "/" + key // names and prefixes need no escaping
	if a.sas != nil {
		u.RawQuery = a.sas.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if method != http.MethodPut {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("X-Ms-Version", azureVersion)
	req.Header.Set("X-Ms-Date", time.Now().UTC().Format(http.TimeFormat))
	switch {
	case a.key != nil:
		req.Header.Set("Authorization", "SharedKey "+a.account+":"+sharedKeySignature(a.account, a.key, req))
	case a.token != nil:
		tok, err := a.token.get(ctx)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return a.client.Do(req)
}

// sharedKeySignature signs req for the Blob service's Shared Key scheme
// (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key):
// the standard headers in a fixed order, the x-ms- headers sorted, then
// the account and path, and the query parameters sorted.
func sharedKeySignature(account string, key []byte, req *http.Request) string {
	length := ""
	if req.ContentLength > 0 {
		length = strconv.FormatInt(req.ContentLength, 10)
	}
	var b strings.Builder
	b.WriteString(req.Method + "\n")
	for _, h := range []string{"Content-Encoding", "Content-Language", "", "Content-MD5", "Content-Type", "Date",
		"If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"} {
		if h == "" {
			b.WriteString(length + "\n")
			continue
		}
		b.WriteString(req.Header.Get(h) + "\n")
	}
	var ms []string
	for k := range req.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-ms-") {
			ms = append(ms, lk)
		}
	}
	sort.Strings(ms)
	for _, k := range ms {
		b.WriteString(k + ":" + strings.TrimSpace(req.Header.Get(k)) + "\n")
	}
	b.WriteString("/" + account + req.URL.EscapedPath())
	q := req.URL.Query()
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := q[k]
		sort.Strings(v)
		b.WriteString("\n" + strings.ToLower(k) + ":" + strings.Join(v, ","))
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// azureTokens caches the bearer token: some of DefaultAzureCredential's
// sources cache none of their own (the Azure CLI is a process per token).
type azureTokens struct {
	cred azcore.TokenCredential
	mu   sync.Mutex
	tok  azcore.AccessToken
}

// get returns a token with more than five minutes to live, fetching a new
// one when needed.
func (t *azureTokens) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok.Token != "" && time.Until(t.tok.ExpiresOn) > 5*time.Minute {
		return t.tok.Token, nil
	}
	tok, err := t.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{azureScope}})
	if err != nil {
		return "", fmt.Errorf("getting an Azure token: %w", err)
	}
	t.tok = tok
	return tok.Token, nil
}

// azureFailure reads the error code (x-ms-error-code, else the XML
// document's Code). Only BlobNotFound is a missing object: a missing
// container is a misconfiguration, not an empty cache. A failed
// If-None-Match is 409 BlobAlreadyExists or 412 ConditionNotMet; a 409
// of another code on a conditional write (a concurrent writer holding the
// blob) is a lost race too.
func azureFailure(resp *http.Response, conditional bool) error {
	code := resp.Header.Get("x-ms-error-code")
	if code == "" {
		body, _ := readLimited(resp.Body, maxErrorBody)
		var doc struct {
			Code string `xml:"Code"`
		}
		if xml.Unmarshal(body, &doc) == nil {
			code = doc.Code
		}
	}
	f := &failure{cause: fmt.Errorf("HTTP %d", resp.StatusCode)}
	if code != "" {
		f.cause = fmt.Errorf("HTTP %d %s", resp.StatusCode, code)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound && code == "BlobNotFound":
		f.kind = tokencache.ErrNotExist
	case conditional && (resp.StatusCode == http.StatusPreconditionFailed || resp.StatusCode == http.StatusConflict):
		f.kind = tokencache.ErrExist
	}
	return f
}
