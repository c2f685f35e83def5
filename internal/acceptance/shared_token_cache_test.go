package acceptance

// The shared token cache (token_cache_url) as a CI fleet uses it: jobs that
// are separate CLI processes on separate "machines" (own work directory,
// HOME, TMPDIR and, for the clock tests, their own clock), sharing nothing
// but the store, against real or independent servers (SeaweedFS for S3,
// fake-gcs-server, Azurite, a file:// volume), healthy and under the faults
// a fleet meets: a hung or flaky store (through a TCP fault proxy), a
// throttled, slow or killed lease holder, skewed clocks, a corrupt entry,
// and a store that ignores conditional writes.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/azurite"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/faultproxy"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/gcsserver"
	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/s3server"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// fleet is a Zoho emulator, one client and refresh token, and the CLI with
// a provider built to take a per-machine clock (testclock.go in
// internal/provider).
type fleet struct {
	ctx     context.Context
	cli     clitest.CLI
	plugin  clitest.Plugin
	emu     *zohotest.Emulator
	zoho    *clitest.Zoho
	client  zohotest.Client
	refresh string
	secrets clitest.Secrets
	// base is every job's environment on top of the machine's own: the
	// store's variables and settings such as a short request_timeout.
	base map[string]string
}

func newFleet(t *testing.T) *fleet {
	ctx, cli, plugin := cliUnderTest(t, clitest.EphemeralResources, "-tags", "zohotestclock")
	z := startZoho(t, zohotest.Options{}, zohotest.Client{})
	f := &fleet{ctx: ctx, cli: cli, plugin: plugin, emu: z.Emu, zoho: z, client: z.Client, base: map[string]string{}}
	var err error
	if f.refresh, err = z.Emu.IssueRefreshToken(f.client.ID, []string{"ZohoCRM.users.READ"}); err != nil {
		t.Fatal(err)
	}
	f.secrets = clitest.Secrets{"refresh token": f.refresh, "client secret": f.client.Secret}
	return f
}

// use points every job at store.
func (f *fleet) use(store sharedStore) {
	f.base["ZOHO_TOKEN_CACHE_URL"] = store.url
	maps.Copy(f.base, store.env)
}

// start starts a CI job on a fresh runner, with vars added to its
// environment: `plan -out`, then `apply` of that plan, from one shell, so
// that the job is one process group that a test can kill whole (the CLI
// and its provider processes).
func (f *fleet) start(t *testing.T, vars map[string]string) *clitest.Process {
	machine := t.TempDir()
	work := filepath.Join(machine, "work")
	for _, d := range []string{work, filepath.Join(machine, "home"), filepath.Join(machine, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(work, "main.tf"), requiredZoho+ciJobConfig)
	all := map[string]string{"TF_VAR_refresh_token": f.refresh, "HOME": filepath.Join(machine, "home"), "TMPDIR": filepath.Join(machine, "tmp")}
	maps.Copy(all, f.zoho.Env())
	maps.Copy(all, f.base)
	maps.Copy(all, vars)
	job, err := clitest.Start(f.ctx, work, devEnv(t, work, f.plugin, all), "", "/bin/sh", "-c",
		`"$0" plan -input=false -no-color -out=tfplan && "$0" apply -input=false -no-color tfplan`, f.cli.Path)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// wait returns the job's output, secrets redacted, and an error unless it
// succeeded.
func (f *fleet) wait(job *clitest.Process) (string, error) {
	res, err := job.Wait()
	if err == nil && res.Code != 0 {
		err = fmt.Errorf("exit %d", res.Code)
	}
	return f.secrets.Redact(res.Out), err
}

// jobs runs n jobs at once, vars(i) added to job i's environment, and
// returns their outputs and errors.
func (f *fleet) jobs(t *testing.T, n int, vars func(i int) map[string]string) ([]string, []error) {
	runs := make([]*clitest.Process, n)
	for i := range n {
		var v map[string]string
		if vars != nil {
			v = vars(i)
		}
		runs[i] = f.start(t, v)
	}
	outs, errs := make([]string, n), make([]error, n)
	for i, j := range runs {
		outs[i], errs[i] = f.wait(j)
	}
	return outs, errs
}

// succeed fails the test unless every job succeeded.
func succeed(t *testing.T, outs []string, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("job %d: %v\n%s", i, err, clitest.Tail(outs[i], 30))
		}
	}
}

