package zohotest

import (
	"net/http"
	"strings"
)

// TokenPath is Zoho's token endpoint, where every grant is asked for.
const TokenPath = "/oauth/v2/token"

// Paths served by every data center's host.
const (
	pathToken     = TokenPath
	pathRevoke    = "/oauth/v2/token/revoke"
	pathAPIUser   = "/crm/v8/users" // the "protected API" (CRM's current user)
	pathIssueCode = adminPrefix + "self-client/code"
	// adminPrefix marks the emulator's own endpoints, which Zoho does not
	// have, so nobody mistakes them for Zoho's.
	adminPrefix = "/_emulator/"
)

// dcHandler is the accounts host of one data center. All DCs share the
// emulator's state; isolation comes from every record naming its DC.
type dcHandler struct {
	e  *Emulator
	dc string
}

// ServeHTTP records the request, counts it, applies an injected fault if
// one matches, and otherwise routes it. Recording and counting come first so
// that tests see faulted requests too.
func (h *dcHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := parseParams(w, r)
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	h.e.recordRequest(r, body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, describedError{Error: errInvalidRequest, Description: "unreadable request body"})
		return
	}
	serve := h.route(r.URL.Path)
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		serve(w, r) // test hooks are neither counted nor faulted
		return
	}
	grantType := r.Form.Get("grant_type")
	h.e.countArrival(r.Method, r.URL.Path, grantType)
	if f, ok := h.e.takeFault(r.URL.Path, grantType); ok {
		applyFault(w, r, f, serve)
		return
	}
	serve(w, r)
}

func (h *dcHandler) route(path string) http.HandlerFunc {
	switch path {
	case pathToken:
		return h.serveToken
	case pathRevoke:
		return h.serveRevoke
	case pathAPIUser:
		return h.serveCurrentUser
	case pathIssueCode:
		return h.serveIssueCode
	}
	if strings.HasPrefix(path, pathAPIUser+"/") {
		return h.serveUser
	}
	return serveNotFound
}
