package provider

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// TestExplain_everyZohoErrorCode checks that each failure maps to a summary,
// a piece of advice and the attribute to fix, and that no Code* constant in
// internal/zoho/errors.go is left without a case here.
func TestExplain_everyZohoErrorCode(t *testing.T) {
	zerr := func(code, raw string) error { return &zoho.Error{Op: zoho.OpExchangeCode, Code: code, Raw: raw} }
	exchange := callContext{accountsURL: "https://accounts.zoho.eu", codeAttribute: "grant_code_wo"}
	refresh := callContext{accountsURL: "https://accounts.zoho.eu", tokenName: "0123456789abcdef"}
	// explanation is what the user reads first: the summary, and the
	// attribute the diagnostic points at.
	type explanation struct{ Summary, Attribute string }
	cases := map[string]struct {
		err  error
		cc   callContext
		want explanation
		// advice are phrases of the detail, in order; notAdvice must not be in it.
		advice    []string
		notAdvice string
	}{
		"invalid_code in an exchange": {
			err: zerr(zoho.CodeInvalidCode, "invalid_code"), cc: exchange,
			want:   explanation{Summary: "Invalid Or Expired Zoho Grant Code", Attribute: "grant_code_wo"},
			advice: []string{"works only once", "accounts.zoho.eu", "Generate Code", "grant_code_wo_version"},
		},
		"invalid_code in an exchange by grant_code": {
			err: zerr(zoho.CodeInvalidCode, "invalid_code"), cc: callContext{codeAttribute: "grant_code"},
			want:   explanation{Summary: "Invalid Or Expired Zoho Grant Code", Attribute: "grant_code"},
			advice: []string{"works only once"},
		},
		"invalid_code in a refresh": {
			err: zerr(zoho.CodeInvalidCode, "invalid_code"), cc: refresh,
			want:   explanation{Summary: "Zoho Refresh Token Rejected"},
			advice: []string{"0123456789abcdef", "revoked", "grant_code_wo_version"},
		},
		"invalid_client": {
			err: zerr(zoho.CodeInvalidClient, "invalid_client"), cc: exchange,
			want:   explanation{Summary: "Invalid Zoho Client"},
			advice: []string{"client_id or client_secret is wrong", "another data center", "data_center"},
		},
		"invalid_client_secret": {
			err: zerr(zoho.CodeInvalidClientSecret, "invalid_client_secret"), cc: exchange,
			want:   explanation{Summary: "Invalid Zoho Client Secret", Attribute: "client_secret"},
			advice: []string{"API Console", "ZOHO_CLIENT_SECRET"},
		},
		"invalid_redirect_uri": {
			err: zerr(zoho.CodeInvalidRedirectURI, "invalid_redirect_uri"), cc: exchange,
			want:   explanation{Summary: "Zoho Redirect URI Mismatch", Attribute: "redirect_uri"},
			advice: []string{"redirect_uri must equal"},
		},
		"access_denied": {
			err: zerr(zoho.CodeAccessDenied, "access_denied"), cc: exchange,
			want:   explanation{Summary: "Too Many Zoho Grant Codes"},
			advice: []string{"10 grant codes per 10 minutes", "Wait 10 minutes"},
		},
		"throttled": {
			err: zerr(zoho.CodeThrottled, "Access Denied"), cc: refresh,
			want:   explanation{Summary: "Zoho Token Limit Reached"},
			advice: []string{"Access Denied", "10 access tokens per 10 minutes", "not retried", "token_cache_dir"},
		},
		"invalid_scope": {
			err: zerr(zoho.CodeInvalidScope, "invalid_scope"), cc: exchange,
			want:   explanation{Summary: "Invalid Zoho Scope", Attribute: "scopes"},
			advice: []string{"ZohoCRM.modules.READ"},
		},
		"missing_org_info": {
			err: zerr(zoho.CodeMissingOrgInfo, "missing_org_info"), cc: exchange,
			want:   explanation{Summary: "Zoho Organisation Needed", Attribute: "soid"},
			advice: []string{"soid"},
		},
		"unauthorized_client": {
			err: zerr(zoho.CodeUnauthorizedClient, "unauthorized_client"), cc: exchange,
			want:   explanation{Summary: "Grant Not Allowed For This Zoho Client"},
			advice: []string{"unauthorized_client", "Self Client"},
		},
		"unsupported_grant_type": {
			err: zerr(zoho.CodeUnsupportedGrantType, "unsupported_grant_type"), cc: exchange,
			want:   explanation{Summary: "Grant Not Allowed For This Zoho Client"},
			advice: []string{"unsupported_grant_type"},
		},
		"invalid_token answered oddly": {
			err: zerr(zoho.CodeInvalidToken, "invalid_token"), cc: refresh,
			want:   explanation{Summary: "Zoho Token Unknown"},
			advice: []string{"invalid_token", "may still be live", "accounts_url"},
		},
		"an unknown code, verbatim": {
			err: zerr("general_error", "general_error"), cc: exchange,
			want:   explanation{Summary: "Zoho Request Failed"},
			advice: []string{"does not know: general_error"},
		},
		"5xx after retries": {
			err: &zoho.ResponseError{Op: zoho.OpRefresh, StatusCode: 503, Problem: "a server error"}, cc: refresh,
			want:   explanation{Summary: "Unexpected Answer From Zoho Accounts"},
			advice: []string{"accounts.zoho.eu", "server error even after retries", "max_retries"}, notAdvice: "HTTPS_PROXY",
		},
		"an HTML page": {
			err: &zoho.ResponseError{Op: zoho.OpRefresh, StatusCode: 200, Problem: "an HTML page"}, cc: refresh,
			want:   explanation{Summary: "Unexpected Answer From Zoho Accounts"},
			advice: []string{"did not answer like Zoho Accounts", "accounts_url / data_center", "HTTPS_PROXY"}, notAdvice: "outage",
		},
		"exchange that may have reached Zoho": {
			err: &zoho.TransportError{Op: zoho.OpExchangeCode, Attempts: 1, MayHaveReachedServer: true, Err: errors.New("EOF")}, cc: exchange,
			want:   explanation{Summary: "Cannot Reach Zoho Accounts"},
			advice: []string{"after 1 attempt(s)", "may have reached Zoho", "not repeated", "Generate Code"},
		},
		"exchange that never left": {
			err: &zoho.TransportError{Op: zoho.OpExchangeCode, Attempts: 3, Err: errors.New("connection refused")}, cc: exchange,
			want:   explanation{Summary: "Cannot Reach Zoho Accounts"},
			advice: []string{"after 3 attempt(s)", "HTTPS_PROXY", "request_timeout"}, notAdvice: "may have reached",
		},
		"a wrapped error is still recognised": {
			err: fmt.Errorf("creating: %w", zerr(zoho.CodeInvalidClient, "invalid_client")), cc: exchange,
			want:   explanation{Summary: "Invalid Zoho Client"},
			advice: []string{"another data center"},
		},
		"cancelled": {
			err: fmt.Errorf("post: %w", context.Canceled), cc: exchange,
			want:   explanation{Summary: "Zoho Request Cancelled"},
			advice: []string{"cancelled before Zoho answered"},
		},
		"exchange timed out: not a cancellation, and the code may be spent": {
			err: &zoho.TransportError{Op: zoho.OpExchangeCode, Attempts: 1, MayHaveReachedServer: true, Timeout: true, Err: errors.New("Client.Timeout exceeded")}, cc: exchange,
			want:   explanation{Summary: "Zoho Request Timed Out"},
			advice: []string{"within request_timeout", "may have reached Zoho", "Generate Code"}, notAdvice: "cancelled",
		},
		"refresh timed out": {
			err: &zoho.TransportError{Op: zoho.OpRefresh, Attempts: 5, MayHaveReachedServer: true, Timeout: true, Err: errors.New("Client.Timeout exceeded")}, cc: refresh,
			want:   explanation{Summary: "Zoho Request Timed Out"},
			advice: []string{"within request_timeout (5 attempt(s))", "raise request_timeout"}, notAdvice: "grant code",
		},
		"certificate not trusted": {
			err: &zoho.TransportError{Op: zoho.OpRefresh, Attempts: 1, Certificate: true, Err: errors.New("x509: certificate signed by unknown authority")}, cc: refresh,
			want:   explanation{Summary: "Zoho Accounts Certificate Not Trusted"},
			advice: []string{"nothing was sent", "CA certificates"},
		},
		"exchange answered 5xx: the code may be spent": {
			err: &zoho.ResponseError{Op: zoho.OpExchangeCode, StatusCode: 502, Problem: "a server error"}, cc: exchange,
			want:   explanation{Summary: "Unexpected Answer From Zoho Accounts"},
			advice: []string{"not repeated", "the code is spent", "Generate Code"}, notAdvice: "after retries",
		},
	}
	covered := map[string]bool{}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			summary, detail, attr := explain(context.Background(), tc.err, tc.cc)
			if diff := cmp.Diff(tc.want, explanation{Summary: summary, Attribute: attr}); diff != "" {
				t.Errorf("explain (-want +got):\n%s", diff)
			}
			if !errorText(tc.advice...).MatchString(detail) || (tc.notAdvice != "" && strings.Contains(detail, tc.notAdvice)) {
				t.Errorf("explain detail:\n%s\nwant it mentioning %q (in order) and not %q", detail, tc.advice, tc.notAdvice)
			}
		})
		var ze *zoho.Error
		if errors.As(tc.err, &ze) {
			covered[ze.Code] = true
		}
	}
	for name, code := range zohoErrorCodeConstants(t) {
		if !covered[code] {
			t.Errorf("zoho.%s (%q) has no case here: add one, with the advice the user should read", name, code)
		}
	}
}

// zohoErrorCodeConstants reads every Code* constant from internal/zoho/errors.go,
// so that a code added there without a diagnostic fails this test.
func zohoErrorCodeConstants(t *testing.T) map[string]string {
	f, err := parser.ParseFile(token.NewFileSet(), "../zoho/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if spec, ok := n.(*ast.ValueSpec); ok {
			for i, name := range spec.Names {
				if i >= len(spec.Values) || !strings.HasPrefix(name.Name, "Code") {
					continue
				}
				if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					codes[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
		return true
	})
	if len(codes) < 10 {
		t.Fatalf("found only %d Code* constants in errors.go: %v", len(codes), codes)
	}
	return codes
}
