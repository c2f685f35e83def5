package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

func dataCenterValidator() validator.String {
	return stringvalidator.OneOfCaseInsensitive(zoho.DataCenterCodes()...)
}

// accountsURLValidator checks accounts_url at plan time. With canonical set
// (attributes stored in state) it also asks for the exact normalised form,
// since state must hold what the configuration says.
type accountsURLValidator struct{ canonical bool }

func (v accountsURLValidator) Description(context.Context) string {
	return "must be an https:// URL of the accounts host (http:// only for loopback hosts)"
}

func (v accountsURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v accountsURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	normalized, err := zoho.NormalizeAccountsURL(raw)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Zoho Accounts URL",
			fmt.Sprintf("%q is not usable: %s. Examples: https://accounts.zoho.eu, or http://127.0.0.1:8080 for a local emulator.", zoho.RedactURL(raw), err))
	case v.canonical && normalized != raw:
		resp.Diagnostics.AddAttributeError(req.Path, "Non-Canonical Zoho Accounts URL",
			fmt.Sprintf("Write %q as %q: this attribute is kept in state exactly as written.", raw, normalized))
	}
}

// durationValidator checks a Go duration string that must be positive.
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return `must be a positive Go duration such as "30s" or "2m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parsePositiveDuration(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is %s. Use a Go duration such as \"30s\" or \"2m\".", req.ConfigValue.ValueString(), err))
	}
}

// credentialValidator checks a credential or code as written: not empty, and
// without leading or trailing white space (a pasted newline or space would
// only come back from Zoho as a puzzling invalid_client or invalid_code).
type credentialValidator struct{}

func (credentialValidator) Description(context.Context) string {
	return "must not be empty or start or end with white space"
}

func (v credentialValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (credentialValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := credentialProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf(
			"The value of %s %s. Set the value exactly as Zoho shows it (no quotes, spaces or line breaks around it), or remove the attribute.", req.Path, problem))
	}
}

// credentialProblem says what is wrong with a credential value, or "". The
// environment path uses it too, so ZOHO_* values are held to the same rule.
func credentialProblem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case strings.TrimSpace(s) != s:
		return "starts or ends with white space (a space, tab or line break)"
	}
	return ""
}
