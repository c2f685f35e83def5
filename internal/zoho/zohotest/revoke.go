package zohotest

import (
	"net/http"
	"time"
)

// statusBody is Zoho's revoke success: {"status":"success"}.
type statusBody struct {
	Status string `json:"status"`
}

// revokeFailure answers a token that cannot be revoked. Zoho documents only
// the HTTP 400, not the body; this body (an RFC 7009 code in Zoho's
// status/error style) is the emulator's guess, so clients must rely on the
// status alone.
type revokeFailure struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

// serveRevoke is POST /oauth/v2/token/revoke. It takes only "token", from
// the query string (as Zoho's docs show) or the body (as its SDKs send):
// the classic endpoint has no client authentication.
func (h *dcHandler) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeMethodNotAllowed(w, http.MethodPost)
		return
	}
	now := h.e.now()
	h.e.revoke(h.dc, r.Form.Get("token"), now).write(w)
}

// revoke deletes a live refresh token (with all its access tokens) or a live
// access token issued by dc. Anything else, including a token revoked
// before, is invalid: HTTP 400.
func (e *Emulator) revoke(dc, token string, now time.Time) answer {
	e.mu.Lock()
	defer e.mu.Unlock()
	if rt := e.refreshTokens[token]; rt != nil && rt.dc == dc {
		e.deleteRefreshToken(token)
		return e.revoked()
	}
	if at := e.liveAccessToken(token, now); at != nil && at.dc == dc {
		delete(e.accessTokens, token)
		return e.revoked()
	}
	return answer{status: http.StatusBadRequest, body: revokeFailure{Status: "failure", Error: errInvalidToken}}
}

// revoked counts a successful revocation (the named token; the access
// tokens that die with a refresh token are not counted) and answers it.
func (e *Emulator) revoked() answer {
	e.stats.Revoked++
	return answer{status: http.StatusOK, body: statusBody{Status: "success"}}
}
