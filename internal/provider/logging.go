package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem carries the OAuth client's HTTP log lines; its level comes
// from TF_LOG_PROVIDER_ZOHO_OAUTH (it can only lower what TF_LOG_PROVIDER lets
// through to the CLI).
const logSubsystem = "oauth"

// zohoSecretShape matches Zoho's grant codes, refresh and access tokens
// (1000.<32 hex>.<32 hex>), whatever variable they travel in.
var zohoSecretShape = regexp.MustCompile(`1000\.[0-9a-fA-F]{32}\.[0-9a-fA-F]{32}`)

// secretFieldKeys are log field names whose values are always masked.
var secretFieldKeys = []string{"client_secret", "refresh_token", "access_token", "grant_code", "grant_code_wo", "code", "token", "authorization_header", "Authorization"}

// withMasking returns a context whose provider and subsystem loggers mask
// the given secrets, every value shaped like a Zoho token, and every field
// named like a secret. Each entry point (CRUD, Open, Read) calls it first.
func withMasking(ctx context.Context, secrets ...string) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_ZOHO", logSubsystem))
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	ctx = tflog.MaskAllFieldValuesRegexes(ctx, zohoSecretShape)
	ctx = tflog.MaskMessageRegexes(ctx, zohoSecretShape)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem, secretFieldKeys...)
	ctx = tflog.SubsystemMaskAllFieldValuesRegexes(ctx, logSubsystem, zohoSecretShape)
	ctx = tflog.SubsystemMaskMessageRegexes(ctx, logSubsystem, zohoSecretShape)
	return alsoMasking(ctx, secrets...)
}

// alsoMasking adds secrets learnt during a call (a token Zoho just issued) to
// a context withMasking prepared: the strings only, since every option copies
// the logger's options, and an entry point with 1000 instances pays for each.
func alsoMasking(ctx context.Context, secrets ...string) context.Context {
	nonEmpty := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	if len(nonEmpty) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, nonEmpty...)
	ctx = tflog.MaskMessageStrings(ctx, nonEmpty...)
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, nonEmpty...)
	return tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, nonEmpty...)
}

// ownLogger returns ctx with its own copy of the provider's and the OAuth
// subsystem's logger options. tflog masks a line's fields in place, in its
// logger options' own field map (terraform-plugin-log's ApplyMask), so
// goroutines that log at once through one context write one map at once,
// and the process dies ("concurrent map iteration and map write"). The
// framework gives every call its own context; the API proxy's requests
// share their Open's, so each takes a copy before it logs, and the copy
// only reads the shared options, which no goroutine then writes.
func ownLogger(ctx context.Context) context.Context {
	ctx = tflog.MaskAllFieldValuesStrings(ctx) // copies the options, adds nothing
	return tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem)
}

// logToTflog adapts the OAuth client's log lines onto tflog's subsystem.
func logToTflog(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemDebug(ctx, logSubsystem, msg, fields)
}
