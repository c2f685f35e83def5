package provider

// The token economy: Zoho lets one refresh token mint about 10 access tokens
// per 10 minutes, so instances share a token per process, token_cache_dir
// shares it across processes, and a throttle answer fails fast.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccAccessTokenEphemeral_twentyInstancesMintOncePerProcess(t *testing.T) {
	e := newTestEnv(t)
	refresh := e.refreshToken()
	cfg := e.providerConfig() + fmt.Sprintf(`
ephemeral "zoho_oauth_access_token" "t" {
  count         = 20
  refresh_token = %q
}

provider "echo" {
  data = distinct([for t in ephemeral.zoho_oauth_access_token.t : t.access_token])
}

resource "echo" "t" {}
`, refresh)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				// All 20 instances of the last command hold one and the same token.
				statecheck.ExpectKnownValue("echo.t", tfjsonpath.New("data"), knownvalue.ListSizeExact(1)),
			},
			Check: func(*terraform.State) error {
				mints, processes := e.emu.MintsFor(refresh), int(e.configures.Load())
				t.Logf("20 instances: %d mints over %d provider configurations", mints, processes)
				if mints != processes {
					return fmt.Errorf("%d mints for %d provider processes, want one per process", mints, processes)
				}
				return nil
			},
		}},
	})
}

func TestAccAccessTokenEphemeral_tokenCacheDir(t *testing.T) {
	e := newTestEnv(t)
	refresh := e.refreshToken()
	dir := filepath.Join(t.TempDir(), "zoho-cache")
	cfg := e.providerConfig(fmt.Sprintf("token_cache_dir = %q", dir)) + ephemeralFrom(refresh) + echoOf
	cacheFile := func() string {
		files, _ := filepath.Glob(filepath.Join(dir, "*.token"))
		if len(files) != 1 {
			t.Fatalf("cache files: %v, want exactly one", files)
		}
		return files[0]
	}
	var garbage = []byte("not a sealed token, and certainly not one of ours")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{
			{
				// plan, apply and the checks' plans are separate provider
				// configurations: together they mint once.
				Config: cfg,
				Check: func(s *terraform.State) error {
					if mints, processes := e.emu.MintsFor(refresh), e.configures.Load(); mints != 1 || processes < 2 {
						return fmt.Errorf("%d mints over %d provider processes, want 1 over at least 2", mints, processes)
					}
					return cacheSecrets(echoedValue(s, "access_token"), refresh, e.client.Secret).CheckPrivateFile(cacheFile())
				},
			},
			{
				// A corrupted entry is ignored and replaced.
				PreConfig: func() {
					if err := os.WriteFile(cacheFile(), garbage, 0o600); err != nil {
						t.Fatal(err)
					}
				},
				Config: strings.ReplaceAll(cfg, echoOf, echoAs("after_corruption")),
				Check: func(s *terraform.State) error {
					if mints := e.emu.MintsFor(refresh); mints != 2 {
						return fmt.Errorf("%d mints, want 2: the corrupt entry is replaced by one new token", mints)
					}
					return cacheSecrets(echoedValueAt(s, "echo.after_corruption", "access_token"), refresh, e.client.Secret).CheckPrivateFile(cacheFile())
				},
			},
			{
				// The replacement is a valid entry: no further mint, and ten
				// minutes later the cached token reports the time it has left.
				PreConfig: func() { e.clock.Advance(10 * time.Minute) },
				Config:    strings.ReplaceAll(cfg, echoOf, echoAs("later")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.later", echoed("expires_in"), knownvalue.Int64Exact(3000)),
				},
				Check: func(*terraform.State) error {
					if mints := e.emu.MintsFor(refresh); mints != 2 {
						return fmt.Errorf("%d mints, want still 2", mints)
					}
					return nil
				},
			},
		},
	})
}

// cacheSecrets are what a cache entry must not hold in clear.
func cacheSecrets(accessToken, refreshToken, clientSecret string) clitest.Secrets {
	return clitest.Secrets{"access token": accessToken, "refresh token": refreshToken, "client secret": clientSecret}
}

