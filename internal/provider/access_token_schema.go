package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// accessTokenAttributes are the attributes the zoho_oauth_access_token
// ephemeral resource and data source share (the ephemeral resource adds
// revoke_on_close), each with its validators, written once as the
// ephemeral resource's: the data source takes them through
// dataSourceAttribute.
func accessTokenAttributes() map[string]eschema.Attribute {
	attrs := grantInputAttributes()
	for name, a := range map[string]eschema.Attribute{
		"access_token":         stringAttr(roleSecretResult, "The access token. It works for about an hour."),
		"authorization_header": stringAttr(roleSecretResult, "The `Authorization` header value Zoho's APIs expect: `Zoho-oauthtoken <access_token>`."),
		"api_domain":           stringAttr(roleResult, "Where API calls with this token go, such as `https://www.zohoapis.com`."),
		"token_type":           stringAttr(roleResult, "The token type Zoho answered (`Bearer`)."),
		"expires_in": eschema.Int64Attribute{Computed: true,
			MarkdownDescription: "Seconds the token has left when handed out (less than 3600 for a cached token)."},
		"expires_at": stringAttr(roleResult, "When the token expires (RFC 3339)."),
	} {
		attrs[name] = a
	}
	return attrs
}

// grantInputAttributes are the inputs of every kind that mints access
// tokens (grantInputs): the access token kinds and the API proxy.
func grantInputAttributes() map[string]eschema.Attribute {
	return map[string]eschema.Attribute{
		"refresh_token": stringAttr(roleSecretInput, "Refresh token to mint from, for example `zoho_oauth_refresh_token.x.refresh_token` or a variable. "+
			"Exactly one of `refresh_token` and `scopes`.",
			credentialValidator{}),
		"scopes": eschema.ListAttribute{ElementType: types.StringType, Optional: true, Computed: true,
			MarkdownDescription: "With no `refresh_token`: the scopes to request with the Self Client **client credentials** grant " +
				"(`grant_type=client_credentials`), which needs no refresh token. Returned exactly as configured (what Zoho granted, in its own " +
				"order and case, goes to the debug log). With `refresh_token`: the scopes Zoho granted, when it says.",
			Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(credentialValidator{})}},
		"soid": stringAttr(roleInput, "With `scopes`: the organisation (`ZohoCRM.<org id>`, ...) for clients that belong to several; "+
			"Zoho answers `missing_org_info` when it is needed.",
			credentialValidator{}),
		"client_id":     stringAttr(roleInput, "Client ID to use instead of the provider's.", credentialValidator{}),
		"client_secret": stringAttr(roleSecretInput, "Client secret to use instead of the provider's.", credentialValidator{}),
		"data_center":   stringAttr(roleInput, "Data center to use instead of the provider's: "+dataCenterList()+".", dataCenterValidator()),
		"accounts_url": stringAttr(roleInput, "Accounts server to use instead of the provider's (`https://`, or `http://` on loopback). "+
			"Conflicts with `data_center`.",
			accountsURLValidator{}),
	}
}

// attrRole is who sets an attribute (the configuration, the provider, or
// either) and whether it is secret.
type attrRole struct{ optional, computed, sensitive bool }

var (
	roleInput        = attrRole{optional: true}
	roleSecretInput  = attrRole{optional: true, sensitive: true}
	roleResult       = attrRole{computed: true}
	roleSecretResult = attrRole{computed: true, sensitive: true}
)

func stringAttr(r attrRole, description string, v ...validator.String) eschema.StringAttribute {
	return eschema.StringAttribute{Optional: r.optional, Computed: r.computed, Sensitive: r.sensitive, MarkdownDescription: description, Validators: v}
}

// storedInStateNote is what every sensitive argument of the data source
// says, since a data source's arguments land in state.
const storedInStateNote = " **Stored in state** by this data source (marked sensitive), like every argument of a data source."

// dataSourceAttribute is an ephemeral resource's attribute as a data
// source's: the same fields in the other schema package, with
// storedInStateNote added to a sensitive argument's description.
func dataSourceAttribute(a eschema.Attribute) dschema.Attribute {
	note := func(optional, sensitive bool, d string) string {
		if optional && sensitive {
			return d + storedInStateNote
		}
		return d
	}
	switch a := a.(type) {
	case eschema.StringAttribute:
		return dschema.StringAttribute{Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive,
			MarkdownDescription: note(a.Optional, a.Sensitive, a.MarkdownDescription), Validators: a.Validators}
	case eschema.ListAttribute:
		return dschema.ListAttribute{ElementType: a.ElementType, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive,
			MarkdownDescription: note(a.Optional, a.Sensitive, a.MarkdownDescription), Validators: a.Validators}
	case eschema.Int64Attribute:
		return dschema.Int64Attribute{Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive,
			MarkdownDescription: note(a.Optional, a.Sensitive, a.MarkdownDescription), Validators: a.Validators}
	}
	panic(fmt.Sprintf("dataSourceAttribute: no data source form of %T", a)) // a new kind in accessTokenAttributes: add it here
}

// dataSourceAttributes are accessTokenAttributes as the data source's.
func dataSourceAttributes() map[string]dschema.Attribute {
	attrs := map[string]dschema.Attribute{}
	for name, a := range accessTokenAttributes() {
		attrs[name] = dataSourceAttribute(a)
	}
	return attrs
}
