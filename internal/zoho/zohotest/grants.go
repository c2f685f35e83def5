package zohotest

import "slices"

// The three grants. Each runs under the lock, after client authentication.

// exchangeCode is grant_type=authorization_code: a single-use grant code
// becomes a refresh token and a first access token.
func (e *Emulator) exchangeCode(req grantRequest) answer {
	codeValue := req.params.Get("code")
	code := e.codes[codeValue]
	if code == nil || code.clientID != req.client.ID || code.dc != req.dc || !req.now.Before(code.expiresAt) {
		return grantError(errInvalidCode) // unknown, used, expired or someone else's: Zoho does not say which
	}
	// Self Client codes carry no redirect URI and Zoho documents none for
	// their exchange, so only server-based clients are checked.
	if !req.client.selfClient() && req.params.Get("redirect_uri") != code.redirectURI {
		return grantError(errInvalidRedirectURI)
	}
	delete(e.codes, codeValue)
	refreshToken := ""
	if !e.sw.omitRefreshToken {
		refreshToken = e.newRefreshToken(req.client, req.dc, code.scopes)
	}
	accessToken := e.mintAccessToken(req.client, req.dc, refreshToken, req.now)
	return e.tokenAnswer(req.dc, accessToken, refreshToken, code.scopes)
}

// refreshAccessToken is grant_type=refresh_token: a new access token, and
// never a new refresh token (Zoho does not rotate them).
func (e *Emulator) refreshAccessToken(req grantRequest) answer {
	token := req.params.Get("refresh_token")
	rt := e.refreshTokens[token]
	if rt == nil || rt.clientID != req.client.ID || rt.dc != req.dc {
		return grantError(errInvalidCode) // Zoho reuses the grant-code error for refresh tokens
	}
	if !e.mintWindow(refreshWindowKey(token)).admit(req.now, e.opts.MintLimit, e.opts.MintWindow) {
		return e.throttleAnswer()
	}
	e.stats.refreshMints[token]++
	accessToken := e.mintAccessToken(req.client, req.dc, token, req.now)
	return e.tokenAnswer(req.dc, accessToken, "", rt.scopes)
}

// clientCredentials is grant_type=client_credentials, the Self Client's way
// to get an access token for scopes directly, without any refresh token.
func (e *Emulator) clientCredentials(req grantRequest) answer {
	if !req.client.selfClient() {
		return grantError(errUnauthorizedClient)
	}
	scopes := splitScopes(req.params.Get("scope"))
	if len(scopes) == 0 {
		return grantError(errInvalidScope)
	}
	if errCode := checkOrg(req.client.Orgs, req.params.Get("soid")); errCode != "" {
		return grantError(errCode)
	}
	if !e.mintWindow(clientWindowKey(req.client.ID)).admit(req.now, e.opts.MintLimit, e.opts.MintWindow) {
		return e.throttleAnswer()
	}
	e.stats.clientCredentialMints[req.client.ID]++
	accessToken := e.mintAccessToken(req.client, req.dc, "", req.now)
	return e.tokenAnswer(req.dc, accessToken, "", scopes)
}

// checkOrg validates soid: required when the client reaches several
// organizations (Zoho cannot guess which one), and must be one of them.
func checkOrg(orgs []string, soid string) string {
	switch {
	case soid == "" && len(orgs) > 1:
		return errMissingOrgInfo
	case soid != "" && !slices.Contains(orgs, soid):
		return errInvalidClient
	}
	return ""
}
