package tokencache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho"
)

// refusalTTL is how long, by the store's clock, a lease holder's record of
// Zoho's refusal (a throttle, a revoked refresh token, a wrong client)
// answers for the whole fleet: jobs that miss meanwhile return the same
// error without asking Zoho again, which would only prolong a throttle.
const refusalTTL = time.Minute

// failureRecord is what a lease holder whose mint failed publishes, so the
// jobs waiting for it learn what happened instead of guessing from silence.
// It holds no secret (errors from package zoho never do), and is sealed like
// an entry all the same, so only holders of the credentials can write one
// that is believed.
type failureRecord struct {
	// Lease is the nonce of the lease whose holder failed: waiters of that
	// lease know the record is the answer they wait for.
	Lease string `json:"lease"`
	// Transient: the failure says nothing about the credentials (no answer
	// within the budget, a server error, a cancelled holder), so one waiter
	// takes over. Otherwise Zoho refused, and everyone gets that answer.
	Transient bool        `json:"transient"`
	Err       errorRecord `json:"error"`
}

// errorRecord carries an error of package zoho across machines, field by
// field, so the provider explains a waiter's copy exactly as the holder's.
type errorRecord struct {
	Kind        string `json:"kind"` // "zoho", "response", "transport", else a message only
	Op          string `json:"op,omitempty"`
	Code        string `json:"code,omitempty"`
	Raw         string `json:"raw,omitempty"`
	Description string `json:"description,omitempty"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Problem     string `json:"problem,omitempty"`
	Attempts    int    `json:"attempts,omitempty"`
	MaySent     bool   `json:"may_have_reached_server,omitempty"`
	Timeout     bool   `json:"timeout,omitempty"`
	Certificate bool   `json:"certificate,omitempty"`
	Message     string `json:"message,omitempty"`
}

// newFailureRecord records err, the holder of lease's failed mint.
func newFailureRecord(lease string, err error) failureRecord {
	var (
		zerr *zoho.Error
		rerr *zoho.ResponseError
		terr *zoho.TransportError
	)
	switch {
	case errors.As(err, &zerr):
		return failureRecord{Lease: lease, Err: errorRecord{Kind: "zoho", Op: string(zerr.Op), Code: zerr.Code,
			Raw: zerr.Raw, Description: zerr.Description, Status: zerr.HTTPStatus}}
	case errors.As(err, &rerr):
		return failureRecord{Lease: lease, Transient: true, Err: errorRecord{Kind: "response", Op: string(rerr.Op),
			Status: rerr.StatusCode, ContentType: rerr.ContentType, Problem: rerr.Problem}}
	case errors.As(err, &terr):
		return failureRecord{Lease: lease, Transient: true, Err: errorRecord{Kind: "transport", Op: string(terr.Op),
			Attempts: terr.Attempts, MaySent: terr.MayHaveReachedServer, Timeout: terr.Timeout,
			Certificate: terr.Certificate, Message: fmt.Sprint(terr.Err)}}
	}
	return failureRecord{Lease: lease, Transient: true, Err: errorRecord{Message: err.Error()}}
}

// error rebuilds the holder's error, so that errors.As finds the same
// *zoho.Error (or ResponseError, TransportError) the holder got.
func (r errorRecord) error() error {
	op := zoho.Operation(r.Op)
	switch r.Kind {
	case "zoho":
		return &zoho.Error{Op: op, Code: r.Code, Raw: r.Raw, Description: r.Description, HTTPStatus: r.Status}
	case "response":
		return &zoho.ResponseError{Op: op, StatusCode: r.Status, ContentType: r.ContentType, Problem: r.Problem}
	case "transport":
		return &zoho.TransportError{Op: op, Attempts: r.Attempts, MayHaveReachedServer: r.MaySent, Timeout: r.Timeout,
			Certificate: r.Certificate, Err: errors.New(r.Message)}
	}
	return errors.New(r.Message)
}

// FleetError is a failed mint as another machine sharing token_cache_url
// got it: this process did not ask Zoho. It unwraps to that machine's error
// (a *zoho.Error for Zoho's refusals), so it is explained the same way.
type FleetError struct {
	Err error
	// Age is how long ago, by the store's clock, the other machine failed.
	Age time.Duration
}

func (e *FleetError) Error() string {
	return fmt.Sprintf("%v (the answer another job sharing token_cache_url got %s ago; this job did not ask Zoho)",
		e.Err, e.Age.Round(time.Second))
}

func (e *FleetError) Unwrap() error { return e.Err }

// abandonedRecord is what a holder whose callers all left (the run was
// cancelled) publishes: a transient failure, so one waiter takes over now
// rather than when the lease expires.
func abandonedRecord(lease string) failureRecord {
	return failureRecord{Lease: lease, Transient: true,
		Err: errorRecord{Message: "the job minting for the fleet was cancelled before Zoho answered"}}
}

// leaseRanOut is the error of a holder whose mint outlived the lease's
// promise (a Retry-After longer than the mint budget): transient.
func leaseRanOut(lifetime time.Duration) error {
	return &zoho.TransportError{Op: zoho.OpRefresh, Timeout: true,
		Err: fmt.Errorf("no access token within the shared token cache lease's %s (see request_timeout and max_retries)", lifetime)}
}

// sealJSON and openJSON seal a record of a kind other than a token.
func sealJSON(key Key, id string, kind recordKind, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return sealRecord(key, id, kind, plain)
}

func openJSON(key Key, id string, kind recordKind, sealed []byte, v any) error {
	plain, err := openRecord(key, id, kind, sealed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return errPayload
	}
	return nil
}

// isCancelled reports whether ctx has ended (a run's cancellation, not the
// deadline of one mint).
func isCancelled(ctx context.Context) bool { return ctx.Err() != nil }
