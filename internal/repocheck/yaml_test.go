package repocheck

// Schema checks of the YAML files that no tool here validates: the GitLab
// CI pipeline of the CI example, the GitHub issue forms and Dependabot's
// configuration (the workflows themselves are checked by actionlint, in
// make test). Each file is decoded strictly into the part of its schema
// this project uses: an unknown or misspelt key fails, as GitLab's and
// GitHub's own validators would reject it (no schema can be downloaded
// here), and the references between parts are checked.

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// gitlabJob is the part of a GitLab CI job's keywords the example uses.
type gitlabJob struct {
	Extends      string            `yaml:"extends"`
	Stage        string            `yaml:"stage"`
	Image        any               `yaml:"image"`
	Script       []string          `yaml:"script"`
	BeforeScript []string          `yaml:"before_script"`
	Needs        []string          `yaml:"needs"`
	Rules        []map[string]any  `yaml:"rules"`
	Environment  string            `yaml:"environment"`
	Variables    map[string]string `yaml:"variables"`
	IDTokens     map[string]struct {
		Aud string `yaml:"aud"`
	} `yaml:"id_tokens"`
	Artifacts *struct {
		Paths    []string `yaml:"paths"`
		ExpireIn string   `yaml:"expire_in"`
	} `yaml:"artifacts"`
}

func TestCIExample_gitlabPipeline(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "use-cases", "ci-fleet")
	var doc map[string]yaml.Node
	decodeStrict(t, filepath.Join(dir, "gitlab-ci.yml"), &doc)
	var stages []string
	jobs := map[string]gitlabJob{}
	for key, node := range doc {
		switch key {
		case "stages":
			if err := node.Decode(&stages); err != nil {
				t.Fatalf("stages: %v", err)
			}
		case "default":
			var d struct {
				Image any `yaml:"image"`
			}
			decodeNodeStrict(t, key, &node, &d)
		default:
			var job gitlabJob
			decodeNodeStrict(t, key, &node, &job)
			jobs[key] = job
		}
	}
	if len(stages) == 0 {
		t.Fatal("no stages")
	}
	for name, job := range jobs {
		if strings.HasPrefix(name, ".") {
			continue // a template for extends
		}
		if !slices.Contains(stages, job.Stage) {
			t.Errorf("job %s: stage %q is not one of %v", name, job.Stage, stages)
		}
		if job.Extends != "" {
			if _, ok := jobs[job.Extends]; !ok {
				t.Errorf("job %s extends %q, which does not exist", name, job.Extends)
			}
		}
		for _, need := range job.Needs {
			if _, ok := jobs[need]; !ok {
				t.Errorf("job %s needs %q, which does not exist", name, need)
			}
		}
		if len(job.Script) == 0 {
			t.Errorf("job %s has no script", name)
		}
		for _, line := range job.Script {
			checkScript(t, dir, line)
		}
	}
}

// decodeNodeStrict decodes a YAML node, refusing unknown keys.
func decodeNodeStrict(t *testing.T, name string, node *yaml.Node, v any) {
	t.Helper()
	raw, err := yaml.Marshal(node)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

// checkScript: a "./x.sh" line names an executable file of the example.
func checkScript(t *testing.T, dir, line string) {
	t.Helper()
	script, ok := strings.CutPrefix(line, "./")
	if !ok {
		return
	}
	fi, err := os.Stat(filepath.Join(dir, strings.Fields(script)[0]))
	if err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("%q: not an executable file of the example (%v)", line, err)
	}
}

