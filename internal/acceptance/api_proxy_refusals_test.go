package acceptance

import (
	"strings"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// probes makes one request of each kind the proxy must refuse, and two it
// must forward, with curl as a local process would: each line of
// probes.out is a case and the status the proxy answered (for CONNECT, the
// tunnel's). Every request carries case=<name> in its query, so the
// emulator's record of what reached it shows which were forwarded.
// $UPSTREAM is the API's host:port, which the forward-proxy attempts name.
const probes = `#!/bin/sh
origin=${ZOHO_API%/*/}  # http://127.0.0.1:<port>
port=${origin##*:}
users='crm/v8/users?type=CurrentUser'
status='%{http_code}'
probe() {
	name=$1
	shift
	echo "$name $(curl -s -o /dev/null -w "${WRITE_OUT:-$status}" "$@")" >>probes.out
}
probe control "${ZOHO_API}${users}&case=control"
probe no-prefix "${origin}/${users}&case=no-prefix"
probe other-prefix "${origin}/0123456789abcdef0123456789abcdef/${users}&case=other-prefix"
probe foreign-host -H "Host: attacker.example:${port}" "${ZOHO_API}${users}&case=foreign-host"
probe authorization -H 'Authorization: Zoho-oauthtoken not-the-proxys-token' -H 'Cookie: session=not-the-proxys-cookie' \
	"${ZOHO_API}${users}&case=authorization"
probe dot-segments --path-as-is "${ZOHO_API}crm/v8/../v8/users?type=CurrentUser&case=dot-segments"
# The proxy as an HTTP forward proxy: absolute-form to the API itself, and
# to its own prefix; --noproxy '' overrides NO_PROXY for -x.
probe absolute-form --noproxy '' -x "$origin" "http://${UPSTREAM}/${users}&case=absolute-form"
probe absolute-form-own --noproxy '' -x "$origin" "${ZOHO_API}${users}&case=absolute-form-own"
WRITE_OUT='%{http_connect}' probe connect --noproxy '' -p -x "$origin" "http://${UPSTREAM}/${users}&case=connect"
`

// TestAccAPIProxy_refusesWhatItMustNotForward sends the proxy, from a
// provisioner's curl while the CLI runs it, every request it must refuse:
// a path without its prefix or with another (404), a foreign Host header,
// as from a web page that rebound its name to 127.0.0.1 (421), "." or ".."
// segments (400), an absolute-form request, the proxy used as a forward
// proxy (400), and CONNECT (405). None reaches the API: the emulator
// records every request that arrives, and only the two that must be
// forwarded did, one of them with the proxy's token in place of the
// Authorization and Cookie headers curl sent.
//
// An upstream outside Zoho is refused before any proxy serves: at
// validate when the configuration names it, at apply (when the proxy
// opens) when it is known only then; both with the diagnostic naming
// upstream, and no API call.
func TestAccAPIProxy_refusesWhatItMustNotForward(t *testing.T) {
	ctx, cli, plugin := cliUnderTest(t, clitest.EphemeralResources)
	z := startZoho(t, zohotest.Options{}, zohotest.Client{})
	refresh := issueRefreshToken(t, z)

	t.Run("requests", func(t *testing.T) {
		r := newProxyRun(ctx, t, cli, plugin, z, refresh, providerBlock()+`
variable "upstream_host" {
  type = string
}

ephemeral "zoho_api_proxy" "crm" {
  refresh_token = var.refresh_token
}

resource "terraform_data" "probes" {
  provisioner "local-exec" {
    command     = "sh ./probes.sh"
    environment = { ZOHO_API = ephemeral.zoho_api_proxy.crm.url, UPSTREAM = var.upstream_host }
  }
}
`, map[string]string{"probes.sh": probes})
		r.vars["TF_VAR_upstream_host"] = strings.TrimPrefix(z.APIURL, "http://")
		r.mustApply()
		want := map[string]string{
			"control": "200", "authorization": "200",
			"no-prefix": "404", "other-prefix": "404", "foreign-host": "421", "dot-segments": "400",
			"absolute-form": "400", "absolute-form-own": "400", "connect": "405",
		}
		got := map[string]string{}
		for line := range strings.Lines(r.file("probes.out")) {
			name, status, _ := strings.Cut(strings.TrimSpace(line), " ")
			got[name] = status
		}
		for name, status := range want {
			if got[name] != status {
				t.Errorf("%s: the proxy answered %q, want %s", name, got[name], status)
			}
		}
		forwarded := map[string]zohotest.RecordedRequest{}
		for _, req := range z.Emu.Requests() {
			if name := caseOf(req.RawQuery); name != "" {
				forwarded[name] = req
			}
			for _, values := range req.Header {
				for _, v := range values {
					if strings.Contains(v, "not-the-proxys") {
						t.Errorf("the emulator got the client's own credential %q (%s %s?%s)", v, req.Method, req.Path, req.RawQuery)
					}
				}
			}
		}
		for name := range forwarded {
			if name != "control" && name != "authorization" {
				t.Errorf("the %s request reached the API: %s %s", name, forwarded[name].Method, forwarded[name].Path)
			}
		}
		auth, ok := forwarded["authorization"]
		switch {
		case !ok || len(forwarded) != 2:
			t.Errorf("forwarded %d requests (want control and authorization)", len(forwarded))
		case !clitest.TokenShape.MatchString(auth.Header.Get("Authorization")) || !strings.HasPrefix(auth.Header.Get("Authorization"), "Zoho-oauthtoken "):
			t.Errorf("the forwarded request's Authorization is not the proxy's token: %s", r.secrets.Redact(auth.Header.Get("Authorization")))
		case auth.Header.Get("Cookie") != "":
			t.Error("the forwarded request still has a Cookie header")
		}
	})

	foreign := `upstream = "https://collector.example.com"`
	for _, tc := range []struct {
		name, upstream string
		command        []string
	}{
		{"foreign upstream in the configuration, at validate", foreign, []string{"validate", "-no-color"}},
		{"foreign upstream known at apply, at open", `upstream = terraform_data.later.output`, []string{"apply", "-auto-approve", "-input=false", "-no-color"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newProxyRun(ctx, t, cli, plugin, z, refresh, providerBlock()+`
resource "terraform_data" "later" {
  input = "https://collector.example.com"
}

ephemeral "zoho_api_proxy" "crm" {
  refresh_token = var.refresh_token
  `+tc.upstream+`
}

resource "terraform_data" "call" {
  provisioner "local-exec" {
    command     = "curl -sS \"$${ZOHO_API}crm/v8/users?type=CurrentUser&case=foreign-upstream\""
    environment = { ZOHO_API = ephemeral.zoho_api_proxy.crm.url }
  }
}
`, nil)
			before := z.Emu.Counters().APICalls
			res := run(ctx, t, cli, r.work, devEnv(t, r.work, plugin, r.vars), tc.command...)
			if res.Code == 0 {
				t.Fatalf("%s %s succeeded with an upstream outside Zoho", cli.Name(), tc.command[0])
			}
			if !clitest.InOrder("Invalid Zoho API Proxy Upstream", "collector.example.com", "not a Zoho host", "upstream").MatchString(res.Out) {
				t.Errorf("%s %s did not fail on upstream:\n%s", cli.Name(), tc.command[0], clitest.Tail(r.secrets.Redact(res.Out), 30))
			}
			if n := z.Emu.Counters().APICalls - before; n != 0 {
				t.Errorf("%d API calls with a foreign upstream, want 0", n)
			}
		})
	}
}

// caseOf is the case=<name> of a probe's query ("" when none).
func caseOf(rawQuery string) string {
	for part := range strings.SplitSeq(rawQuery, "&") {
		if name, ok := strings.CutPrefix(part, "case="); ok {
			return name
		}
	}
	return ""
}
