package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// accessTokenAttributes are the attributes the zoho_oauth_access_token
// ephemeral resource and data source share (the ephemeral resource adds
// revoke_on_close), each with its validators. The framework has one
// attribute type per kind, so the table is written once against k, which
// builds that kind's attributes: ephemeralAttributes or dataSourceAttributes.
func accessTokenAttributes[A any](k schemaKind[A]) map[string]A {
	return map[string]A{
		"refresh_token": k.stringAttr(secretInput, "Refresh token to mint from, for example `zoho_oauth_refresh_token.x.refresh_token` or a variable. "+
			"Exactly one of `refresh_token` and `scopes`.",
			credentialValidator{}),
		"scopes": k.stringListAttr(inputOrResult, "With no `refresh_token`: the scopes to request with the Self Client **client credentials** grant "+
			"(`grant_type=client_credentials`), which needs no refresh token. Returned exactly as configured (what Zoho granted, in its own "+
			"order and case, goes to the debug log). With `refresh_token`: the scopes Zoho granted, when it says.",
			listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(credentialValidator{})),
		"soid": k.stringAttr(input, "With `scopes`: the organisation (`ZohoCRM.<org id>`, ...) for clients that belong to several; "+
			"Zoho answers `missing_org_info` when it is needed.",
			credentialValidator{}),
		"client_id":     k.stringAttr(input, "Client ID to use instead of the provider's.", credentialValidator{}),
		"client_secret": k.stringAttr(secretInput, "Client secret to use instead of the provider's.", credentialValidator{}),
		"data_center":   k.stringAttr(input, "Data center to use instead of the provider's: "+dataCenterList()+".", dataCenterValidator()),
		"accounts_url": k.stringAttr(input, "Accounts server to use instead of the provider's (`https://`, or `http://` on loopback). "+
			"Conflicts with `data_center`.",
			accountsURLValidator{}),

		"access_token":         k.stringAttr(secretResult, "The access token. It works for about an hour."),
		"authorization_header": k.stringAttr(secretResult, "The `Authorization` header value Zoho's APIs expect: `Zoho-oauthtoken <access_token>`."),
		"api_domain":           k.stringAttr(result, "Where API calls with this token go, such as `https://www.zohoapis.com`."),
		"token_type":           k.stringAttr(result, "The token type Zoho answered (`Bearer`)."),
		"expires_in":           k.int64Attr(result, "Seconds the token has left when handed out (less than 3600 for a cached token)."),
		"expires_at":           k.stringAttr(result, "When the token expires (RFC 3339)."),
	}
}

// attrRole is who sets an attribute (the configuration, the provider, or
// either) and whether it is secret.
type attrRole struct{ optional, computed, sensitive bool }

var (
	input         = attrRole{optional: true}
	secretInput   = attrRole{optional: true, sensitive: true}
	inputOrResult = attrRole{optional: true, computed: true}
	result        = attrRole{computed: true}
	secretResult  = attrRole{computed: true, sensitive: true}
)

// schemaKind builds one resource kind's attributes: a string, a list of
// strings and an int64 attribute of its schema package. secretInputNote is
// added to the description of every sensitive input.
type schemaKind[A any] struct {
	newString       func(r attrRole, description string, v []validator.String) A
	newStringList   func(r attrRole, description string, v []validator.List) A
	newInt64        func(r attrRole, description string) A
	secretInputNote string
}

func (k schemaKind[A]) stringAttr(r attrRole, description string, v ...validator.String) A {
	return k.newString(r, k.describe(r, description), v)
}

func (k schemaKind[A]) stringListAttr(r attrRole, description string, v ...validator.List) A {
	return k.newStringList(r, k.describe(r, description), v)
}

func (k schemaKind[A]) int64Attr(r attrRole, description string) A {
	return k.newInt64(r, k.describe(r, description))
}

func (k schemaKind[A]) describe(r attrRole, description string) string {
	if r.optional && r.sensitive {
		return description + k.secretInputNote
	}
	return description
}

// ephemeralAttributes builds the shared access token attributes
// (accessTokenAttributes) as an ephemeral resource's.
var ephemeralAttributes = schemaKind[eschema.Attribute]{
	newString: func(r attrRole, description string, v []validator.String) eschema.Attribute {
		return eschema.StringAttribute{Optional: r.optional, Computed: r.computed, Sensitive: r.sensitive, MarkdownDescription: description, Validators: v}
	},
	newStringList: func(r attrRole, description string, v []validator.List) eschema.Attribute {
		return eschema.ListAttribute{ElementType: types.StringType, Optional: r.optional, Computed: r.computed, Sensitive: r.sensitive, MarkdownDescription: description, Validators: v}
	},
	newInt64: func(r attrRole, description string) eschema.Attribute {
		return eschema.Int64Attribute{Optional: r.optional, Computed: r.computed, Sensitive: r.sensitive, MarkdownDescription: description}
	},
}

// dataSourceAttributes builds the shared access token attributes
// (accessTokenAttributes) as a data source's, whose inputs land in state.
var dataSourceAttributes = schemaKind[dschema.Attribute]{
	newString: func(r attrRole, description string, v []validator.String) dschema.Attribute {
		return dschema.StringAttribute{Optional: r.optional, Computed: r.computed, Sensitive: r.sensitive, MarkdownDescription: description, Validators: v}
	},
	newStringList: func(r attrRole, description string, v []validator.List) dschema.Attribute {
		return dschema.ListAttribute{ElementType: types.StringType, Optional: r.optional, Computed: r.computed, Sensitive: r.sensitive, MarkdownDescription: description, Validators: v}
	},
	newInt64: func(r attrRole, description string) dschema.Attribute {
		return dschema.Int64Attribute{Optional: r.optional, Computed: r.computed, Sensitive: r.sensitive, MarkdownDescription: description}
	},
	secretInputNote: " **Stored in state** by this data source (marked sensitive), like every argument of a data source.",
}
