package repocheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// .github/cli-versions.json is the one list of the CLI versions the
// acceptance tests run against in CI. These tests keep the other places
// that name CLI versions in agreement with it.
const cliVersionsPath = "../../.github/cli-versions.json"

type cliVersions struct {
	Terraform []string `json:"terraform"`
	OpenTofu  []string `json:"opentofu"`
}

func readCLIVersions(t *testing.T) cliVersions {
	t.Helper()
	b, err := os.ReadFile(cliVersionsPath)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var v cliVersions
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", cliVersionsPath, err)
	}
	return v
}

// minorPattern is how the list names a minor: "1.14.*", every patch of it
// (setup-terraform and setup-opentofu take the newest).
var minorPattern = regexp.MustCompile(`^(\d+)\.(\d+)\.\*$`)

// minors parses a list into [major, minor] pairs.
func minors(t *testing.T, cli string, list []string) [][2]int {
	t.Helper()
	var out [][2]int
	for _, v := range list {
		m := minorPattern.FindStringSubmatch(v)
		if m == nil {
			t.Errorf("%s: %s version %q is not MAJOR.MINOR.*", cliVersionsPath, cli, v)
			continue
		}
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		out = append(out, [2]int{major, minor})
	}
	if !slices.IsSortedFunc(out, func(a, b [2]int) int { return slices.Compare(a[:], b[:]) }) || len(slices.Compact(slices.Clone(out))) != len(out) {
		t.Errorf("%s: the %s versions %q are not in increasing order without repeats", cliVersionsPath, cli, list)
	}
	return out
}

func TestCLIVersions_listed(t *testing.T) {
	v := readCLIVersions(t)
	if len(v.Terraform) == 0 || len(v.OpenTofu) == 0 {
		t.Fatalf("%s lists no Terraform or no OpenTofu version", cliVersionsPath)
	}
	minors(t, "terraform", v.Terraform)
	minors(t, "opentofu", v.OpenTofu)
}

// The workflow's acceptance jobs take their matrices from the list (through
// the cli-versions job), and name no version of their own.
func TestCLIVersions_workflowReadsTheList(t *testing.T) {
	b, err := os.ReadFile("../../.github/workflows/test.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Needs    any `yaml:"needs"`
			Strategy struct {
				Matrix map[string]any `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	reader, ok := wf.Jobs["cli-versions"]
	if !ok || !slices.ContainsFunc(reader.Steps, func(s struct {
		Run string `yaml:"run"`
	}) bool {
		return strings.Contains(s.Run, ".github/cli-versions.json")
	}) {
		t.Fatal("test.yml has no cli-versions job reading .github/cli-versions.json")
	}
	for job, key := range map[string]string{"acceptance-terraform": "terraform", "acceptance-opentofu": "opentofu"} {
		j, ok := wf.Jobs[job]
		if !ok {
			t.Errorf("test.yml has no %s job", job)
			continue
		}
		var matrix []string
		for k, v := range j.Strategy.Matrix {
			s, _ := v.(string)
			matrix = append(matrix, k+": "+s)
		}
		want := "${{ fromJSON(needs.cli-versions.outputs." + key + ") }}"
		if len(matrix) != 1 || !strings.HasSuffix(matrix[0], ": "+want) {
			t.Errorf("%s's matrix is %q, want one entry whose value is %s (versions belong in .github/cli-versions.json)", job, matrix, want)
		}
	}
}

// Every minimum the docs' requirements table promises is a version the
// matrix tests, and the oldest the matrix tests is the oldest promised.
func TestCLIVersions_coverTheDocsRequirements(t *testing.T) {
	v := readCLIVersions(t)
	tf, tofu := minors(t, "terraform", v.Terraform), minors(t, "opentofu", v.OpenTofu)
	b, err := os.ReadFile("../../templates/index.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (.+?) \| >= (\d+)\.(\d+) \| >= (\d+)\.(\d+) \|$`)
	rows := row.FindAllStringSubmatch(string(b), -1)
	if len(rows) == 0 {
		t.Fatal("templates/index.md.tmpl has no requirements table (| Feature | >= X.Y | >= X.Y |)")
	}
	oldest := [2][2]int{{99, 99}, {99, 99}}
	for _, r := range rows {
		for i, want := range []struct {
			cli    string
			listed [][2]int
		}{{"Terraform", tf}, {"OpenTofu", tofu}} {
			major, _ := strconv.Atoi(r[2+2*i])
			minor, _ := strconv.Atoi(r[3+2*i])
			promised := [2]int{major, minor}
			if !slices.Contains(want.listed, promised) {
				t.Errorf("the docs promise %s >= %d.%d for %s, but .github/cli-versions.json does not test %d.%d", want.cli, major, minor, r[1], major, minor)
			}
			if slices.Compare(promised[:], oldest[i][:]) < 0 {
				oldest[i] = promised
			}
		}
	}
	for i, listed := range [][][2]int{tf, tofu} {
		if len(listed) > 0 && listed[0] != oldest[i] {
			t.Errorf("the oldest %s version tested is %v, but the oldest promised is %v", []string{"Terraform", "OpenTofu"}[i], listed[0], oldest[i])
		}
	}
}

// The OpenTofu versions make test builds (tools/tofu*, scripts/tool.sh) are
// in the list: the local matrix is part of CI's.
func TestCLIVersions_coverTheLocalOpenTofus(t *testing.T) {
	v := readCLIVersions(t)
	tofu := minors(t, "opentofu", v.OpenTofu)
	mods, err := filepath.Glob("../../tools/tofu*/go.mod")
	if err != nil || len(mods) == 0 {
		t.Fatalf("no tools/tofu*/go.mod (%v)", err)
	}
	require := regexp.MustCompile(`(?m)^\s*github\.com/opentofu/opentofu v(\d+)\.(\d+)\.\d+`)
	for _, mod := range mods {
		b, err := os.ReadFile(mod)
		if err != nil {
			t.Fatal(err)
		}
		m := require.FindStringSubmatch(string(b))
		if m == nil {
			t.Errorf("%s requires no github.com/opentofu/opentofu version", mod)
			continue
		}
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		if !slices.Contains(tofu, [2]int{major, minor}) {
			t.Errorf("%s builds OpenTofu %d.%d, which .github/cli-versions.json does not list", mod, major, minor)
		}
	}
}
