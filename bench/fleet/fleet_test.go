package main

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

func TestParseKs(t *testing.T) {
	got, err := parseKs("k", "1, 10,30,100")
	if err != nil || !slices.Equal(got, []int{1, 10, 30, 100}) {
		t.Errorf("parseKs = %v, %v; want [1 10 30 100]", got, err)
	}
	for _, bad := range []string{"", "0", "10,", "ten", "-3"} {
		if _, err := parseKs("k", bad); err == nil {
			t.Errorf("parseKs(%q) accepted", bad)
		}
	}
}

func TestParseStores(t *testing.T) {
	cases := []struct {
		flag, weed string
		want       []string
		wantErr    string
	}{
		{flag: "auto", want: []string{"file"}},
		{flag: "auto", weed: "/bin/weed", want: []string{"s3"}},
		{flag: "none", weed: "/bin/weed", want: nil},
		{flag: "file,s3,file", weed: "/bin/weed", want: []string{"file", "s3"}},
		{flag: "s3", wantErr: "ZOHO_TEST_WEED"},
		{flag: "gs", wantErr: `unknown store "gs"`},
	}
	for _, tc := range cases {
		got, err := parseStores(tc.flag, tc.weed)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("parseStores(%q, %q) error = %v, want one mentioning %s", tc.flag, tc.weed, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("parseStores(%q, %q) = %v, %v; want %v", tc.flag, tc.weed, got, err, tc.want)
		}
	}
}

