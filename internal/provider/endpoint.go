package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// clientOverrides are the per-block overrides of the provider's client and
// location, shared by every resource kind.
type clientOverrides struct {
	ClientID     types.String
	ClientSecret types.String
	DataCenter   types.String
	AccountsURL  types.String
}

// endpoint is where and as whom a call to Zoho is made.
type endpoint struct {
	accountsURL  string
	clientID     string
	clientSecret string
}

// resolveEndpoint applies the precedence "block, then provider block, then
// environment" and reports what is missing or not yet known, naming both the
// attribute and the environment variable.
func (d *providerData) resolveEndpoint(o clientOverrides) (endpoint, diag.Diagnostics) {
	var diags diag.Diagnostics
	ep := endpoint{accountsURL: d.accountsURL.value, clientID: d.clientID.value, clientSecret: d.clientSecret.value}
	needed := map[string]bool{"client_id": true, "client_secret": true, "accounts_url/data_center": true}
	switch {
	case !o.AccountsURL.IsNull():
		ep.accountsURL, _ = zoho.NormalizeAccountsURL(o.AccountsURL.ValueString())
		needed["accounts_url/data_center"] = false
	case !o.DataCenter.IsNull():
		dc, _ := zoho.LookupDataCenter(o.DataCenter.ValueString())
		ep.accountsURL = dc.AccountsURL
		needed["accounts_url/data_center"] = false
	}
	if !o.ClientID.IsNull() {
		ep.clientID, needed["client_id"] = o.ClientID.ValueString(), false
	}
	if !o.ClientSecret.IsNull() {
		ep.clientSecret, needed["client_secret"] = o.ClientSecret.ValueString(), false
	}
	if unknown := d.unknownNeeded(needed); len(unknown) > 0 {
		diags.AddError("Unknown Zoho Provider Setting",
			fmt.Sprintf("The provider's %s depends on a value that is not known until apply. "+
				"Apply the source of the value first (-target), set it statically, or use the ZOHO_* environment variable.", strings.Join(unknown, ", ")))
		return ep, diags
	}
	if ep.clientID == "" {
		diags.AddError("Missing Zoho Client ID",
			"No Zoho client ID is configured. Set client_id on this block or in the provider block, or the "+envClientID+" environment variable. "+
				"It is shown in the Zoho API Console for your client.")
	}
	if ep.clientSecret == "" {
		diags.AddError("Missing Zoho Client Secret",
			"No Zoho client secret is configured. Set client_secret on this block or in the provider block, or the "+envClientSecret+" environment variable.")
	}
	return ep, diags
}

// unknownNeeded lists the provider settings not yet known that a call
// needs (those the block does not override).
func (d *providerData) unknownNeeded(needed map[string]bool) []string {
	var unknown []string
	for _, attr := range d.unknown {
		if needed[attr] {
			unknown = append(unknown, attr)
		}
	}
	return unknown
}

// client returns an OAuth client for ep sharing the provider's transport.
func (d *providerData) client(ep endpoint) *zoho.Client {
	return zoho.New(zoho.Config{
		AccountsURL:    ep.accountsURL,
		ClientID:       ep.clientID,
		ClientSecret:   ep.clientSecret,
		RequestTimeout: d.requestTimeout,
		MaxRetries:     d.maxRetries,
		RetryWaitMin:   d.opts.retryWaitMin,
		RetryWaitMax:   d.opts.retryWaitMax,
		UserAgent:      d.userAgent,
		Transport:      d.transport,
		Log:            logToTflog,
		Now:            d.opts.now,
	})
}
