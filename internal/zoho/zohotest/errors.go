package zohotest

// AccountsError is an error Zoho Accounts would report with this code (for
// example "access_denied" when too many grant codes were generated). The
// emulator's Go methods return it where the API Console would refuse.
type AccountsError struct {
	Code        string
	Description string
}

func (e *AccountsError) Error() string {
	if e.Description == "" {
		return "zoho accounts: " + e.Code
	}
	return "zoho accounts: " + e.Code + ": " + e.Description
}

// Error codes Zoho documents (or public code shows it answering).
const (
	errInvalidClient       = "invalid_client"
	errInvalidClientSecret = "invalid_client_secret"
	errInvalidCode         = "invalid_code"
	errInvalidRedirectURI  = "invalid_redirect_uri"
	errAccessDenied        = "access_denied"
	errMissingOrgInfo      = "missing_org_info"
)

// Error codes Zoho's documentation does not confirm: the emulator uses the
// RFC 6749 (or RFC 7009, for revocation) names, which is what Zoho's other
// codes follow.
const (
	errInvalidScope         = "invalid_scope"
	errUnauthorizedClient   = "unauthorized_client"
	errUnsupportedGrantType = "unsupported_grant_type"
	errInvalidRequest       = "invalid_request"
	errInvalidToken         = "invalid_token"
)