// refreshRequests is how many refresh requests reached Zoho.
func (f *fleet) refreshRequests() int { return f.emu.Counters().ByGrantType["refresh_token"] }

// sharedStore is a token_cache_url, what its clients need in their
// environment, and a view of what is in it.
type sharedStore struct {
	url     string
	env     map[string]string
	objects func(t *testing.T) map[string][]byte
	// put writes an object under the store's prefix, as a test plants one.
	put func(t *testing.T, name string, data []byte)
}

func envMap(kvs []string) map[string]string {
	env := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

func fileStore(t *testing.T) sharedStore {
	dir := filepath.Join(t.TempDir(), "shared-volume", "zoho")
	return sharedStore{url: "file://" + dir, env: map[string]string{},
		objects: func(t *testing.T) map[string][]byte {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			objects := map[string][]byte{}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				objects[e.Name()] = b
			}
			return objects
		},
		put: func(t *testing.T, name string, data []byte) {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, name), string(data))
		}}
}

// s3Store is a prefix of SeaweedFS's bucket; through, when set, is the
// fault proxy's address that the jobs reach the server through.
func s3Store(t *testing.T, srv *s3server.Server, prefix string, through *faultproxy.Proxy) sharedStore {
	tokenEndpoint := srv.Endpoint
	if through != nil {
		tokenEndpoint = "http://" + through.Addr()
	}
	url := (&url.URL{Scheme: "s3", Host: srv.Bucket, Path: "/" + prefix, RawQuery: url.Values{
		"endpoint": {tokenEndpoint}, "region": {srv.Region}, "use_path_style": {"true"}}.Encode()}).String()
	client := srv.Client()
	key := func(name string) *string { return aws.String(prefix + "/" + name) }
	return sharedStore{url: url, env: envMap(srv.Env()),
		objects: func(t *testing.T) map[string][]byte {
			ctx := context.Background()
			list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String(prefix + "/")})
			if err != nil {
				t.Fatal(err)
			}
			objects := map[string][]byte{}
			for _, o := range list.Contents {
				got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: o.Key})
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(got.Body)
				_ = got.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				objects[strings.TrimPrefix(aws.ToString(o.Key), prefix+"/")] = b
			}
			return objects
		},
		put: func(t *testing.T, name string, data []byte) {
			if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: key(name), Body: bytes.NewReader(data)}); err != nil {
				t.Fatal(err)
			}
		}}
}

// objectName is what the shared cache may name an object: a hash, and for
// a takeover claim a nonce's hash (anything else could leak something).
var objectName = regexp.MustCompile(`^[0-9a-f]{64}\.(token|lease|failed|[0-9a-f]{16}\.takeover)$`)

// checkStoreHoldsNothingUsable: hash-named objects only, no secret in any,
// and exactly one entry.
func (f *fleet) checkStoreHoldsNothingUsable(t *testing.T, store sharedStore) {
	t.Helper()
	var entries int
	for name, body := range store.objects(t) {
		if !objectName.MatchString(name) {
			t.Errorf("object %q is not named by a hash", name)
		}
		if strings.HasSuffix(name, ".token") {
			entries++
		}
		secrets := clitest.Secrets{"client id": f.client.ID}
		maps.Copy(secrets, f.secrets)
		if leaks := secrets.Leaks(name + "\n" + string(body)); len(leaks) != 0 {
			t.Errorf("object %s holds in clear: %s", name, strings.Join(leaks, ", "))
		}
	}
	if entries != 1 {
		t.Errorf("the store holds %d entries, want 1", entries)
	}
}

