package provider

// The shared token cache (token_cache_url) as a CI fleet uses it: jobs that
// are separate CLI processes on separate "machines" (own work directory,
// HOME and TMPDIR), sharing nothing but the store, against a real
// S3-compatible server (SeaweedFS) and a file:// volume.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cd40c554/terraform-provider-zoho/internal/testsupport/s3server"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/tokencache"
	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

// fleet is a Zoho emulator, one client and refresh token, and the CLI.
type fleet struct {
	ctx       context.Context
	cli       string
	pluginDir string
	emu       *zohotest.Emulator
	url       string
	client    zohotest.Client
	refresh   string
}

func newFleet(t *testing.T) *fleet {
	ctx, cli, pluginDir := cliUnderTest(t, 10, "ephemeral resources")
	emu := zohotest.New(zohotest.Options{})
	f := &fleet{ctx: ctx, cli: cli, pluginDir: pluginDir, emu: emu, url: emu.StartServer(t, "us")}
	f.client = emu.RegisterClient(zohotest.Client{DC: "us"})
	var err error
	if f.refresh, err = emu.IssueRefreshToken(f.client.ID, []string{"ZohoCRM.users.READ"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// job runs `plan -out` then `apply` of that plan as one CI job on a fresh
// runner, with vars added to its environment, and returns both outputs.
func (f *fleet) job(t *testing.T, vars map[string]string) (string, error) {
	machine := t.TempDir()
	work := filepath.Join(machine, "work")
	for _, d := range []string{work, filepath.Join(machine, "home"), filepath.Join(machine, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(requiredProviders("zoho")+ciJobConfig), 0o600); err != nil {
		return "", err
	}
	all := map[string]string{
		"TF_VAR_refresh_token": f.refresh, envAccountsURL: f.url, envClientID: f.client.ID, envClientSecret: f.client.Secret,
		"HOME": filepath.Join(machine, "home"), "TMPDIR": filepath.Join(machine, "tmp"),
	}
	for k, v := range vars {
		all[k] = v
	}
	env := cliEnv(cliDevOverrides(t, work, f.pluginDir), all)
	var out bytes.Buffer
	for _, args := range [][]string{{"plan", "-input=false", "-no-color", "-out=tfplan"}, {"apply", "-input=false", "-no-color", "tfplan"}} {
		cmd := exec.CommandContext(f.ctx, f.cli, args...)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = work, env, &out, &out
		if err := cmd.Run(); err != nil {
			return f.redact(out.String()), fmt.Errorf("%s %s: %w", filepath.Base(f.cli), args[0], err)
		}
	}
	return f.redact(out.String()), nil
}

func (f *fleet) redact(s string) string { return redact(s, f.refresh, f.client.Secret) }

// jobs runs n jobs at once and returns their outputs.
func (f *fleet) jobs(t *testing.T, n int, vars map[string]string) []string {
	outs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { outs[i], errs[i] = f.job(t, vars) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("job %d: %v\n%s", i, err, tail(outs[i], 30))
		}
	}
	return outs
}

// sharedStore is a token_cache_url and what is in it.
type sharedStore struct {
	url     string
	env     map[string]string
	objects func(t *testing.T) map[string][]byte
}

func fileStore(t *testing.T) sharedStore {
	dir := filepath.Join(t.TempDir(), "shared-volume", "zoho")
	return sharedStore{url: "file://" + dir, env: map[string]string{}, objects: func(t *testing.T) map[string][]byte {
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
	}}
}

func s3Store(t *testing.T, srv *s3server.Server, prefix string) sharedStore {
	env := map[string]string{}
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return sharedStore{url: srv.URL(prefix), env: env, objects: func(t *testing.T) map[string][]byte {
		ctx := context.Background()
		client := srv.Client()
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
	}}
}

// objectName is what the shared cache may name an object: a hash, and for
// a lease the time bucket (anything else could leak something).
var objectName = regexp.MustCompile(`^[0-9a-f]{64}\.(token|[0-9]+\.lease)$`)

// TestAccCLI_sharedTokenCacheFleet: jobs that start together on separate
// machines, sharing only token_cache_url, cost Zoho one mint in total; and
// the store holds only sealed entries under hashed names.
func TestAccCLI_sharedTokenCacheFleet(t *testing.T) {
	const jobs = 4
	srv := s3server.New(t)
	for _, tt := range []struct {
		name  string
		store func(t *testing.T) sharedStore
	}{
		{"file", fileStore},
		{"s3", func(t *testing.T) sharedStore { return s3Store(t, srv, "fleet") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFleet(t)
			store := tt.store(t)
			vars := map[string]string{envTokenCacheURL: store.url}
			for k, v := range store.env {
				vars[k] = v
			}
			outs := f.jobs(t, jobs, vars)
			if got := f.emu.MintsFor(f.refresh); got != 1 {
				t.Errorf("%d jobs (plan and apply each) minted %d access tokens, want 1", jobs, got)
			}
			for i, out := range outs {
				if strings.Contains(out, "Warning: Zoho") {
					t.Errorf("job %d warned:\n%s", i, tail(out, 20))
				}
			}
			objects := store.objects(t)
			var entries int
			for name, body := range objects {
				if !objectName.MatchString(name) {
					t.Errorf("object %q is not named by a hash", name)
				}
				if strings.HasSuffix(name, ".token") {
					entries++
				}
				for what, secret := range map[string]string{"refresh token": f.refresh, "client secret": f.client.Secret, "client id": f.client.ID} {
					if bytes.Contains(body, []byte(secret)) || strings.Contains(name, secret) {
						t.Errorf("object %s holds the %s in clear", name, what)
					}
				}
				if zohoSecretShape.Match(body) {
					t.Errorf("object %s holds something shaped like a Zoho token", name)
				}
			}
			if entries != 1 {
				t.Errorf("the store holds %d entries (%v), want 1", entries, len(objects))
			}
		})
	}
}

// TestAccCLI_sharedTokenCacheFailureIsAWarning: a store that is down,
// refuses this machine's credentials, or holds garbage costs one warning per
// command naming token_cache_url, and the job succeeds without it.
func TestAccCLI_sharedTokenCacheFailureIsAWarning(t *testing.T) {
	srv := s3server.New(t)
	for _, tt := range []struct {
		name  string
		store func(t *testing.T, f *fleet) sharedStore
		want  string // in the warning's detail
	}{
		{"s3 unreachable", func(t *testing.T, _ *fleet) sharedStore {
			s := s3Store(t, srv, "down")
			// Port 1 on loopback: nothing listens there.
			s.url = "s3://" + srv.Bucket + "/down?endpoint=http://127.0.0.1:1&region=" + srv.Region + "&use_path_style=true"
			return s
		}, "connect"},
		{"s3 access denied", func(t *testing.T, _ *fleet) sharedStore {
			s := s3Store(t, srv, "denied")
			s.env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-key"
			return s
		}, "looking up the entry"},
		{"file garbage", func(t *testing.T, f *fleet) sharedStore {
			s := fileStore(t)
			dir := strings.TrimPrefix(s.url, "file://")
			key := tokencache.Key{AccountsURL: f.url, ClientID: f.client.ID, ClientSecret: f.client.Secret, RefreshToken: f.refresh}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, key.ID()+".token"), "not a sealed entry, and certainly not one of ours")
			return s
		}, "unreadable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFleet(t)
			store := tt.store(t, f)
			vars := map[string]string{envTokenCacheURL: store.url}
			for k, v := range store.env {
				vars[k] = v
			}
			out := f.jobs(t, 1, vars)[0]
			if got := strings.Count(out, "Warning: Zoho Shared Token Cache Unavailable"); got != 2 {
				t.Errorf("%d warnings about the shared cache, want one for plan and one for apply:\n%s", got, tail(out, 40))
			}
			for _, want := range []string{"token_cache_url", tt.want, "This run goes on without it"} {
				if !strings.Contains(out, want) {
					t.Errorf("the warning does not say %q:\n%s", want, tail(out, 40))
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
