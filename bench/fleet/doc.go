// Command fleet simulates a fleet of CI jobs that share one Zoho refresh
// token, with and without the shared token cache (token_cache_url), and
// prints what Zoho saw as markdown tables: the main table, then the fault
// table. It is what `make bench-fleet` runs (with ZOHO_TEST_WEED set, so
// both tables, on S3); see the "Fleet simulation" section of BENCHMARKS.md
// for results.
//
//	go run ./bench/fleet                      # K = 1, 10, 30, 100; file:// store (S3 and the fault table with ZOHO_TEST_WEED)
//	go run ./bench/fleet -k 30 -store s3      # the S3 store through SeaweedFS
//	go run ./bench/fleet -k none -faults killed,hung -fault-k 10   # two rows of the fault table
//
// For each K and each cache setting it starts a fresh Zoho emulator
// (internal/zoho/zohotest, in this process, on loopback, with Zoho's limits:
// 10 mints per refresh token per 10 minutes, then blocked; 15 live access
// tokens, minting more silently kills the oldest), issues one new refresh
// token, and starts K jobs at once. Each job is what a CI runner does:
// `tofu plan -out=plan` then `tofu apply plan`, in its own directory with
// its own HOME, TMPDIR and token_cache_dir, so the jobs share nothing but the
// refresh token and, in the shared runs, the store behind token_cache_url.
// The job's configuration (job.tf) opens the ephemeral access token in both
// commands and calls Zoho's API with it in both: a data source at plan, a
// provisioner at apply. A job whose token Zoho throttled or killed fails.
//
// The provider is built once with `go build` and used through development
// overrides, as internal/cmd/dev-provider writes them (no `tofu init`,
// which cannot run offline); so is the Mastercard/restapi provider from
// scripts/tool.sh. tofu comes from scripts/tool.sh. All of it, the emulated
// Zoho, the jobs' environment and their process groups are internal/
// clitest's, the harness of the black-box tests, bench/cli and the demo.
//
// The store is a fresh file:// directory per run, or with -store s3 a fresh
// prefix in a SeaweedFS bucket (the weed binary named by ZOHO_TEST_WEED,
// which also makes s3 the default). Store requests are counted from
// outside the providers: S3 requests pass through a counting proxy; for
// file:// the provider runs under strace (opens, renames and unlinks only),
// and each operation on the store directory counts as the S3 request that
// would do the same. Without strace on PATH, file:// counts show "n/a".
//
// The fault table (faults.go; -faults, -fault-k, default K = 10 and 100)
// runs the same jobs, all with token_cache_url on S3 and request_timeout =
// 5 s, on a CI fleet's bad day, one fault per row: healthy, the store hung
// or erroring half the time (a TCP fault proxy, internal/testsupport/
// faultproxy, between the jobs and SeaweedFS), the lease holder throttled,
// slow or SIGKILLed mid-mint (the emulator's Throttle and InjectFault), the
// machines' clocks skewed by up to ±2 minutes (ZOHO_TEST_CLOCK_SKEW, read
// only by a provider built with -tags zohotestclock: the fault table builds
// it so for every row) and a corrupt entry planted in the store. Each row
// says what Zoho saw, how the jobs ended, and whether the target
// for that fault was met. It needs ZOHO_TEST_WEED.
//
// -mint-limit raises Zoho's 10 mints per 10 minutes, for a what-if: with
// the throttle out of the way, the 15-live-token cap kills tokens that
// jobs are still using, and those jobs fail with Zoho's INVALID_TOKEN.
//
// Speed and counts are reported, never asserted: the program fails only
// when it cannot run the fleet, not when a target is missed.
package main
