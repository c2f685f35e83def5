package zohotest

import (
	"slices"
	"time"
)

// Client is an OAuth client as registered in Zoho's API Console.
type Client struct {
	ID, Secret   string   // generated in Zoho's formats when empty: id "1000." + 30 upper-case alphanumerics, secret 42 lower-case hex
	DC           string   // default "us"
	UserID       string   // default "user-1"; owner of tokens issued for this client
	RedirectURIs []string // server-based client; empty = Self Client
	Orgs         []string // soid values allowed for client_credentials; more than one means soid is required (missing_org_info)
	// MultiDC lets the client authenticate in every data center (codes and
	// tokens stay bound to the DC that issued them). Zoho offers this only to
	// server-based clients; the emulator does not enforce that.
	MultiDC bool
}

const defaultUserID = "user-1"

func (c Client) withDefaults() Client {
	if c.ID == "" {
		c.ID = newClientID()
	}
	if c.Secret == "" {
		c.Secret = newClientSecret()
	}
	if c.DC == "" {
		c.DC = "us"
	}
	if c.UserID == "" {
		c.UserID = defaultUserID
	}
	return c
}

// clone copies the slices so that neither the caller nor the emulator can
// change the other's view of a client afterwards.
func (c Client) clone() Client {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.Orgs = slices.Clone(c.Orgs)
	return c
}

// selfClient reports whether this is a Self Client, the kind without
// redirect URIs whose codes come from the API Console.
func (c Client) selfClient() bool { return len(c.RedirectURIs) == 0 }

// servesDC reports whether the client may authenticate at dc's accounts host.
func (c Client) servesDC(dc string) bool { return c.MultiDC || c.DC == dc }

// clientRecord is a registered client plus what the emulator tracks about it.
type clientRecord struct {
	Client
	codeIssues []time.Time // when grant codes were issued, for CodeIssueLimit
}

// RegisterClient adds (or replaces) a client and returns it with its
// defaults filled in, so a test learns the generated id and secret. It
// panics on an unknown data center.
func (e *Emulator) RegisterClient(c Client) Client {
	c = c.withDefaults().clone()
	mustKnowDataCenter(c.DC)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clients[c.ID] = &clientRecord{Client: c}
	return c.clone()
}

// CodeOptions describes a grant code to issue.
type CodeOptions struct {
	Scopes      []string
	TTL         time.Duration // 0 = Options.CodeTTL
	RedirectURI string        // for server-based clients; "" = the first registered one
	// DC is the data center issuing the code; "" = the client's own. Another
	// DC is allowed only for a MultiDC client.
	DC string
}

// IssueGrantCode issues a grant code as the API Console's "Generate Code"
// button does. It fails with an *AccountsError: "invalid_client" for an
// unknown client (or a DC it cannot use), "invalid_redirect_uri" for an
// unregistered redirect URI, and "access_denied" past CodeIssueLimit codes
// per client in 10 minutes.
func (e *Emulator) IssueGrantCode(clientID string, opts CodeOptions) (string, error) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.issueGrantCode(clientID, opts, now)
}

func (e *Emulator) issueGrantCode(clientID string, opts CodeOptions, now time.Time) (string, error) {
	c := e.clients[clientID]
	if c == nil {
		return "", &AccountsError{Code: errInvalidClient, Description: "no client with that id"}
	}
	dc := opts.DC
	if dc == "" {
		dc = c.DC
	}
	if !c.servesDC(dc) {
		return "", &AccountsError{Code: errInvalidClient, Description: "the client does not exist in data center " + dc}
	}
	redirectURI, err := c.codeRedirectURI(opts.RedirectURI)
	if err != nil {
		return "", err
	}
	if !c.admitCodeIssue(now, e.opts.CodeIssueLimit) {
		return "", &AccountsError{Code: errAccessDenied, Description: "too many grant codes for this client in 10 minutes"}
	}
	ttl := opts.TTL
	if ttl <= 0 {
		ttl = e.opts.CodeTTL
	}
	code := newToken()
	e.codes[code] = &codeRecord{
		clientID:    c.ID,
		dc:          dc,
		redirectURI: redirectURI,
		scopes:      slices.Clone(opts.Scopes),
		expiresAt:   now.Add(ttl),
	}
	return code, nil
}

// codeRedirectURI picks the redirect URI a code is bound to: none for a Self
// Client, else the requested one, which must be registered.
func (c *clientRecord) codeRedirectURI(requested string) (string, error) {
	switch {
	case c.selfClient():
		return "", nil
	case requested == "":
		return c.RedirectURIs[0], nil
	case slices.Contains(c.RedirectURIs, requested):
		return requested, nil
	}
	return "", &AccountsError{Code: errInvalidRedirectURI, Description: "redirect URI not registered for this client"}
}

// admitCodeIssue counts one more grant code if fewer than limit were issued
// in the last codeIssueWindow (a sliding window: Zoho does not say where its
// window starts).
func (c *clientRecord) admitCodeIssue(now time.Time, limit int) bool {
	cutoff := now.Add(-codeIssueWindow)
	c.codeIssues = slices.DeleteFunc(c.codeIssues, func(t time.Time) bool { return !t.After(cutoff) })
	if len(c.codeIssues) >= limit {
		return false
	}
	c.codeIssues = append(c.codeIssues, now)
	return true
}

// IssueRefreshToken creates a refresh token as if a grant code had been
// exchanged earlier, for tests that start from an existing token (import).
// It counts toward RefreshTokenCap like any other.
func (e *Emulator) IssueRefreshToken(clientID string, scopes []string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.clients[clientID]
	if c == nil {
		return "", &AccountsError{Code: errInvalidClient, Description: "no client with that id"}
	}
	return e.newRefreshToken(c, c.DC, scopes), nil
}
