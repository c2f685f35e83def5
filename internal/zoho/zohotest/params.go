package zohotest

import (
	"mime"
	"net/http"
	"net/url"
)

// maxBodyBytes bounds request bodies; OAuth parameters are a few hundred
// bytes, and the whole multipart form is then kept in memory.
const maxBodyBytes = 1 << 20

// parseParams fills r.Form from the query string and from an
// x-www-form-urlencoded or multipart/form-data body: Zoho accepts the
// parameters in any of these, in any mix (its own SDKs use all three). As
// in net/http, body values come before query values, so r.Form.Get prefers
// the body. It returns the body parameters alone, for Requests().
func parseParams(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	var err error
	if isMultipart(r) {
		err = r.ParseMultipartForm(maxBodyBytes)
	} else {
		err = r.ParseForm()
	}
	return cloneValues(r.PostForm), err
}

func isMultipart(r *http.Request) bool {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mediaType == "multipart/form-data"
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
