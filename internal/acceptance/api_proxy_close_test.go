package acceptance

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// leaveARequestRunning starts a request to ${ZOHO_API}slow in the
// background, detached from the provisioner (the CLI does not wait for it),
// and ends once upstream has it: the request is in flight when the
// provisioner, then the apply, ends. curl's status, answer and exit code
// go to status.txt, answer.txt and exit.txt; url.txt is for the test.
const leaveARequestRunning = `#!/bin/sh
printf '%s' "$ZOHO_API" >url.txt
nohup sh -c 'curl -sS -o answer.txt -w "%{http_code}" "${ZOHO_API}slow" >status.txt 2>curl.err; echo $? >exit.txt' \
	</dev/null >/dev/null 2>&1 &
tries=0
while [ ! -e arrived ]; do
	tries=$((tries + 1))
	if [ "$tries" -gt 600 ]; then
		echo "the request never reached upstream" >&2
		exit 1
	fi
	sleep 0.05
done
`

// TestAccAPIProxy_closeWithARequestInFlight ends an apply while a request
// through the proxy is still running against a slow upstream of the
// test's own (on loopback, checking the token as Zoho does). Close stops
// accepting at once, lets the request finish within request_timeout, and
// cuts it off after that with the warning "Zoho API Proxy Closed With
// Requests In Flight"; either way the apply ends.
//
// Both outcomes are made deterministic by handshakes, not by timing: the
// provisioner ends only once upstream holds the request, so it is in
// flight when Close comes. To finish, upstream holds its answer until the
// proxy refuses new connections (Close has begun) and only then answers:
// Close cannot have returned before the answer went out, so the request
// finishes within Close, whatever the machine's load. To be cut off,
// upstream answers at once but never ends its body, sending a byte every
// 200 ms: the proxy's own timeout (no progress for request_timeout) never
// fires, so only Close's bound can end it, always. A fixed hold shorter or
// longer than request_timeout would instead race Close's start against
// the hold, and a hold without progress would meet the proxy's own
// timeout first (a 504, before Close's bound).
func TestAccAPIProxy_closeWithARequestInFlight(t *testing.T) {
	_, cli, plugin := cliUnderTest(t, clitest.EphemeralResources)
	z := startZoho(t, zohotest.Options{}, zohotest.Client{})
	refresh := issueRefreshToken(t, z)
	const requestTimeout = 3 * time.Second

	// start applies with an upstream served by slow, and returns the run
	// once the apply has ended.
	start := func(ctx context.Context, t *testing.T, slow func(w http.ResponseWriter, r *http.Request, work string)) (*proxyRun, clitest.Result) {
		r := newProxyRun(ctx, t, cli, plugin, z, refresh, providerBlock(`request_timeout = "3s"`)+`
variable "upstream" {
  type = string
}

ephemeral "zoho_api_proxy" "slow" {
  refresh_token = var.refresh_token
  upstream      = var.upstream
}

resource "terraform_data" "leave_a_request_running" {
  provisioner "local-exec" {
    command     = "sh ./leave.sh"
    environment = { ZOHO_API = ephemeral.zoho_api_proxy.slow.url }
  }
}
`, map[string]string{"leave.sh": leaveARequestRunning})
		upstream := httptest.NewServer(z.Emu.RequireToken(z.DC, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			writeFile(t, filepath.Join(r.work, "arrived"), "")
			slow(w, req, r.work)
		})))
		t.Cleanup(upstream.Close)
		r.vars["TF_VAR_upstream"] = upstream.URL
		res := r.apply()
		t.Logf("%s apply: exit %d in %.1f s", cli.Name(), res.Code, res.Took.Seconds())
		if res.Code != 0 {
			t.Fatalf("%s apply: exit %d\n%s", cli.Name(), res.Code, clitest.Tail(r.secrets.Redact(res.Out), 40))
		}
		return r, res
	}
	// curlResult waits for the background curl to end: its exit code,
	// status and answer.
	curlResult := func(ctx context.Context, t *testing.T, r *proxyRun) (exit, status, answer string) {
		waitFor(ctx, t, func() bool { return strings.HasSuffix(r.file("exit.txt"), "\n") })
		return strings.TrimSpace(r.file("exit.txt")), r.file("status.txt"), r.file("answer.txt")
	}

	t.Run("finishes within request_timeout", func(t *testing.T) {
		ctx := parallel(t)
		closing := make(chan bool, 1)
		r, res := start(ctx, t, func(w http.ResponseWriter, _ *http.Request, work string) {
			closing <- refusesConnections(ctx, proxyAddress(t, work))
			_, _ = io.WriteString(w, "finished")
		})
		if !<-closing {
			t.Fatal("the proxy still accepted connections long after the apply's provisioner ended: Close never came")
		}
		if strings.Contains(res.Out, "Requests In Flight") {
			t.Errorf("Close warned about a request that finished:\n%s", clitest.Tail(res.Out, 20))
		}
		if exit, status, answer := curlResult(ctx, t, r); exit != "0" || status != "200" || answer != "finished" {
			t.Errorf("the request in flight got exit %s, status %s, answer %q (curl: %s), want 0, 200, its answer", exit, status, answer, r.file("curl.err"))
		}
	})

	t.Run("cut off after request_timeout", func(t *testing.T) {
		ctx := parallel(t)
		held := make(chan time.Duration, 1)
		r, res := start(ctx, t, func(w http.ResponseWriter, req *http.Request, _ string) {
			began := time.Now()
			defer func() { held <- time.Since(began) }()
			_, _ = io.WriteString(w, "start;")
			w.(http.Flusher).Flush()
			for {
				select {
				case <-req.Context().Done():
					return
				case <-time.After(200 * time.Millisecond):
					_, _ = io.WriteString(w, ".")
					w.(http.Flusher).Flush()
				}
			}
		})
		if !clitest.InOrder("Warning", "Zoho API Proxy Closed With Requests In Flight", "cut off").MatchString(res.Out) {
			t.Errorf("no warning that Close cut a request off:\n%s", clitest.Tail(res.Out, 20))
		}
		select {
		case d := <-held:
			if d < requestTimeout {
				t.Errorf("upstream's request ended %.1f s after it began, before request_timeout (%s): Close did not wait", d.Seconds(), requestTimeout)
			}
		case <-time.After(time.Minute):
			t.Fatal("the upstream attempt of the request cut off is still running")
		}
		if exit, status, answer := curlResult(ctx, t, r); exit == "0" || status != "200" || !strings.HasPrefix(answer, "start;") {
			t.Errorf("the request cut off got exit %s, status %s, answer %q, want a 200 whose body ends early (a curl error)", exit, status, answer)
		}
	})
}

// proxyAddress is the proxy's host:port, from the url.txt the provisioner
// wrote in work before it started the request.
func proxyAddress(t *testing.T, work string) string {
	raw, err := os.ReadFile(filepath.Join(work, "url.txt"))
	if err != nil {
		t.Error(err)
		return ""
	}
	host, _, _ := strings.Cut(strings.TrimPrefix(string(raw), "http://"), "/")
	return host
}

// refusesConnections waits (a minute at most) until nothing accepts
// connections at addr, and says whether that came.
func refusesConnections(ctx context.Context, addr string) bool {
	deadline := time.After(time.Minute)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		_ = conn.Close()
		select {
		case <-ctx.Done():
			return false
		case <-deadline:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}
