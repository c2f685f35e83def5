package zohotest

import (
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The "protected API" is CRM's GET /crm/v8/users?type=CurrentUser, the call
// Zoho's own SDK makes after minting to learn who the token belongs to. It
// lets tests prove that a token works, or that Zoho silently killed it.
// Every type answers the current user: nothing here needs the others.

// apiError is CRM's error shape for a token it does not accept.
type apiError struct {
	Code    string   `json:"code"`
	Details struct{} `json:"details"`
	Message string   `json:"message"`
	Status  string   `json:"status"`
}

var (
	invalidTokenError = apiError{Code: "INVALID_TOKEN", Message: "invalid oauth token", Status: "error"}
	noSuchRecordError = apiError{Code: "INVALID_DATA", Message: "the related id given seems to be invalid", Status: "error"}
)

type usersBody struct {
	Users []apiUser `json:"users"`
}

type apiUser struct {
	ID       string `json:"id"`
	FullName string `json:"full_name"`
	Email    string `json:"email"`
	Status   string `json:"status"`
}

func (h *dcHandler) serveCurrentUser(w http.ResponseWriter, r *http.Request) {
	h.serveUserMatching(w, r, func(string) bool { return true })
}

// serveUser is GET /crm/v8/users/{id}: the current user again when the id is
// theirs (generic REST clients, such as Terraform's restapi provider, read an
// object back by id after finding it), CRM's "no such record" otherwise.
func (h *dcHandler) serveUser(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, pathAPIUser+"/")
	h.serveUserMatching(w, r, func(userID string) bool { return id == numericUserID(userID) })
}

func (h *dcHandler) serveUserMatching(w http.ResponseWriter, r *http.Request, match func(userID string) bool) {
	if r.Method != http.MethodGet {
		writeMethodNotAllowed(w, http.MethodGet)
		return
	}
	now := h.e.now()
	userID, ok := h.e.tokenOwner(h.dc, accessTokenFromHeader(r.Header.Get("Authorization")), now)
	switch {
	case !ok:
		writeJSON(w, http.StatusUnauthorized, invalidTokenError)
	case !match(userID):
		writeJSON(w, http.StatusNotFound, noSuchRecordError)
	default:
		writeJSON(w, http.StatusOK, usersBody{Users: []apiUser{{
			ID:       numericUserID(userID),
			FullName: "Emulated User",
			Email:    userID + "@example.com",
			Status:   "active",
		}}})
	}
}

// RequireToken guards h as the protected API is guarded: a request without
// a live access token issued by dc gets CRM's 401 INVALID_TOKEN answer, and
// the others reach h. Both count as API calls. Tests build on it the APIs
// the emulator lacks (a body echo, a stream, a hang) with Zoho's token
// rules. It panics on an unknown data center.
func (e *Emulator) RequireToken(dc string, h http.Handler) http.Handler {
	mustKnowDataCenter(dc)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := e.now()
		e.countAPICall()
		if _, ok := e.tokenOwner(dc, accessTokenFromHeader(r.Header.Get("Authorization")), now); !ok {
			writeJSON(w, http.StatusUnauthorized, invalidTokenError)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// accessTokenFromHeader accepts both schemes Zoho documents,
// "Zoho-oauthtoken" (what its SDKs send) and "Bearer"; scheme names are
// case-insensitive in HTTP.
func accessTokenFromHeader(header string) string {
	for _, scheme := range []string{"Zoho-oauthtoken ", "Bearer "} {
		if len(header) > len(scheme) && strings.EqualFold(header[:len(scheme)], scheme) {
			return strings.TrimSpace(header[len(scheme):])
		}
	}
	return ""
}

// tokenOwner returns the user behind a live access token issued by dc. A
// token from another DC fails like an unknown one: Zoho's API hosts of other
// DCs do not know it either.
func (e *Emulator) tokenOwner(dc, token string, now time.Time) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	at := e.liveAccessToken(token, now)
	if at == nil || at.dc != dc {
		return "", false
	}
	return at.userID, true
}

// numericUserID turns a user name into a stable 19-digit id shaped like
// Zoho's CRM user ids.
func numericUserID(userID string) string {
	sum := sha256.Sum256([]byte(userID))
	n := binary.BigEndian.Uint64(sum[:8]) % 1_000_000_000_000_000_000
	return strconv.FormatUint(1_000_000_000_000_000_000+n, 10)
}
