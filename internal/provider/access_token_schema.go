package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The ephemeral resource and its data-source twin share every attribute; the
// framework wants one schema type per kind, so both are built from this table.
type tokenAttrKind int

const (
	kindString tokenAttrKind = iota
	kindStringList
	kindInt64
)

type tokenAttr struct {
	name      string
	kind      tokenAttrKind
	optional  bool
	computed  bool
	sensitive bool
	desc      string
}

func accessTokenAttrs() []tokenAttr {
	return []tokenAttr{
		{name: "refresh_token", optional: true, sensitive: true, desc: "Refresh token to mint from, for example `zoho_oauth_refresh_token.x.refresh_token` or a variable. Exactly one of `refresh_token` and `scopes`."},
		{name: "scopes", kind: kindStringList, optional: true, computed: true, desc: "With no `refresh_token`: the scopes to request with the Self Client **client credentials** grant (`grant_type=client_credentials`), which needs no refresh token. Returned exactly as configured (what Zoho granted, in its own order and case, goes to the debug log). With `refresh_token`: the scopes Zoho granted, when it says."},
		{name: "soid", optional: true, desc: "With `scopes`: the organisation (`ZohoCRM.<org id>`, ...) for clients that belong to several; Zoho answers `missing_org_info` when it is needed."},
		{name: "client_id", optional: true, desc: "Client ID to use instead of the provider's."},
		{name: "client_secret", optional: true, sensitive: true, desc: "Client secret to use instead of the provider's."},
		{name: "data_center", optional: true, desc: "Data center to use instead of the provider's: " + dataCenterList() + "."},
		{name: "accounts_url", optional: true, desc: "Accounts server to use instead of the provider's (`https://`, or `http://` on loopback). Conflicts with `data_center`."},
		{name: "access_token", computed: true, sensitive: true, desc: "The access token. It works for about an hour."},
		{name: "authorization_header", computed: true, sensitive: true, desc: "The `Authorization` header value Zoho's APIs expect: `Zoho-oauthtoken <access_token>`."},
		{name: "api_domain", computed: true, desc: "Where API calls with this token go, such as `https://www.zohoapis.com`."},
		{name: "token_type", computed: true, desc: "The token type Zoho answered (`Bearer`)."},
		{name: "expires_in", kind: kindInt64, computed: true, desc: "Seconds the token has left when handed out (less than 3600 for a cached token)."},
		{name: "expires_at", computed: true, desc: "When the token expires (RFC 3339)."},
	}
}

// tokenAttrValidators are attached by attribute name in both schemas.
func tokenAttrValidators(name string) ([]validator.String, []validator.List) {
	switch name {
	case "data_center":
		return []validator.String{dataCenterValidator()}, nil
	case "accounts_url":
		return []validator.String{accountsURLValidator{}}, nil
	case "scopes":
		return nil, []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(credentialValidator{})}
	case "refresh_token", "client_id", "client_secret", "soid":
		return []validator.String{credentialValidator{}}, nil
	}
	return nil, nil
}

func ephemeralTokenAttributes(extra map[string]eschema.Attribute) map[string]eschema.Attribute {
	attrs := map[string]eschema.Attribute{}
	for _, a := range accessTokenAttrs() {
		sv, lv := tokenAttrValidators(a.name)
		switch a.kind {
		case kindString:
			attrs[a.name] = eschema.StringAttribute{Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, MarkdownDescription: a.desc, Validators: sv}
		case kindStringList:
			attrs[a.name] = eschema.ListAttribute{ElementType: types.StringType, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, MarkdownDescription: a.desc, Validators: lv}
		case kindInt64:
			attrs[a.name] = eschema.Int64Attribute{Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, MarkdownDescription: a.desc}
		default:
			panic(fmt.Sprintf("no ephemeral attribute for kind %d", a.kind))
		}
	}
	for name, a := range extra {
		attrs[name] = a
	}
	return attrs
}

// storedByDataSource is added to the descriptions of the data source's
// secret inputs: unlike the ephemeral resource's, they land in state.
const storedByDataSource = " **Stored in state** by this data source (marked sensitive), like every argument of a data source."

func dataSourceTokenAttributes() map[string]dschema.Attribute {
	attrs := map[string]dschema.Attribute{}
	for _, a := range accessTokenAttrs() {
		sv, lv := tokenAttrValidators(a.name)
		if a.optional && a.sensitive {
			a.desc += storedByDataSource
		}
		switch a.kind {
		case kindString:
			attrs[a.name] = dschema.StringAttribute{Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, MarkdownDescription: a.desc, Validators: sv}
		case kindStringList:
			attrs[a.name] = dschema.ListAttribute{ElementType: types.StringType, Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, MarkdownDescription: a.desc, Validators: lv}
		case kindInt64:
			attrs[a.name] = dschema.Int64Attribute{Optional: a.optional, Computed: a.computed, Sensitive: a.sensitive, MarkdownDescription: a.desc}
		default:
			panic(fmt.Sprintf("no data source attribute for kind %d", a.kind))
		}
	}
	return attrs
}
