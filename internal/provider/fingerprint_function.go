package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

var _ function.Function = fingerprintFunction{}

// fingerprintFunction is provider::zoho::fingerprint: the ID the
// zoho_oauth_refresh_token resource gives a token, computed from the token,
// so a configuration can match a token it holds to a resource (or to a log
// line) without showing the token.
type fingerprintFunction struct{}

func newFingerprintFunction() function.Function { return fingerprintFunction{} }

func (fingerprintFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "fingerprint"
}

func (fingerprintFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Fingerprint of a Zoho token, as zoho_oauth_refresh_token's ID",
		MarkdownDescription: "Returns the fingerprint of a token: the first 16 hex digits of its SHA-256, the form the " +
			"`zoho_oauth_refresh_token` resource uses as its `id` and the provider shows in logs and diagnostics. " +
			"It names a token without revealing it. The token may be a sensitive or ephemeral value; the CLI keeps " +
			"that mark on the result (wrap it in `nonsensitive()` to show it). An empty token is an error. " +
			"Needs Terraform >= 1.8 or OpenTofu >= 1.7.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "token",
				MarkdownDescription: "The token to fingerprint, for example a refresh token. Not empty.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (fingerprintFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var token string
	resp.Error = req.Arguments.Get(ctx, &token)
	if resp.Error != nil {
		return
	}
	if token == "" {
		// Every empty string has one fingerprint, which names no token.
		resp.Error = function.NewArgumentFuncError(0, "The token argument is empty: there is no token to fingerprint.")
		return
	}
	resp.Error = resp.Result.Set(ctx, zoho.Fingerprint(token))
}