func TestCIExample_githubWorkflowRunsTheScripts(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "use-cases", "ci-fleet")
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
		Permissions map[string]string `yaml:"permissions"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "github-actions.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	if wf.Permissions["id-token"] != "write" {
		t.Error("the workflow does not grant id-token: write, which the cloud's OIDC login needs")
	}
	ran := 0
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			if step.Run != "" {
				checkScript(t, dir, step.Run)
				ran++
			}
		}
	}
	if ran != 2 {
		t.Errorf("%d run steps, want the plan and apply scripts", ran)
	}
}

func TestGitHub_issueForms(t *testing.T) {
	forms, err := filepath.Glob(filepath.Join(repoRoot(t), ".github", "ISSUE_TEMPLATE", "*.yml"))
	if err != nil || len(forms) < 2 {
		t.Fatalf("issue forms: %v, %v", forms, err)
	}
	for _, path := range forms {
		if filepath.Base(path) == "config.yml" {
			var cfg struct {
				BlankIssuesEnabled bool `yaml:"blank_issues_enabled"`
				ContactLinks       []struct {
					Name  string `yaml:"name"`
					URL   string `yaml:"url"`
					About string `yaml:"about"`
				} `yaml:"contact_links"`
			}
			decodeStrict(t, path, &cfg)
			continue
		}
		var form struct {
			Name        string   `yaml:"name"`
			Description string   `yaml:"description"`
			Labels      []string `yaml:"labels"`
			Body        []struct {
				Type       string `yaml:"type"`
				ID         string `yaml:"id"`
				Attributes struct {
					Label       string   `yaml:"label"`
					Description string   `yaml:"description"`
					Placeholder string   `yaml:"placeholder"`
					Value       string   `yaml:"value"`
					Render      string   `yaml:"render"`
					Options     []string `yaml:"options"`
				} `yaml:"attributes"`
				Validations struct {
					Required bool `yaml:"required"`
				} `yaml:"validations"`
			} `yaml:"body"`
		}
		decodeStrict(t, path, &form)
		if form.Name == "" || form.Description == "" || len(form.Body) == 0 {
			t.Errorf("%s: a form needs a name, a description and a body", path)
		}
		ids := map[string]bool{}
		for i, item := range form.Body {
			switch item.Type {
			case "markdown":
				if item.Attributes.Value == "" {
					t.Errorf("%s: body[%d]: markdown without a value", path, i)
				}
				continue
			case "input", "textarea", "dropdown", "checkboxes":
			default:
				t.Errorf("%s: body[%d]: unknown type %q", path, i, item.Type)
			}
			if item.Attributes.Label == "" {
				t.Errorf("%s: body[%d]: no label", path, i)
			}
			if item.Type == "dropdown" && len(item.Attributes.Options) == 0 {
				t.Errorf("%s: body[%d]: a dropdown without options", path, i)
			}
			if item.ID == "" || ids[item.ID] {
				t.Errorf("%s: body[%d]: id %q missing or repeated", path, i, item.ID)
			}
			ids[item.ID] = true
		}
	}
}

func TestGitHub_dependabot(t *testing.T) {
	root := repoRoot(t)
	var cfg struct {
		Version int `yaml:"version"`
		Updates []struct {
			Ecosystem   string   `yaml:"package-ecosystem"`
			Directory   string   `yaml:"directory"`
			Directories []string `yaml:"directories"`
			Schedule    struct {
				Interval string `yaml:"interval"`
			} `yaml:"schedule"`
			Groups map[string]struct {
				Patterns []string `yaml:"patterns"`
			} `yaml:"groups"`
			Ignore []struct {
				DependencyName string   `yaml:"dependency-name"`
				UpdateTypes    []string `yaml:"update-types"`
			} `yaml:"ignore"`
		} `yaml:"updates"`
	}
	decodeStrict(t, filepath.Join(root, ".github", "dependabot.yml"), &cfg)
	if cfg.Version != 2 {
		t.Errorf("version %d, want 2", cfg.Version)
	}
	covered := map[string]bool{}
	for _, u := range cfg.Updates {
		if !slices.Contains([]string{"gomod", "github-actions"}, u.Ecosystem) ||
			!slices.Contains([]string{"daily", "weekly", "monthly"}, u.Schedule.Interval) {
			t.Errorf("update %q: unknown ecosystem or schedule %q", u.Ecosystem, u.Schedule.Interval)
		}
		for _, d := range append(u.Directories, u.Directory) {
			if d != "" && u.Ecosystem == "gomod" {
				covered[strings.TrimPrefix(d, "/")] = true
			}
		}
	}
	// Every go.mod of the repository is kept up to date.
	mods, _ := filepath.Glob(filepath.Join(root, "tools", "*", "go.mod"))
	mods = append(mods, filepath.Join(root, "go.mod"))
	for _, m := range mods {
		rel, _ := filepath.Rel(root, filepath.Dir(m))
		if rel == "." {
			rel = ""
		}
		if !covered[rel] && !knownPinned(rel) {
			t.Errorf("no Dependabot update for %s/go.mod", rel)
		}
	}
}

// knownPinned are tools modules pinned on purpose, each to one CLI version
// of the test matrix: Dependabot must not move them.
func knownPinned(dir string) bool {
	return dir == "tools/tofu-1.11" || dir == "tools/tofu-1.6"
}
