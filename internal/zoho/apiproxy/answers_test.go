package apiproxy_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// Upstream's answers reach the client as sent: status, headers (cookies
// included), body, and a stream as it flows.
func TestAnswersPassThroughUnchanged(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	release := make(chan struct{})
	upstream := v.protected(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stream" {
			_, _ = io.WriteString(w, "first;")
			w.(http.Flusher).Flush()
			<-release
			_, _ = io.WriteString(w, "second")
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Header().Add("Set-Cookie", "crmcsr=abc; Path=/")
		w.Header().Set("X-Ratelimit-Remaining", "99")
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, `{"data":[]}`)
	})
	p := v.start(upstream, nil)

	a := v.get(p.URL() + "plain")
	if a.status != http.StatusTeapot || a.body != `{"data":[]}` || a.header.Get("Set-Cookie") != "crmcsr=abc; Path=/" ||
		a.header.Get("X-Ratelimit-Remaining") != "99" || a.header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Errorf("answer changed on the way: %d %v %s", a.status, a.header, a.body)
	}

	resp, err := v.client.Do(newRequest(t, http.MethodGet, p.URL()+"stream", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("first;"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first;" {
		t.Fatalf("first chunk: %q %v (it must arrive before upstream sends the rest)", first, err)
	}
	close(release)
	if rest, err := io.ReadAll(resp.Body); err != nil || string(rest) != "second" {
		t.Errorf("rest of the stream: %q %v", rest, err)
	}
}

// Which 401s count as Zoho's invalid-token answer: those are replayed
// with a new token; any other reaches the client byte for byte, and no
// token is invalidated for it.
func TestInvalidTokenAnswers(t *testing.T) {
	huge := `{"code":"INVALID_TOKEN","padding":"` + strings.Repeat("x", 70<<10) + `"}`
	cases := []struct {
		name    string
		header  http.Header
		body    string
		gzipped bool
		invalid bool
	}{
		{"CRM", nil, invalidTokenBody, false, true},
		{"CRM, gzipped", http.Header{"Content-Encoding": {"gzip"}}, invalidTokenBody, true, true},
		{"Mail", nil, `{"data":{"errorCode":"INVALID_OAUTHTOKEN"},"status":{"code":401,"description":"Invalid Input"}}`, false, true},
		{"Desk", nil, `{"errorCode":"INVALID_OAUTH","message":"The OAuth Token you provided is invalid."}`, false, true},
		{"Projects", nil, `{"error":{"status_code":"401","title":"INVALID_OAUTHTOKEN","details":[{"message":"Invalid OAuth access token."}]}}`, false, true},
		{"Projects, message only", nil, `{"error":{"code":6401,"message":"Invalid OAuth access token."}}`, false, true},
		{"Analytics", nil, `{"status":"failure","summary":"INVALID_OAUTHTOKEN","data":{"errorCode":8535}}`, false, true},
		{"message only, other case", nil, `{"message":"Invalid OAuth Token"}`, false, true},
		{"RFC 6750 header", http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}, "", false, true},
		{"scope mismatch", nil, `{"code":"OAUTH_SCOPE_MISMATCH","details":{},"message":"invalid oauth scope to access this URL","status":"error"}`, false, false},
		{"no body", nil, "", false, false},
		{"HTML", nil, "<html><body>401 INVALID_TOKEN</body></html>", false, false},
		{"code in an unrelated field", nil, `{"data":{"note":"INVALID_TOKEN"}}`, false, false},
		{"too deep", nil, `{"a":{"b":{"c":{"d":{"code":"INVALID_TOKEN"}}}}}`, false, false},
		{"larger than what is inspected", nil, huge, false, false},
		{"other encoding", http.Header{"Content-Encoding": {"br"}}, invalidTokenBody, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, zohotest.Options{})
			sent := []byte(tc.body)
			if tc.gzipped {
				sent = gzipped(t, tc.body)
			}
			var mu sync.Mutex
			refuse := "" // upstream refuses the first token it sees
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				if refuse == "" {
					refuse = r.Header.Get("Authorization")
				}
				refused := r.Header.Get("Authorization") == refuse
				mu.Unlock()
				if !refused {
					_, _ = io.WriteString(w, "accepted")
					return
				}
				for k, vals := range tc.header {
					w.Header()[k] = vals
				}
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write(sent)
			}))
			t.Cleanup(upstream.Close)
			p := v.start(upstream.URL, nil)

			req := newRequest(t, http.MethodGet, p.URL()+"x", nil)
			req.Header.Set("Accept-Encoding", "gzip") // so the client's transport leaves the body as sent
			resp, err := v.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			v.record(answer{status: resp.StatusCode, header: resp.Header, body: string(got)})
			_, invalidated := v.src.counts()
			if tc.invalid {
				if resp.StatusCode != http.StatusOK || string(got) != "accepted" || invalidated != 1 {
					t.Errorf("answered %d %.80q after %d invalidations; want the replay's 200 after 1", resp.StatusCode, got, invalidated)
				}
				return
			}
			if resp.StatusCode != http.StatusUnauthorized || !bytes.Equal(got, sent) || invalidated != 0 {
				t.Errorf("answered %d %.80q after %d invalidations; want upstream's 401 unchanged and none", resp.StatusCode, got, invalidated)
			}
		})
	}
}

// An upstream that refuses every token (another data center's, say) costs
// one extra mint, not one per request: Zoho's mint budget is small.
func TestUpstreamRefusingEveryTokenCostsOneMint(t *testing.T) {
	v := newEnv(t, zohotest.Options{})
	euOnly := v.serve(v.emu.RequireToken("eu", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	p := v.start(euOnly, nil)
	for range 5 {
		if a := v.get(p.URL() + "x"); a.status != http.StatusUnauthorized || a.body != invalidTokenBody {
			t.Fatalf("answered %d %s, want Zoho's 401", a.status, a.body)
		}
	}
	if mints, invalidated := v.src.counts(); mints != 2 || invalidated != 1 {
		t.Errorf("%d mints and %d invalidations for 5 refused requests, want 2 and 1", mints, invalidated)
	}
	if got := v.upstreamHits(); got != 6 {
		t.Errorf("upstream reached %d times, want 6 (one replay)", got)
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := io.WriteString(zw, s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
