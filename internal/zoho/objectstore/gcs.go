package objectstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
)

// gcsScope is the OAuth scope the three object calls need.
const gcsScope = "https://www.googleapis.com/auth/devstorage.read_write"

// gcsAPI speaks the Cloud Storage JSON API: a media download, a media
// upload (with ifGenerationMatch=0 to create only where nothing is) and a
// DELETE, each one request with a bearer token from Application Default
// Credentials.
type gcsAPI struct {
	client *http.Client
	base   url.URL            // https://storage.googleapis.com, or the emulator
	bucket string             // validated by Parse: no character to escape
	token  oauth2.TokenSource // nil for an emulator
}

// openGCS finds Application Default Credentials now (GOOGLE_APPLICATION_
// CREDENTIALS, gcloud's well-known file, the metadata server), so a
// machine without any gets an error at Open rather than on every request.
// STORAGE_EMULATOR_HOST, the Google libraries' own switch to an emulator,
// needs none.
func openGCS(ctx context.Context, loc *Location, opts Options) (*objectStore, error) {
	api := &gcsAPI{client: newHTTPClient(opts), base: url.URL{Scheme: "https", Host: "storage.googleapis.com"}, bucket: loc.bucket}
	if host := os.Getenv("STORAGE_EMULATOR_HOST"); host != "" {
		// host:port, as Google's libraries take it, or a URL.
		if !strings.Contains(host, "://") {
			host = "http://" + host
		}
		u, err := url.Parse(host)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, newError("open", "", loc.String(), nil, errors.New("STORAGE_EMULATOR_HOST is not a host:port or an http(s) URL"))
		}
		api.base = url.URL{Scheme: u.Scheme, Host: u.Host}
	} else {
		// The search may ask the metadata server, and takes ctx for every
		// later token fetch too: ctx never ends, so bound the search here.
		creds, err := withinTimeout(opts.timeout(), func() (*google.Credentials, error) {
			return google.FindDefaultCredentials(ctx, gcsScope)
		})
		if err != nil {
			return nil, newError("open", "", loc.String(), nil, err)
		}
		api.token = creds.TokenSource
	}
	return newObjectStore(api, loc), nil
}

// objectURL is the JSON API's URL of an object: the key is one path
// segment, its slashes escaped.
func (g *gcsAPI) objectURL(key string) *url.URL {
	path := "/storage/v1/b/" + g.bucket + "/o/"
	u := g.base
	u.Path = path + key
	u.RawPath = path + url.PathEscape(key)
	return &u
}

func (g *gcsAPI) get(ctx context.Context, key string, limit int64) (tokencache.Object, error) {
	u := g.objectURL(key)
	u.RawQuery = "alt=media"
	resp, err := g.do(ctx, http.MethodGet, u, nil)
	if err != nil {
		return tokencache.Object{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return tokencache.Object{}, gcsFailure(resp, false, false)
	}
	return objectOf(resp, limit)
}

func (g *gcsAPI) put(ctx context.Context, key string, data []byte, ifAbsent bool) error {
	u := g.base
	u.Path = "/upload/storage/v1/b/" + g.bucket + "/o"
	q := url.Values{"uploadType": {"media"}, "name": {key}}
	if ifAbsent {
		// Generation 0 is "no live object": the upload fails with 412
		// where one exists, in the same atomic step.
		q.Set("ifGenerationMatch", "0")
	}
	u.RawQuery = q.Encode()
	resp, err := g.do(ctx, http.MethodPost, &u, data)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return gcsFailure(resp, true, ifAbsent)
	}
	return nil
}

func (g *gcsAPI) remove(ctx context.Context, key string) error {
	resp, err := g.do(ctx, http.MethodDelete, g.objectURL(key), nil)
	if err != nil {
		return err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return gcsFailure(resp, false, false)
	}
	return nil
}

func (g *gcsAPI) do(ctx context.Context, method string, u *url.URL, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	} else {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	if g.token != nil {
		// The token source may fetch a token (from the metadata server or
		// Google's token endpoint) and takes no context: bound it by ctx.
		tok, err := within(ctx, g.token.Token)
		if err != nil {
			return nil, fmt.Errorf("getting a Google token: %w", err)
		}
		tok.SetAuthHeader(req)
	}
	return g.client.Do(req)
}

// gcsFailure reads the JSON API's error document. A 404 is a missing
// object unless Cloud Storage says the bucket is missing (that is a
// misconfiguration, not an empty cache) or it answers an upload, which
// has no object to miss: only the bucket can be. A 412 on a conditional
// upload is a lost race, and so is a 409 (a conflicting write of the same
// object).
func gcsFailure(resp *http.Response, upload, conditional bool) error {
	body, _ := readLimited(resp.Body, maxErrorBody)
	var doc struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &doc) == nil {
		msg = doc.Error.Message
	}
	f := &failure{cause: fmt.Errorf("HTTP %d", resp.StatusCode)}
	if msg != "" {
		f.cause = fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound && !upload && !strings.Contains(strings.ToLower(msg), "bucket does not exist"):
		f.kind = tokencache.ErrNotExist
	case conditional && (resp.StatusCode == http.StatusPreconditionFailed || resp.StatusCode == http.StatusConflict):
		f.kind = tokencache.ErrExist
	}
	return f
}
