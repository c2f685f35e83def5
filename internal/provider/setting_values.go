package provider

// How each provider setting's text is read, and how a value it refuses is
// worded: the rows of settings.go name these.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// maxRetriesLimit is the most max_retries may be.
const maxRetriesLimit = 10

// parseCredential accepts a credential or code as Zoho shows it: not empty,
// and without white space around it (a pasted newline or space would only
// come back from Zoho as a puzzling invalid_client or invalid_code).
func parseCredential(s string) (string, error) {
	switch {
	case s == "":
		return "", errors.New("is empty")
	case strings.TrimSpace(s) != s:
		return "", errors.New("starts or ends with white space (a space, tab or line break)")
	}
	return s, nil
}

func parseDataCenter(s string) (zoho.DataCenter, error) {
	dc, ok := zoho.LookupDataCenter(s)
	if !ok {
		return dc, errors.New("no Zoho data center")
	}
	return dc, nil
}

func parsePositiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("not a duration")
	}
	if d <= 0 {
		return 0, fmt.Errorf("not longer than zero")
	}
	return d, nil
}

// parseTokenLifetime is a positive duration shorter than the hour an access
// token lives: a longer margin would make every cached token too old.
func parseTokenLifetime(s string) (time.Duration, error) {
	d, err := parsePositiveDuration(s)
	if err == nil && d >= time.Hour {
		return 0, errors.New("not shorter than the hour an access token lives")
	}
	return d, err
}

func parseMaxRetries(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > maxRetriesLimit {
		return 0, fmt.Errorf("not a whole number from 0 to %d", maxRetriesLimit)
	}
	return n, nil
}

func asWritten(s string) (string, error) { return s, nil }

func invalidCredential(attr, source, _ string, err error) (string, string) {
	return "Invalid " + attr, fmt.Sprintf("The %s %s. Set it exactly as Zoho shows it (no quotes, spaces or line breaks around it).", source, err)
}

func invalidAccountsURL(_, source, _ string, err error) (string, string) {
	return "Invalid Zoho Accounts URL", fmt.Sprintf("The %s is not usable: %s.", source, err)
}

func invalidDataCenter(_, source, raw string, _ error) (string, string) {
	return "Unknown Zoho Data Center", fmt.Sprintf("The %s is %q, which is no Zoho data center. Valid values: %s.",
		source, raw, strings.Join(zoho.DataCenterCodes(), ", "))
}

func invalidRequestTimeout(_, source, raw string, err error) (string, string) {
	return "Invalid Zoho Request Timeout", fmt.Sprintf("The %s is %q, which is %s. Use a Go duration such as \"30s\" or \"2m\".", source, raw, err)
}

func invalidMinTokenLifetime(_, source, raw string, err error) (string, string) {
	return "Invalid Zoho Minimum Token Lifetime", fmt.Sprintf("The %s is %q, which is %s. Use a Go duration shorter than an hour, such as \"15m\".", source, raw, err)
}

// invalidTokenCacheURL never quotes the URL: it may carry credentials, which
// is one of the things refused (objectstore's errors are redacted).
func invalidTokenCacheURL(_, source, _ string, err error) (string, string) {
	return "Invalid Zoho Token Cache URL", fmt.Sprintf("The %s is not usable: %s.", source, err)
}

func invalidMaxRetries(_, source, raw string, _ error) (string, string) {
	return "Invalid Zoho Max Retries", fmt.Sprintf("The %s is %q; it must be a whole number from 0 to %d.", source, raw, maxRetriesLimit)
}
