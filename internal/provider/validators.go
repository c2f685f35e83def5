package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/helpers/validatordiag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// The validators check what is written in configuration with the same
// parse functions the environment path uses (settings.go).

// dataCenterValidator accepts what parseDataCenter accepts, worded as the
// framework's one-of validators are.
func dataCenterValidator() validator.String { return dataCenterCodeValidator{} }

type dataCenterCodeValidator struct{}

func (dataCenterCodeValidator) Description(context.Context) string {
	return fmt.Sprintf("value must be one of: %q", zoho.DataCenterCodes())
}

func (v dataCenterCodeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v dataCenterCodeValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseDataCenter(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.Append(validatordiag.InvalidAttributeValueMatchDiagnostic(req.Path, v.Description(ctx), req.ConfigValue.String()))
	}
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

// credentialValidator checks a credential or code as written (see
// parseCredential).
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
	if _, err := parseCredential(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf(
			"The value of %s %s. Set the value exactly as Zoho shows it (no quotes, spaces or line breaks around it), or remove the attribute.", req.Path, err))
	}
}
