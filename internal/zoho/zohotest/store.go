package zohotest

import (
	"slices"
	"time"
)

// Every credential is bound to the client and the data center that issued
// it: Zoho's data centers share nothing, so a token presented at another
// DC's host is simply unknown there.

type codeRecord struct {
	clientID    string
	dc          string
	redirectURI string // "" for Self Client codes
	scopes      []string
	expiresAt   time.Time
}

type refreshRecord struct {
	clientID string
	userID   string
	dc       string
	scopes   []string
	// accessTokens minted from this refresh token, oldest first. Dead ones
	// (expired, revoked) linger until the next mint prunes them.
	accessTokens []string
}

type accessRecord struct {
	clientID     string
	userID       string
	dc           string
	refreshToken string // "" for client_credentials and online code exchanges
	expiresAt    time.Time
}

// ownerKey scopes RefreshTokenCap: Zoho keeps 20 refresh tokens per user
// per client.
type ownerKey struct{ userID, clientID string }

// newRefreshToken creates a refresh token for c at dc and evicts the
// owner's oldest ones beyond RefreshTokenCap, whether or not they are still
// in use (as Zoho does).
func (e *Emulator) newRefreshToken(c *clientRecord, dc string, scopes []string) string {
	token := newToken()
	e.refreshTokens[token] = &refreshRecord{
		clientID: c.ID,
		userID:   c.UserID,
		dc:       dc,
		scopes:   slices.Clone(scopes),
	}
	key := ownerKey{c.UserID, c.ID}
	e.refreshOrder[key] = append(e.refreshOrder[key], token)
	for len(e.refreshOrder[key]) > e.opts.RefreshTokenCap {
		e.deleteRefreshToken(e.refreshOrder[key][0])
	}
	return token
}

// deleteRefreshToken removes a refresh token and every access token minted
// from it (revocation and eviction both cascade).
func (e *Emulator) deleteRefreshToken(token string) {
	rt := e.refreshTokens[token]
	if rt == nil {
		return
	}
	for _, at := range rt.accessTokens {
		delete(e.accessTokens, at)
	}
	delete(e.refreshTokens, token)
	key := ownerKey{rt.userID, rt.clientID}
	e.refreshOrder[key] = slices.DeleteFunc(e.refreshOrder[key], func(t string) bool { return t == token })
}

// mintAccessToken creates an access token for c at dc, child of
// refreshToken when that is not "". It is the only place tokens are minted,
// so Counters.Mints counts here.
func (e *Emulator) mintAccessToken(c *clientRecord, dc, refreshToken string, now time.Time) string {
	token := newToken()
	e.accessTokens[token] = &accessRecord{
		clientID:     c.ID,
		userID:       c.UserID,
		dc:           dc,
		refreshToken: refreshToken,
		expiresAt:    now.Add(e.opts.AccessTokenTTL),
	}
	e.stats.Mints++
	if rt := e.refreshTokens[refreshToken]; rt != nil {
		e.attachAccessToken(rt, token, now)
		// Every child left after attachAccessToken is live: the dead
		// ones were just pruned.
		e.stats.peakLive[refreshToken] = max(e.stats.peakLive[refreshToken], len(rt.accessTokens))
	}
	return token
}

// attachAccessToken records a new child of rt and silently invalidates the
// oldest live ones beyond LiveAccessTokenCap, as Zoho does.
func (e *Emulator) attachAccessToken(rt *refreshRecord, token string, now time.Time) {
	rt.accessTokens = e.pruneDeadAccessTokens(rt.accessTokens, now)
	rt.accessTokens = append(rt.accessTokens, token)
	for len(rt.accessTokens) > e.opts.LiveAccessTokenCap {
		delete(e.accessTokens, rt.accessTokens[0])
		rt.accessTokens = rt.accessTokens[1:]
		e.stats.CapEvictions++
	}
}

// pruneDeadAccessTokens drops expired and deleted tokens from a list (and
// expired ones from the store): they no longer occupy a live slot.
func (e *Emulator) pruneDeadAccessTokens(tokens []string, now time.Time) []string {
	return slices.DeleteFunc(tokens, func(t string) bool {
		if e.liveAccessToken(t, now) != nil {
			return false
		}
		delete(e.accessTokens, t)
		return true
	})
}

// liveAccessToken returns the record of an unexpired, unrevoked access
// token, or nil.
func (e *Emulator) liveAccessToken(token string, now time.Time) *accessRecord {
	at := e.accessTokens[token]
	if at == nil || !now.Before(at.expiresAt) {
		return nil
	}
	return at
}

// countLiveAccessTokens counts the live children of a refresh token.
func (e *Emulator) countLiveAccessTokens(rt *refreshRecord, now time.Time) int {
	n := 0
	for _, t := range rt.accessTokens {
		if e.liveAccessToken(t, now) != nil {
			n++
		}
	}
	return n
}