// The fleet's jobs are three: enough for a holder and two waiters, few
// enough for make test.
const fleetJobs = 3

// TestAccCLI_sharedTokenCacheFleet: jobs that start together on separate
// machines, sharing only token_cache_url, cost Zoho one mint in total on
// every kind of store; and the store holds only sealed entries under hashed
// names.
func TestAccCLI_sharedTokenCacheFleet(t *testing.T) {
	weed := s3server.New(t)
	for _, tt := range []struct {
		name  string
		store func(t *testing.T) sharedStore
	}{
		{"file", fileStore},
		{"s3 (SeaweedFS)", func(t *testing.T) sharedStore { return s3Store(t, weed, "fleet", nil) }},
		{"gs (fake-gcs-server)", func(t *testing.T) sharedStore {
			srv := gcsserver.New(t)
			return sharedStore{url: srv.URL("fleet"), env: envMap(srv.Env()), objects: func(*testing.T) map[string][]byte { return nil }}
		}},
		{"azblob (Azurite, Shared Key)", func(t *testing.T) sharedStore {
			srv := azurite.New(t, azurite.SharedKey)
			return sharedStore{url: srv.URL("fleet"), env: envMap(srv.Env()), objects: func(*testing.T) map[string][]byte { return nil }}
		}},
		{"azblob (Azurite, bearer token)", func(t *testing.T) sharedStore {
			srv := azurite.New(t, azurite.Bearer)
			return sharedStore{url: srv.URL("fleet"), env: envMap(srv.Env()), objects: func(*testing.T) map[string][]byte { return nil }}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFleet(t)
			store := tt.store(t)
			f.use(store)
			outs, errs := f.jobs(t, fleetJobs, nil)
			succeed(t, outs, errs)
			if got := f.emu.MintsFor(f.refresh); got != 1 {
				t.Errorf("%d jobs (plan and apply each) minted %d access tokens, want 1", fleetJobs, got)
			}
			for i, out := range outs {
				if strings.Contains(out, "Warning: Zoho") {
					t.Errorf("job %d warned:\n%s", i, clitest.Tail(out, 20))
				}
			}
			if store.objects(t) != nil {
				f.checkStoreHoldsNothingUsable(t, store)
			}
		})
	}
}

