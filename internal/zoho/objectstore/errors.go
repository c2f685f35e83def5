package objectstore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// storeError is what every Store method returns on failure: what was
// attempted where, and the cause with any URL query removed (an Azure SAS
// token or a presigned URL carries its signature there). It unwraps to the
// tokencache sentinel that applies and to a context error, never to the
// cause itself, so nothing up the chain can print the unsanitized text.
type storeError struct {
	op    string // "read", "write", "create", "delete", "open"
	name  string // object name, "" for open
	where string // Location.String()
	cause string // sanitized
	kinds []error
}

func (e *storeError) Error() string {
	target := e.where
	if e.name != "" {
		target = e.name + " in " + e.where
	}
	if e.cause == "" {
		return fmt.Sprintf("%s %s failed", e.op, target)
	}
	return fmt.Sprintf("%s %s: %s", e.op, target, e.cause)
}

func (e *storeError) Unwrap() []error { return e.kinds }

// newError builds a storeError from cause, marked with kind (a tokencache
// sentinel, or nil) and with cause's context error, if any.
func newError(op, name, where string, kind, cause error) error {
	e := &storeError{op: op, name: name, where: where}
	if kind != nil {
		e.kinds = append(e.kinds, kind)
	}
	if cause != nil {
		e.cause = sanitize(cause.Error())
		for _, c := range []error{context.Canceled, context.DeadlineExceeded} {
			if errors.Is(cause, c) {
				e.kinds = append(e.kinds, c)
			}
		}
	}
	return e
}

// A URL's query, up to the next blank or quote; Go's net/http errors quote
// the URL ("Get \"https://...?sig=...\": ...").
var urlQuery = regexp.MustCompile(`(?i)(\b(?:https?|s3|gs|azblob)://[^\s"'?]*)\?[^\s"']*`)

// sanitize removes URL queries and keeps a message to one line.
func sanitize(msg string) string {
	msg = urlQuery.ReplaceAllString(msg, "$1?REDACTED")
	msg = strings.Join(strings.Fields(msg), " ")
	const maxLen = 600
	if len(msg) > maxLen {
		msg = strings.ToValidUTF8(msg[:maxLen], "") + "…"
	}
	return msg
}
