package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// callContext is what a diagnostic needs to know about the failed call.
type callContext struct {
	accountsURL string
	// codeAttribute is the attribute that carried the grant code, for
	// exchange failures ("grant_code_wo" or "grant_code").
	codeAttribute string
	// tokenName names the refresh token involved without revealing it.
	tokenName string
}

const newGrantCodeSteps = "Generate a new grant code: Zoho API Console (https://api-console.zoho.com, or your data center's) → " +
	"Self Client → Generate Code, with the scopes you need (it is valid for 3 minutes by default). " +
	"Put it in grant_code_wo and increase grant_code_wo_version if this apply did not already (or set the new code in grant_code), then apply again within the code's lifetime."

// addZohoError turns an error from internal/zoho into a diagnostic that says
// what happened, why it probably happened and what to do next. The error's
// own text (never holding a secret) comes last.
func addZohoError(ctx context.Context, diags *diag.Diagnostics, err error, cc callContext) {
	summary, detail, attr := explain(ctx, err, cc)
	detail += "\n\nError: " + err.Error()
	if attr != "" {
		diags.AddAttributeError(path.Root(attr), summary, detail)
		return
	}
	diags.AddError(summary, detail)
}

func explain(ctx context.Context, err error, cc callContext) (summary, detail, attr string) {
	var zerr *zoho.Error
	var rerr *zoho.ResponseError
	var terr *zoho.TransportError
	var none *zoho.NoRefreshTokenError
	// Typed errors first: a code exchange runs on after the run is cancelled
	// (so its token reaches state), and if it then fails, what the user must
	// know is why, not that they pressed Ctrl-C.
	switch {
	case errors.As(err, &zerr):
		return explainZoho(zerr, cc)
	case errors.As(err, &none):
		return "Zoho Issued No Refresh Token",
			"Zoho exchanged the grant code (it is now spent) for an access token only, without a refresh token. Zoho does this " +
				"for a code generated for online access, the default of the authorization URL, and for a user who has consented to " +
				"this client before when the URL does not ask for consent again. Generate a new code from an authorization URL with " +
				"access_type=offline&prompt=consent on your data center's accounts host (" + cc.accountsURL + "/oauth/v2/auth?" +
				"response_type=code&client_id=...&scope=...&redirect_uri=...&access_type=offline&prompt=consent), or use a Self Client " +
				"code (API Console → Self Client → Generate Code), whose codes always carry a refresh token; then apply again with it " +
				"(increase grant_code_wo_version). The access token Zoho issued is not used and expires within the hour.", cc.codeAttribute
	case errors.As(err, &rerr):
		detail = fmt.Sprintf("%s did not answer like Zoho Accounts. ", cc.accountsURL)
		switch {
		case rerr.ServerError() && cc.codeAttribute != "":
			detail += "It failed with a server error, and a grant code exchange is not repeated: a gateway's error can hide an answer Zoho did send, " +
				"in which case the code is spent. " + newGrantCodeSteps
		case rerr.ServerError():
			detail += "It failed with a server error even after retries (see max_retries); Zoho may be having an outage. Try again later."
		default:
			detail += "Check accounts_url / data_center, and any proxy between here and Zoho (HTTPS_PROXY)."
		}
		return "Unexpected Answer From Zoho Accounts", detail, ""
	case errors.As(err, &terr):
		summary = "Cannot Reach Zoho Accounts"
		switch {
		case terr.Certificate:
			summary = "Zoho Accounts Certificate Not Trusted"
			detail = fmt.Sprintf("The TLS certificate of %s was not accepted, so nothing was sent. Check accounts_url / data_center, "+
				"any TLS-inspecting proxy (HTTPS_PROXY) and this machine's CA certificates.", cc.accountsURL)
		case terr.Timeout:
			summary = "Zoho Request Timed Out"
			detail = fmt.Sprintf("No answer came from %s within request_timeout (%d attempt(s)). Check the network and proxy settings "+
				"(HTTPS_PROXY, NO_PROXY), or raise request_timeout.", cc.accountsURL, terr.Attempts)
		default:
			detail = fmt.Sprintf("No answer came from %s after %d attempt(s). Check the network, proxy settings (HTTPS_PROXY, NO_PROXY), "+
				"accounts_url / data_center, and request_timeout.", cc.accountsURL, terr.Attempts)
		}
		if cc.codeAttribute != "" && terr.MayHaveReachedServer {
			detail += " The request may have reached Zoho, and a grant code works only once, so it was not repeated; " +
				"if Zoho consumed the code, the refresh token it issued is lost and a new code is needed. " + newGrantCodeSteps
		}
		return summary, detail, ""
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return "Zoho Request Cancelled", "The request to " + cc.accountsURL + " was cancelled before Zoho answered (the run was interrupted).", ""
	}
	return "Zoho Request Failed", "The call to " + cc.accountsURL + " failed.", ""
}