// TestAccCLI_sharedTokenCacheFaults: what each fault a fleet meets costs,
// through the real CLI. request_timeout is 2 s and max_retries 1, so a
// lease holder promises an outcome within 2 × 2 s + 0.5 s of backoff + one
// 2 s store request.
func TestAccCLI_sharedTokenCacheFaults(t *testing.T) {
	weed := s3server.New(t)
	fast := map[string]string{"ZOHO_REQUEST_TIMEOUT": "2s", "ZOHO_MAX_RETRIES": "1"}
	flaky := func(t *testing.T, f *fleet, mode faultproxy.Mode) *faultproxy.Proxy {
		proxy := faultproxy.New(t, strings.TrimPrefix(weed.Endpoint, "http://"))
		proxy.Set(mode)
		f.use(s3Store(t, weed, strings.ReplaceAll(t.Name(), "/", "-"), proxy))
		return proxy
	}

	t.Run("store hung", func(t *testing.T) {
		// It accepts connections and never answers: each command waits one
		// store deadline, warns, and goes on as without the cache.
		f := newFleet(t)
		maps.Copy(f.base, fast)
		flaky(t, f, faultproxy.BlackHole())
		f.expectHungStoreSkipped(t)
	})

	t.Run("store failing half the time", func(t *testing.T) {
		f := newFleet(t)
		maps.Copy(f.base, fast)
		flaky(t, f, faultproxy.FailFraction(0.5, 7))
		f.expectFailingStoreMostlyShared(t)
	})

	t.Run("holder throttled", func(t *testing.T) {
		// Zoho refuses the refresh token: every job fails with Zoho's
		// answer, and only the lease holder asked.
		f := newFleet(t)
		maps.Copy(f.base, fast)
		f.use(s3Store(t, weed, "throttled", nil))
		f.emu.Throttle(f.refresh)
		outs, errs := f.jobs(t, fleetJobs, nil)
		fleetAnswers := 0
		for i, out := range outs {
			if errs[i] == nil || !strings.Contains(out, "Zoho Token Limit Reached") {
				t.Errorf("job %d: %v; want Zoho's throttle diagnostic:\n%s", i, errs[i], clitest.Tail(out, 30))
			}
			if strings.Contains(out, "did not ask Zoho") {
				fleetAnswers++
			}
		}
		if got := f.refreshRequests(); got != 1 {
			t.Errorf("%d requests to Zoho for %d jobs on a throttled token, want 1", got, fleetJobs)
		}
		if fleetAnswers != fleetJobs-1 {
			t.Errorf("%d jobs say they got the fleet's answer without asking Zoho, want %d", fleetAnswers, fleetJobs-1)
		}
	})

	t.Run("holder slow", func(t *testing.T) {
		// The holder's first attempt outlives request_timeout and its retry
		// succeeds: the others wait for it (its whole budget), one mint.
		f := newFleet(t)
		maps.Copy(f.base, fast)
		f.use(s3Store(t, weed, "slow", nil))
		f.emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token", GrantType: "refresh_token", Kind: zohotest.FaultDelay, Delay: 3 * time.Second})
		outs, errs := f.jobs(t, fleetJobs, nil)
		succeed(t, outs, errs)
		if got := f.emu.MintsFor(f.refresh); got != 1 {
			t.Errorf("%d mints, want 1", got)
		}
		if got := f.refreshRequests(); got != 2 {
			t.Errorf("%d requests to Zoho, want 2 (the holder's attempt that timed out, then its retry)", got)
		}
	})

	t.Run("holder killed", func(t *testing.T) {
		// The holder's CI job is killed mid-mint: the others wait at most
		// its lease's lifetime, then exactly one mints.
		f := newFleet(t)
		// A lease of 8 s + 8 s: long enough that the others arrive while
		// the holder's is live (as they would in a burst), short enough for
		// make test.
		maps.Copy(f.base, map[string]string{"ZOHO_REQUEST_TIMEOUT": "8s", "ZOHO_MAX_RETRIES": "0"})
		f.use(s3Store(t, weed, "killed", nil))
		f.emu.InjectFault(zohotest.Fault{Path: "/oauth/v2/token", GrantType: "refresh_token", Kind: zohotest.FaultDelay, Delay: time.Minute})
		holder := f.start(t, nil)
		waitFor(f.ctx, t, func() bool { return f.refreshRequests() == 1 })
		others := make([]*clitest.Process, fleetJobs+1) // enough waiters that "each mints" shows
		for i := range others {
			others[i] = f.start(t, nil)
		}
		time.Sleep(time.Second) // the others are waiting on its lease
		if err := holder.Kill(); err != nil {
			t.Fatal(err)
		}
		_, _ = f.wait(holder)
		for i, j := range others {
			if out, err := f.wait(j); err != nil {
				t.Fatalf("job %d: %v\n%s", i+1, err, clitest.Tail(out, 30))
			}
		}
		if got := f.emu.MintsFor(f.refresh); got != 1 {
			t.Errorf("%d mints after the holder was killed, want 1 (one waiter's, once the lease expired)", got)
		}
	})

	t.Run("clocks skewed", func(t *testing.T) {
		// Machines whose clocks are minutes apart share one lease and one
		// token.
		f := newFleet(t)
		f.use(s3Store(t, weed, "skewed", nil))
		skews := []string{"-2m", "2m", "-90s", "75s"}
		outs, errs := f.jobs(t, fleetJobs, func(i int) map[string]string {
			return map[string]string{"ZOHO_TEST_CLOCK_SKEW": skews[i%len(skews)]}
		})
		succeed(t, outs, errs)
		if got := f.emu.MintsFor(f.refresh); got != 1 {
			t.Errorf("%d mints from machines with skewed clocks, want 1", got)
		}
	})

	t.Run("corrupt entry", func(t *testing.T) {
		// A garbled entry is replaced by the next mint; no warning, and the
		// cache stays on.
		f := newFleet(t)
		store := fileStore(t)
		f.use(store)
		key := tokencache.Key{AccountsURL: f.zoho.AccountsURL, ClientID: f.client.ID, ClientSecret: f.client.Secret, RefreshToken: f.refresh}
		store.put(t, key.ID()+".token", []byte("not a sealed entry, and certainly not one of ours"))
		outs, errs := f.jobs(t, fleetJobs, nil)
		succeed(t, outs, errs)
		for i, out := range outs {
			if strings.Contains(out, "Warning: Zoho") {
				t.Errorf("job %d warned about a corrupt entry:\n%s", i, clitest.Tail(out, 20))
			}
		}
		if got := f.emu.MintsFor(f.refresh); got != 1 {
			t.Errorf("%d mints, want 1", got)
		}
		f.checkStoreHoldsNothingUsable(t, store)
	})

	t.Run("store ignoring conditional writes", func(t *testing.T) {
		// A GCS-compatible store that drops the create-if-absent condition
		// cannot keep the fleet to one mint: each job says so.
		f := newFleet(t)
		srv := gcsserver.New(t)
		strip := faultproxy.NewHTTP(t, srv.Endpoint, faultproxy.HTTPOptions{})
		strip.Strip([]string{"ifGenerationMatch"}, nil)
		f.use(sharedStore{url: srv.URL("unconditional"), env: map[string]string{"STORAGE_EMULATOR_HOST": strip.Addr()}})
		outs, errs := f.jobs(t, fleetJobs, nil)
		succeed(t, outs, errs)
		noticed := 0
		for _, out := range outs {
			if strings.Contains(out, "Warning: Zoho Shared Token Cache Cannot Arbitrate") {
				noticed++
			}
		}
		if noticed == 0 {
			t.Error("no job said the store ignores conditional writes")
		}
	})
}

