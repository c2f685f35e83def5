package zohotest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// jsonContentType is exactly what Zoho sends, charset spelling included.
const jsonContentType = "application/json;charset=UTF-8"

// answer is a JSON response decided under the lock and written after it, so
// a slow client never holds the emulator's mutex.
type answer struct {
	status int
	body   any
}

func (a answer) write(w http.ResponseWriter) { writeJSON(w, a.status, a.body) }

// errorBody is Zoho's grant and credential error: the code and nothing else.
type errorBody struct {
	Error string `json:"error"`
}

// grantError is how Zoho reports grant and credential errors: HTTP 200.
func grantError(code string) answer {
	return answer{status: http.StatusOK, body: errorBody{Error: code}}
}

// describedError is for answers outside Zoho's protocol (bad method, unknown
// path, the admin endpoint), where a human-readable reason helps.
type describedError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	buf, err := json.Marshal(body)
	if err != nil {
		// Every body is one of this package's plain structs.
		panic("zohotest: encoding an answer: " + err.Error())
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(status)
	_, _ = w.Write(buf) // a client that hung up is not the emulator's problem
}

func writeMethodNotAllowed(w http.ResponseWriter, allowed string) {
	w.Header().Set("Allow", allowed)
	writeJSON(w, http.StatusMethodNotAllowed, describedError{
		Error:       "method_not_allowed",
		Description: "this endpoint accepts " + allowed + " only",
	})
}

func serveNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, describedError{
		Error:       "not_found",
		Description: "the Zoho Accounts emulator has nothing at " + r.URL.Path,
	})
}