func explainZoho(e *zoho.Error, cc callContext) (summary, detail, attr string) {
	switch e.Code {
	case zoho.CodeInvalidCode:
		if cc.codeAttribute != "" {
			return "Invalid Or Expired Zoho Grant Code",
				"Zoho refused the grant code (invalid_code). A grant code works only once and only for a few minutes, " +
					"and must be exchanged in the data center where it was generated (" + cc.accountsURL + " here). " + newGrantCodeSteps,
				cc.codeAttribute
		}
		return "Zoho Refresh Token Rejected",
			fmt.Sprintf("Zoho no longer accepts the refresh token %s (invalid_code): it was revoked, removed from Connected Apps, "+
				"evicted (Zoho keeps 20 refresh tokens per user and client, the 21st deletes the oldest), or it belongs to another client "+
				"or data center. Create a new one: generate a grant code and replace the zoho_oauth_refresh_token resource "+
				"(increase grant_code_wo_version).", cc.tokenName), ""
	case zoho.CodeInvalidClient:
		return "Invalid Zoho Client",
			"Zoho does not know this client at " + cc.accountsURL + " (invalid_client). Either client_id or client_secret is wrong, " +
				"or the client was registered in another data center: a client is registered in one data center (see the API Console's " +
				"address), and only a server-based client with Multi-DC enabled works in others, those chosen in its settings. " +
				"Set data_center (or accounts_url) to that data center.", ""
	case zoho.CodeInvalidClientSecret:
		return "Invalid Zoho Client Secret",
			"Zoho rejected the client secret (invalid_client_secret). Copy it again from the API Console (Client Secret tab) into " +
				"client_secret or " + clientSecretSetting.env + "; with Multi-DC enabled, each data center may have its own secret.", "client_secret"
	case zoho.CodeInvalidRedirectURI:
		return "Zoho Redirect URI Mismatch",
			"Zoho refused the redirect URI (invalid_redirect_uri): redirect_uri must equal the one the grant code was generated with " +
				"and registered for this client in the API Console. Self Client codes need no redirect_uri.", "redirect_uri"
	case zoho.CodeAccessDenied:
		return "Too Many Zoho Grant Codes",
			"Zoho refused (access_denied): a client may generate about 10 grant codes per 10 minutes. Wait 10 minutes, then generate one code and use it.", ""
	case zoho.CodeThrottled:
		return "Zoho Token Limit Reached",
			"Zoho throttled this token (" + e.Raw + "): one refresh token may mint about 10 access tokens per 10 minutes. Past that, Zoho blocks it " +
				"for the rest of the 10-minute window, by its documentation; users report blocks lasting 15 to 30 minutes while requests keep coming, " +
				"so the request was not retried. Stop everything that mints from that refresh token, and wait 30 minutes without a request before " +
				"trying again. To avoid it, mint fewer tokens: " +
				"use one zoho_oauth_access_token per refresh token (instances with the same credentials share one token in a run), and set " +
				"token_cache_dir (or " + tokenCacheDirSetting.env + ") so that plan and apply share a cached token, and token_cache_url (or " +
				tokenCacheURLSetting.env + ") so that every CI job on these credentials shares one.", ""
	case zoho.CodeInvalidScope:
		return "Invalid Zoho Scope", "Zoho rejected the scopes (invalid_scope). Use scope names such as ZohoCRM.modules.READ, as listed in the product's API documentation.", "scopes"
	case zoho.CodeMissingOrgInfo:
		return "Zoho Organisation Needed", "This client belongs to several organisations, so Zoho needs soid (missing_org_info), for example \"ZohoCRM.<org id>\".", "soid"
	case zoho.CodeInvalidToken:
		return "Zoho Token Unknown",
			"Zoho does not know this token at " + cc.accountsURL + " (invalid_token), but did not answer the way it does for a token that is " +
				"already revoked, so the token may still be live elsewhere (another data center?). Check accounts_url, then try again.", ""
	case zoho.CodeUnauthorizedClient, zoho.CodeUnsupportedGrantType:
		return "Grant Not Allowed For This Zoho Client", "Zoho refused the grant type for this client (" + e.Raw + "). The client credentials grant works only for a Self Client.", ""
	}
	return "Zoho Request Failed", "Zoho answered an error this provider does not know: " + e.Raw + ".", ""
}