// The reasons in the table come from what the user would read: the
// provider's throttle diagnostic, the API's INVALID_TOKEN (in the CLI's
// output at plan, in curl's saved answer at apply), or the first error.
func TestFailureReason(t *testing.T) {
	exitErr := errors.New("exit status 1")
	cases := []struct {
		name      string
		out       string
		apiAnswer string
		want      string
	}{
		{"throttled", "Error: Zoho Token Limit Reached\n\nZoho throttled this token", "", reasonThrottled},
		{"killed at plan", `Error: unexpected response code '401': {"code":"INVALID_TOKEN"}`, "", reasonKilled},
		{"killed at apply", "Error: local-exec provisioner error", `{"code":"INVALID_TOKEN","status":"error"}`, reasonKilled},
		{"anything else", "Warning: x\n\nError: Invalid provider configuration\n\nError: second", "", "Invalid provider configuration"},
		{"no error line", "Killed", "", exitErr.Error()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := &job{dir: t.TempDir()}
			if tc.apiAnswer != "" {
				if err := os.WriteFile(filepath.Join(j.dir, "apply-api-call.json"), []byte(tc.apiAnswer), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := j.failureReason(context.Background(), []byte(tc.out), exitErr); got != tc.want {
				t.Errorf("failureReason = %q, want %q", got, tc.want)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	j := &job{dir: t.TempDir()}
	if got := j.failureReason(ctx, []byte("Error: Zoho Token Limit Reached"), exitErr); got != reasonTimeout {
		t.Errorf("failureReason after the job's deadline = %q, want %q", got, reasonTimeout)
	}
}

// A job runs plan, then apply only if the plan succeeded, each in the job's
// directory with the job's environment, and keeps both logs.
func TestJobRunsPlanThenApply(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "tofu")
	script := "#!/bin/sh\necho \"$1 in $(pwd) home=$HOME\" >>calls\n[ \"$1\" = plan ] && [ -n \"$FAIL_PLAN\" ] && { echo 'Error: Zoho Token Limit Reached'; exit 1; }\necho ok\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	j, err := newJob(filepath.Join(dir, "job-001"), []string{"PATH=" + os.Getenv("PATH")})
	if err != nil {
		t.Fatal(err)
	}
	if res := j.run(context.Background(), fake); res.failedIn != "" {
		t.Fatalf("job failed in %s: %s", res.failedIn, res.reason)
	}
	calls, _ := os.ReadFile(filepath.Join(j.dir, "calls"))
	want := "plan in " + j.dir + " home=" + filepath.Join(j.dir, "home") + "\napply in " + j.dir + " home=" + filepath.Join(j.dir, "home") + "\n"
	if string(calls) != want {
		t.Errorf("commands run:\n%s\nwant:\n%s", calls, want)
	}
	for _, log := range []string{"plan.log", "apply.log"} {
		if b, err := os.ReadFile(filepath.Join(j.dir, log)); err != nil || string(b) != "ok\n" {
			t.Errorf("%s = %q, %v", log, b, err)
		}
	}

	failing, err := newJob(filepath.Join(dir, "job-002"), []string{"PATH=" + os.Getenv("PATH"), "FAIL_PLAN=1"})
	if err != nil {
		t.Fatal(err)
	}
	res := failing.run(context.Background(), fake)
	if res.failedIn != "plan" || res.reason != reasonThrottled {
		t.Errorf("failing job: failedIn %q, reason %q; want plan, %q", res.failedIn, res.reason, reasonThrottled)
	}
	if calls, _ := os.ReadFile(filepath.Join(failing.dir, "calls")); strings.Contains(string(calls), "apply") {
		t.Error("apply ran after a failed plan")
	}
}

func TestStoreRequestsString(t *testing.T) {
	if got := (storeRequests{}).String(); got != "n/a" {
		t.Errorf("uncounted = %q, want n/a", got)
	}
	if got := (storeRequests{counted: true}).String(); got != "0" {
		t.Errorf("none = %q, want 0", got)
	}
	got := storeRequests{counted: true, byMethod: map[string]int{"PUT": 2, "GET": 40, "DELETE": 1}}.String()
	if want := "43 (DELETE 1, GET 40, PUT 2)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestJudgeTargets(t *testing.T) {
	ok := make([]jobResult, 30)
	throttledJobs := slices.Repeat([]jobResult{{failedIn: "plan", reason: reasonThrottled}}, 20)
	results := []runResult{
		{k: 30, store: "none", jobs: append(ok[:10:10], throttledJobs...), mints: 10, throttled: 20},
		{k: 30, store: "file", jobs: ok, mints: 1},
		{k: 30, store: "s3", jobs: ok, mints: 2},
		{k: 100, store: "file", mints: 2},
		{k: 100, store: "s3", mints: 3},
		{k: 10, store: "file", mints: 1},
	}
	got := judgeTargets(results)
	want := []string{
		"K=30 without token_cache_url: the throttle shows: 20 throttled, 20 job(s) failed: met",
		"K=30 with token_cache_url (file): 1 mint, 0 throttled: 1 mint(s), 0 throttled: met",
		"K=30 with token_cache_url (s3): 1 mint, 0 throttled: 2 mint(s), 0 throttled: MISSED",
		"K=100 with token_cache_url (file): at most 2 mints: 2 mint(s): met",
		"K=100 with token_cache_url (s3): at most 2 mints: 3 mint(s): MISSED",
	}
	if !slices.Equal(got, want) {
		t.Errorf("judgeTargets =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A file:// store's operations, as strace records them from the provider
// (these lines are from a real run, shortened), counted as S3 requests.
func TestCountFileOps(t *testing.T) {
	const trace = `9155  openat(AT_FDCWD, "/w/store/run/ab.token", O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC) = -1 ENOENT (No such file or directory)
9155  openat(AT_FDCWD, "/w/store/run/ab.59869180.lease", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 14
9155  openat(AT_FDCWD, "/w/store/run/ab.token", O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC <unfinished ...>
9156  openat(AT_FDCWD, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 7
9155  <... openat resumed>) = -1 ENOENT (No such file or directory)
9155  openat(AT_FDCWD, "/w/store/run/.tmp-ab.token-596103116", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 15
9155  renameat(AT_FDCWD, "/w/store/run/.tmp-ab.token-596103116", AT_FDCWD, "/w/store/run/ab.token") = 0
9155  unlinkat(AT_FDCWD, "/w/store/run/ab.59869180.lease", 0) = 0
9160  openat(AT_FDCWD, "/w/store/other-run/ab.token", O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC) = 14
9161  openat(AT_FDCWD, "/w/store/run/ab.token", O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC) = 14
9161  unlinkat(AT_FDCWD, "/w/store/run/.tmp-ab.token-1", 0) = 0
`
	got := map[string]int{}
	countFileOps(trace, "/w/store/run", got)
	want := map[string]int{"GET": 3, "PUT": 2, "DELETE": 1}
	if !maps.Equal(got, want) {
		t.Errorf("countFileOps = %v, want %v", got, want)
	}
}

// A job times, from what the CLI prints as it prints it, how long it
// waited for its token, and counts its provider processes that warned
// that the store failed.
func TestJobReadsTokenWaitAndWarnings(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "tofu")
	script := `#!/bin/sh
echo "ephemeral.zoho_oauth_access_token.ci: Opening..."
if [ "$1" = plan ]; then
	sleep 1
	printf '\nWarning: Zoho Shared Token Cache Unavailable\n\n'
	echo "ephemeral.zoho_oauth_access_token.ci: Open complete after 1s"
else
	echo "ephemeral.zoho_oauth_access_token.ci: Open complete after 0s"
fi
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	j, err := newJob(filepath.Join(dir, "job-001"), []string{"PATH=" + os.Getenv("PATH")})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	res := j.run(context.Background(), fake)
	if res.failedIn != "" || res.tokenWait < time.Second || res.tokenWait > 10*time.Second || res.warnings != 1 {
		t.Errorf("job: failed in %q, token wait %v, %d warnings; want success, about 1s, 1", res.failedIn, res.tokenWait, res.warnings)
	}
	if res.opening.Before(began) || res.opening.After(began.Add(res.wall)) {
		t.Errorf("opening at %v, not within the job (%v + %v)", res.opening, began, res.wall)
	}

	o := timeOpenings([]clitest.Line{{At: began, Text: tokenOpening}})
	if o.longest != -1 || !o.opening.Equal(began) {
		t.Errorf("an opening that never completed: longest %v, opening %v", o.longest, o.opening)
	}
}

// kill ends the running command's whole process group (what it started
// too), and no later command starts.
func TestJobKill(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "tofu")
	// The "provider" is a child in the command's process group.
	script := "#!/bin/sh\necho \"$1\" >>calls\nsleep 60 &\necho $! >child\nwait\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	j, err := newJob(filepath.Join(dir, "job-001"), []string{"PATH=" + os.Getenv("PATH")})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan jobResult)
	go func() { done <- j.run(context.Background(), fake) }()
	for {
		if b, _ := os.ReadFile(filepath.Join(j.dir, "child")); len(b) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	j.kill()
	select {
	case res := <-done:
		if res.failedIn != "plan" || res.reason != reasonSIGKILL {
			t.Errorf("killed job: failed in %q, reason %q; want plan, %q", res.failedIn, res.reason, reasonSIGKILL)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the killed job did not end")
	}
	if calls, _ := os.ReadFile(filepath.Join(j.dir, "calls")); string(calls) != "plan\n" {
		t.Errorf("commands run: %q, want only the plan", calls)
	}
}

func TestParseFaults(t *testing.T) {
	if got, err := parseFaults("all"); err != nil || len(got) != len(faults) {
		t.Errorf("parseFaults(all) = %d faults, %v; want %d", len(got), err, len(faults))
	}
	if got, err := parseFaults("none"); err != nil || len(got) != 0 {
		t.Errorf("parseFaults(none) = %v, %v", got, err)
	}
	got, err := parseFaults("killed, hung,killed")
	if err != nil || len(got) != 2 || got[0].name != "killed" || got[1].name != "hung" {
		t.Errorf("parseFaults(killed, hung,killed) = %v, %v", got, err)
	}
	if _, err := parseFaults("flood"); err == nil || !strings.Contains(err.Error(), "healthy, hung") {
		t.Errorf("parseFaults(flood) error = %v, want one listing the faults", err)
	}
}

// The skewed fault spreads the jobs' clocks over -2 to +2 minutes.
func TestSkewSpread(t *testing.T) {
	skewed := faults[slices.IndexFunc(faults, func(f *fault) bool { return f.name == "skewed" })]
	var got []string
	for i := range 5 {
		got = append(got, skewed.envOf(i, 5)...)
	}
	want := []string{"ZOHO_TEST_CLOCK_SKEW=-2m0s", "ZOHO_TEST_CLOCK_SKEW=-1m0s", "ZOHO_TEST_CLOCK_SKEW=0s", "ZOHO_TEST_CLOCK_SKEW=1m0s", "ZOHO_TEST_CLOCK_SKEW=2m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("skews = %v, want %v", got, want)
	}
	if got := skewed.envOf(0, 1); !slices.Equal(got, want[:1]) {
		t.Errorf("skew of a fleet of one = %v", got)
	}
}

// The lease lifetime of the fault table is the provider's: five attempts of
// 5 s, the backoff between them, and one store request.
func TestLeaseLifetime(t *testing.T) {
	if leaseLifetime <= 5*5*time.Second+faultRequestTimeout || leaseLifetime > time.Minute {
		t.Errorf("leaseLifetime = %v, want five 5 s attempts, their backoff and a 5 s store request", leaseLifetime)
	}
}

func TestFaultTargets(t *testing.T) {
	at := time.Unix(1000, 0)
	throttled := runResult{k: 3, refreshRequests: 1, tokenAnswers: []time.Time{at}, jobs: []jobResult{
		{failedIn: "plan", reason: reasonThrottled, opening: at.Add(-time.Second), ended: at.Add(time.Second)},
		{failedIn: "plan", reason: reasonThrottled, opening: at.Add(-time.Second), ended: at.Add(6 * time.Second)},
		// Began opening long after the answer: its lag runs from there.
		{failedIn: "plan", reason: reasonThrottled, opening: at.Add(20 * time.Second), ended: at.Add(22 * time.Second)},
	}}
	if c := everyJobThrottledSoonAfter(throttled, 5*time.Second); c.ok || c.got != "3 of 3 throttled, the slowest 6.0 s after" {
		t.Errorf("a throttled job 6 s after Zoho's answer: %+v", c)
	}
	throttled.jobs[1].ended = at.Add(4 * time.Second)
	if c := everyJobThrottledSoonAfter(throttled, 5*time.Second); !c.ok || c.got != "3 of 3 throttled, the slowest 4.0 s after" {
		t.Errorf("every job throttled within 4 s: %+v", c)
	}

	killed := runResult{tokenRequests: []time.Time{at, at.Add(38 * time.Second)}, jobs: []jobResult{
		{opening: at.Add(-time.Second)}, {opening: at.Add(3 * time.Second)}, {opening: at.Add(2 * time.Second)}, {},
	}}
	if got, want := takeover(killed), "the first waiter opened 2.0 s after the holder's request, the takeover's request 38.0 s after it"; got != want {
		t.Errorf("takeover = %q, want %q", got, want)
	}
	waits := []jobResult{{tokenWait: -1}, {tokenWait: 37 * time.Second}}
	if c := tokenWaitAtMost(waits, 37500*time.Millisecond, "the lease lifetime"); !c.ok || c.got != "longest token wait 37.0 s" {
		t.Errorf("a 37 s token wait: %+v", c)
	}

	goals, verdict := judge([]check{{goal: "a", got: "x", ok: true}, {goal: "b", got: "y", ok: false}})
	if goals != "a; b" || verdict != "MISSED: x; y" {
		t.Errorf("judge = %q, %q", goals, verdict)
	}
}

func TestJobPercentile(t *testing.T) {
	r := runResult{}
	for _, s := range []int{5, 1, 4, 2, 3} {
		r.jobs = append(r.jobs, jobResult{wall: time.Duration(s) * time.Second})
	}
	if p50, p100 := r.jobPercentile(50), r.jobPercentile(100); p50 != 3*time.Second || p100 != 5*time.Second {
		t.Errorf("p50, max = %v, %v; want 3s, 5s", p50, p100)
	}
}
