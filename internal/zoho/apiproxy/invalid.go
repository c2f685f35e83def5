package apiproxy

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// maxInspect bounds how much of a 401 is read to recognise Zoho's
// invalid-token answer; Zoho's are under 200 bytes.
const maxInspect = 64 << 10

// invalidToken reports whether resp, a 401, is Zoho's answer to an invalid
// or expired access token (see the package doc for the shapes). The body
// it reads is put back, so resp still delivers every byte upstream sent.
func invalidToken(resp *http.Response) bool {
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		if strings.Contains(strings.ToLower(v), `error="invalid_token"`) {
			return true
		}
	}
	peek, err := io.ReadAll(io.LimitReader(resp.Body, maxInspect+1))
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(peek), resp.Body), resp.Body}
	if err != nil || len(peek) > maxInspect {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "", "identity":
	case "gzip":
		if peek, err = gunzip(peek); err != nil {
			return false
		}
	default:
		return false
	}
	var v any
	if json.Unmarshal(peek, &v) != nil {
		return false
	}
	return saysInvalidToken(v, 0)
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, maxInspect))
}

// Zoho's invalid-token codes and messages, by product: CRM and the other
// zohoapis.* APIs {"code":"INVALID_TOKEN","message":"invalid oauth token"};
// Mail {"data":{"errorCode":"INVALID_OAUTHTOKEN"}}; Projects
// {"error":{"title":"INVALID_OAUTHTOKEN"}} or
// {"error":{"message":"Invalid OAuth access token."}}; Analytics
// {"summary":"INVALID_OAUTHTOKEN"}; Desk {"errorCode":"INVALID_OAUTH"};
// RFC 6750's {"error":"invalid_token"}.
var (
	invalidTokenCodes    = map[string]bool{"INVALID_TOKEN": true, "INVALID_OAUTHTOKEN": true, "INVALID_OAUTH": true}
	invalidTokenMessages = map[string]bool{"invalid oauth token": true, "invalid oauth access token": true}
	codeKeys             = map[string]bool{"code": true, "errorcode": true, "error_code": true, "error": true, "title": true, "summary": true}
	messageKeys          = map[string]bool{"message": true, "description": true, "error_description": true, "errormessage": true}
)

// saysInvalidToken looks for an invalid-token code or message in a JSON
// value, a few levels deep: products nest their error differently.
func saysInvalidToken(v any, depth int) bool {
	if depth > 3 {
		return false
	}
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if saysInvalidToken(e, depth+1) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			k = strings.ToLower(k)
			if s, ok := e.(string); ok {
				if codeKeys[k] && invalidTokenCodes[strings.ToUpper(strings.TrimSpace(s))] ||
					messageKeys[k] && invalidTokenMessages[strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")] {
					return true
				}
			} else if saysInvalidToken(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// invalidateCooldown is how long the proxy waits before invalidating a
// token again when the last token it invalidated was followed by no
// accepted answer: an upstream that refuses every token would otherwise
// mint one per request and exhaust Zoho's ~10 mints per 10 minutes.
const invalidateCooldown = 5 * time.Minute

// invalidations decides which refused tokens are invalidated.
type invalidations struct {
	log LogFunc

	mu   sync.Mutex
	last string // the token invalidated last
	at   time.Time
	// acceptedSince: an answer other than the invalid-token one came
	// after the last invalidation, so tokens do work upstream.
	acceptedSince atomic.Bool
}

// accepted records an answer that was not the invalid-token one.
func (g *invalidations) accepted() {
	if !g.acceptedSince.Load() {
		g.acceptedSince.Store(true)
	}
}

// reject handles upstream's refusal of token: it invalidates it unless that
// was done already (requests in flight with the same token all come back
// refused) or the cooldown holds. It reports whether a request refused with
// token may be sent again with the next one.
func (g *invalidations) reject(ctx context.Context, src TokenSource, token string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if token == g.last {
		return true
	}
	if g.last != "" && !g.acceptedSince.Load() && time.Since(g.at) < invalidateCooldown {
		g.log(ctx, "zoho_api_proxy: upstream refused a fresh access token too; passing its 401 on without minting another", map[string]any{
			"token_fingerprint": zoho.Fingerprint(token), "cooldown": invalidateCooldown.String(),
		})
		return false
	}
	g.last, g.at = token, time.Now()
	g.acceptedSince.Store(false)
	src.Invalidate(ctx, token)
	g.log(ctx, "zoho_api_proxy: upstream refused the access token as invalid; invalidated it", map[string]any{
		"token_fingerprint": zoho.Fingerprint(token),
	})
	return true
}