// unavailableWarnings counts a job's warnings that the shared cache was off.
func unavailableWarnings(out string) int {
	return strings.Count(out, "Warning: Zoho Shared Token Cache Unavailable")
}

// expectHungStoreSkipped runs the fleet against a store that accepts
// connections and never answers (request_timeout 2s): each command waits
// one store deadline, warns naming it, and goes on as without the cache.
func (f *fleet) expectHungStoreSkipped(t *testing.T) {
	t.Helper()
	outs, errs := f.jobs(t, fleetJobs, nil)
	succeed(t, outs, errs)
	for i, out := range outs {
		if unavailableWarnings(out) != 2 || !strings.Contains(strings.Join(strings.Fields(out), " "), "no answer within 2s") {
			t.Errorf("job %d: want one warning per command naming the store's deadline:\n%s", i, clitest.Tail(out, 40))
		}
	}
	if got := f.refreshRequests(); got != 2*fleetJobs {
		t.Errorf("%d requests to Zoho, want %d: one per command, as without the cache", got, 2*fleetJobs)
	}
}

// expectFailingStoreMostlyShared runs the fleet against a store that fails
// some requests: one mint for the fleet, plus at most one per command that
// saw the store fail (and went on without it).
func (f *fleet) expectFailingStoreMostlyShared(t *testing.T) {
	t.Helper()
	outs, errs := f.jobs(t, fleetJobs, nil)
	succeed(t, outs, errs)
	warned := 0
	for _, out := range outs {
		warned += unavailableWarnings(out)
	}
	if got := f.refreshRequests(); got > 1+warned {
		t.Errorf("%d requests to Zoho with %d commands that saw the store fail, want at most %d", got, warned, 1+warned)
	}
}