func TestAccAccessTokenEphemeral_throttledFailsFast(t *testing.T) {
	e := newTestEnv(t)
	refresh := e.refreshToken()
	e.emu.Throttle(refresh)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: e.factories(),
		TerraformVersionChecks:   ephemeralCLIs,
		Steps: []resource.TestStep{{
			Config:      e.providerConfig() + ephemeralFrom(refresh) + echoOf,
			ExpectError: errorText("Zoho Token Limit Reached", "about 10 access tokens per 10 minutes", "not retried", "token_cache_dir"),
		}},
	})
	if got := e.emu.Counters().ByGrantType["refresh_token"]; got != 1 {
		t.Errorf("%d refresh requests, want 1: a throttle answer is not retried", got)
	}
}

// min_token_lifetime decides whether a cached token is still worth handing
// out: one with less left is replaced, one with more is reused, across
// provider processes, through token_cache_dir and through token_cache_url
// alike. Time passes for the machine (the test clock) and, for the shared
// store, on the store's clock too (its objects' timestamps), which is the
// one a shared entry's age is read on.
func TestAccAccessTokenEphemeral_minTokenLifetime(t *testing.T) {
	for _, cache := range []struct {
		name, setting string
		shared        bool
	}{
		{"token_cache_dir", "token_cache_dir = %q", false},
		{"token_cache_url", `token_cache_url = "file://%s"`, true},
	} {
		t.Run(cache.name, func(t *testing.T) {
			e := newTestEnv(t)
			refresh := e.refreshToken()
			dir := filepath.Join(t.TempDir(), "zoho-cache")
			cacheLine := fmt.Sprintf(cache.setting, dir)
			var minted time.Time // when the step that minted the token began
			pass := func(d time.Duration) {
				e.clock.Advance(d)
				if cache.shared {
					ageObjects(t, dir, d)
				}
			}
			cfg := func(minLifetime, echoName string) string {
				return e.providerConfig(cacheLine, fmt.Sprintf("min_token_lifetime = %q", minLifetime)) +
					ephemeralFrom(refresh) + echoAs(echoName)
			}
			mints := func(want int) resource.TestCheckFunc {
				return func(*terraform.State) error {
					if got := e.emu.MintsFor(refresh); got != want {
						return fmt.Errorf("%d mints, want %d", got, want)
					}
					return nil
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				TerraformVersionChecks:   ephemeralCLIs,
				Steps: []resource.TestStep{
					{
						Config:      cfg("1h", "too_long"),
						ExpectError: errorText("Invalid Zoho Minimum Token Lifetime", "not shorter than the hour", `"15m"`),
					},
					// plan, apply and the checks' plans are separate
					// configurations: together they mint once.
					{Config: cfg("20m", "first"), Check: mints(1)},
					{
						// 15 minutes left is less than 20: a new token.
						PreConfig: func() { pass(45 * time.Minute); minted = time.Now() },
						Config:    cfg("20m", "renewed"),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("echo.renewed", echoed("expires_in"), about(3600, cache.shared, &minted)),
						},
						Check: mints(2),
					},
					{
						// 15 minutes left is more than 5: the cached token serves.
						PreConfig: func() { pass(45 * time.Minute) },
						Config:    cfg("5m", "reused"),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("echo.reused", echoed("expires_in"), about(900, cache.shared, &minted)),
						},
						Check: mints(2),
					},
				},
			})
		})
	}
}

// about is exactly want seconds, or, read from a shared store, less by at
// most the real time since the token was minted (since, the start of the
// step that minted it, plus a second for rounding): a shared entry's age is
// read on the store's clock, which no test clock moves.
func about(want int64, shared bool, since *time.Time) knownvalue.Check {
	if !shared {
		return knownvalue.Int64Exact(want)
	}
	return knownvalue.Int64Func(func(got int64) error {
		slack := int64((time.Since(*since) + time.Second) / time.Second)
		if got > want || got < want-slack {
			return fmt.Errorf("expires_in %d, want %d (or up to %d s less)", got, want, slack)
		}
		return nil
	})
}

// ageObjects makes every object of a file:// store d older, as d passing
// on the store's clock would.
func ageObjects(t *testing.T, dir string, d time.Duration) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		older := info.ModTime().Add(-d)
		if err := os.Chtimes(filepath.Join(dir, e.Name()), older, older); err != nil {
			t.Fatal(err)
		}
	}
}
