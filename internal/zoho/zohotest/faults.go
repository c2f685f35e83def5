package zohotest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"time"
)

// FaultKind is a way for a request to go wrong between the client and Zoho.
type FaultKind int

const (
	// FaultStatus answers Status (default 503) with Retry-After if set and
	// an HTML body, as a load balancer in front of Zoho would.
	FaultStatus FaultKind = iota
	// FaultHTML answers HTTP 200 with an HTML maintenance page instead of
	// JSON.
	FaultHTML
	// FaultEmptyBody answers HTTP 200 with an empty body.
	FaultEmptyBody
	// FaultDelay waits Delay (or until the client gives up), then processes
	// the request normally.
	FaultDelay
	// FaultCloseBefore closes the connection without processing the request.
	FaultCloseBefore
	// FaultCloseAfter processes the request fully (a grant code IS
	// consumed) and closes the connection without answering: the case that
	// makes retrying a code exchange unsafe.
	FaultCloseAfter
	// FaultRaw answers exactly Status (default 200), ContentType (no
	// Content-Type header when ""), RetryAfter if set, and Body: any
	// answer a proxy or a broken server could send (truncated JSON, plain
	// text, an HTML 400, a throttle body on any path...). With Process the
	// request is first processed normally (a grant code IS consumed) and,
	// when Body is "", the processed answer's own body is sent under the
	// given status and type: Zoho's answer rewrapped by a proxy.
	FaultRaw
)

// Fault is one injected failure.
type Fault struct {
	Path       string // "" = any path (the emulator's own /_emulator/ endpoints are never faulted)
	GrantType  string // "" = any
	Kind       FaultKind
	Status     int    // FaultStatus: 0 = 503; FaultRaw: 0 = 200
	RetryAfter string // FaultStatus and FaultRaw; sent as the Retry-After header when set
	Delay      time.Duration
	Times      int // how many matching requests it hits; 0 means 1

	ContentType string // FaultRaw only
	Body        string // FaultRaw only
	Process     bool   // FaultRaw only: process the request before answering (then wait Delay, if set)
}

// InjectFault queues a fault. Faults apply first-in first-out: a request
// takes the oldest matching fault, and at most one. It panics on an unknown
// Kind, a mistake in the test itself.
func (e *Emulator) InjectFault(f Fault) {
	if f.Kind < FaultStatus || f.Kind > FaultRaw {
		panic(fmt.Sprintf("zohotest: unknown FaultKind %d", f.Kind))
	}
	if f.Times <= 0 {
		f.Times = 1
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f)
}

func (f Fault) matches(path, grantType string) bool {
	return (f.Path == "" || f.Path == path) && (f.GrantType == "" || f.GrantType == grantType)
}

// takeFault consumes one hit of the oldest fault matching the request.
func (e *Emulator) takeFault(path, grantType string) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := slices.IndexFunc(e.faults, func(f Fault) bool { return f.matches(path, grantType) })
	if i < 0 {
		return Fault{}, false
	}
	f := e.faults[i]
	e.faults[i].Times--
	if e.faults[i].Times == 0 {
		e.faults = slices.Delete(e.faults, i, i+1)
	}
	e.stats.Faults++
	return f, true
}

// applyFault answers a request as f says; serve is the normal handler.
func applyFault(w http.ResponseWriter, r *http.Request, f Fault, serve http.HandlerFunc) {
	switch f.Kind {
	case FaultStatus:
		writeOutage(w, f.Status, f.RetryAfter)
	case FaultHTML:
		writeHTML(w, http.StatusOK, maintenancePage)
	case FaultEmptyBody:
		w.Header().Set("Content-Type", jsonContentType)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case FaultDelay:
		if sleep(r.Context(), f.Delay) {
			serve(w, r)
		}
	case FaultCloseBefore:
		dropConnection(w)
	case FaultCloseAfter:
		serve(httptest.NewRecorder(), r) // the answer is computed, then lost
		dropConnection(w)
	case FaultRaw:
		writeRaw(w, r, f, serve)
	}
}

// writeRaw answers a FaultRaw fault.
func writeRaw(w http.ResponseWriter, r *http.Request, f Fault, serve http.HandlerFunc) {
	body := f.Body
	if f.Process {
		processed := httptest.NewRecorder()
		serve(processed, r)
		if body == "" {
			body = processed.Body.String()
		}
		// Delay with Process: Zoho has done the work (a code is spent)
		// and is slow to answer; a client that gives up loses the answer.
		if f.Delay > 0 && !sleep(r.Context(), f.Delay) {
			return
		}
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	} else {
		w.Header()["Content-Type"] = nil // no sniffed type either
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// sleep waits d unless ctx ends first (the client gave up: then the request
// is not processed, as a server would notice the closed connection).
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the connection under the request without a byte of
// answer, so the client sees EOF or a reset.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): aborting the handler resets the stream,
		// which the client sees the same way.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func writeOutage(w http.ResponseWriter, status int, retryAfter string) {
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	text := http.StatusText(status)
	writeHTML(w, status, fmt.Sprintf("<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>", status, text, text))
}

// maintenancePage is what Zoho's front ends serve during maintenance or when
// a request lands on a login page: HTML with status 200.
const maintenancePage = `<!DOCTYPE html>
<html><head><title>Zoho Accounts</title></head>
<body><h1>We'll be back soon</h1><p>Zoho Accounts is undergoing scheduled maintenance. Please try again later.</p></body></html>`

func writeHTML(w http.ResponseWriter, status int, page string) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
}