// TestAccCLI_sharedTokenCacheFaultsOverHTTP: the gs:// and azblob://
// stores are this project's own HTTP clients (the s3:// one is the AWS
// SDK's), so their deadlines and retries are checked on their own, against
// fake-gcs-server and Azurite behind the fault proxy: a store that never
// answers costs each command one store deadline and a warning, and one that
// fails half its requests still leaves the fleet at one mint plus one per
// command that saw it fail.
func TestAccCLI_sharedTokenCacheFaultsOverHTTP(t *testing.T) {
	fast := map[string]string{"ZOHO_REQUEST_TIMEOUT": "2s", "ZOHO_MAX_RETRIES": "1"}
	for _, store := range []struct {
		name string
		// through is the store's URL and environment, reached through
		// the fault proxy.
		through func(t *testing.T, mode faultproxy.Mode) sharedStore
	}{
		{"gs (fake-gcs-server)", func(t *testing.T, mode faultproxy.Mode) sharedStore {
			srv := gcsserver.New(t)
			proxy := faultproxy.New(t, srv.Host)
			proxy.Set(mode)
			return sharedStore{url: srv.URL("faults"), env: map[string]string{"STORAGE_EMULATOR_HOST": proxy.Addr()}}
		}},
		{"azblob (Azurite, Shared Key)", func(t *testing.T, mode faultproxy.Mode) sharedStore {
			srv := azurite.New(t, azurite.SharedKey)
			proxy := faultproxy.New(t, srv.Host)
			proxy.Set(mode)
			env := envMap(srv.Env())
			env["AZURE_STORAGE_DOMAIN"] = proxy.Addr()
			return sharedStore{url: srv.URL("faults"), env: env}
		}},
	} {
		t.Run(store.name, func(t *testing.T) {
			t.Run("store hung", func(t *testing.T) {
				f := newFleet(t)
				maps.Copy(f.base, fast)
				f.use(store.through(t, faultproxy.BlackHole()))
				f.expectHungStoreSkipped(t)
			})
			t.Run("store failing half the time", func(t *testing.T) {
				f := newFleet(t)
				maps.Copy(f.base, fast)
				f.use(store.through(t, faultproxy.FailFraction(0.5, 7)))
				f.expectFailingStoreMostlyShared(t)
			})
		})
	}
}

// TestAccCLI_sharedTokenCacheUnavailableIsAWarning: a store that is down or
// refuses this machine's credentials costs one warning per command naming
// token_cache_url, and the job succeeds without it.
func TestAccCLI_sharedTokenCacheUnavailableIsAWarning(t *testing.T) {
	srv := s3server.New(t)
	for _, tt := range []struct {
		name  string
		store func(t *testing.T) sharedStore
		want  string // in the warning's detail
	}{
		{"s3 unreachable", func(t *testing.T) sharedStore {
			s := s3Store(t, srv, "down", nil)
			// Port 1 on loopback: nothing listens there.
			s.url = "s3://" + srv.Bucket + "/down?endpoint=http://127.0.0.1:1&region=" + srv.Region + "&use_path_style=true"
			return s
		}, "connect"},
		{"s3 access denied", func(t *testing.T) sharedStore {
			s := s3Store(t, srv, "denied", nil)
			s.env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-key"
			return s
		}, "looking up the entry"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFleet(t)
			f.use(tt.store(t))
			outs, errs := f.jobs(t, 1, nil)
			succeed(t, outs, errs)
			out := outs[0]
			if got := unavailableWarnings(out); got != 2 {
				t.Errorf("%d warnings about the shared cache, want one for plan and one for apply:\n%s", got, clitest.Tail(out, 40))
			}
			for _, want := range []string{"token_cache_url", tt.want, "This run goes on without it"} {
				if !strings.Contains(out, want) {
					t.Errorf("the warning does not say %q:\n%s", want, clitest.Tail(out, 40))
				}
			}
			if strings.Contains(out, srv.SecretKey) || strings.Contains(out, "not-the-secret-key") {
				t.Error("the output holds the store's secret key")
			}
			if got := f.emu.MintsFor(f.refresh); got != 2 {
				t.Errorf("%d mints, want 2 (plan and apply, each without the store)", got)
			}
		})
	}
}
