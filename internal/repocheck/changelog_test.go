package repocheck

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// changie is the command CONTRIBUTING.md gives; failures quote it so the fix
// is one copy and paste away.
const (
	changie           = "npx -y changie@1.26.0"
	unreleasedHeader  = "## Unreleased"
	mergeCommand      = changie + " merge -u '" + unreleasedHeader + "'"
	componentKey      = "Component"
	issueKey          = "Issue"
	wantChangelogPath = "CHANGELOG.md"
)

// changieConfig is the part of .changie.yaml this check understands. It is
// decoded strictly: a setting added to .changie.yaml that changes what
// changie writes (more newline options, replacements...) fails here until
// render below learns it, rather than being silently ignored.
type changieConfig struct {
	ChangesDir    string   `yaml:"changesDir"`
	UnreleasedDir string   `yaml:"unreleasedDir"`
	HeaderPath    string   `yaml:"headerPath"`
	ChangelogPath string   `yaml:"changelogPath"`
	VersionExt    string   `yaml:"versionExt"`
	VersionFormat string   `yaml:"versionFormat"`
	KindFormat    string   `yaml:"kindFormat"`
	ChangeFormat  string   `yaml:"changeFormat"`
	Custom        []custom `yaml:"custom"`
	Kinds         []struct {
		Label string `yaml:"label"`
	} `yaml:"kinds"`
	Newlines struct {
		AfterKind    int `yaml:"afterKind"`
		BeforeKind   int `yaml:"beforeKind"`
		EndOfVersion int `yaml:"endOfVersion"`
	} `yaml:"newlines"`
}

type custom struct {
	Key         string   `yaml:"key"`
	Label       string   `yaml:"label"`
	Type        string   `yaml:"type"`
	EnumOptions []string `yaml:"enumOptions"`
	MinInt      *int     `yaml:"minInt"`
	Optional    bool     `yaml:"optional"`
}

// change is one fragment in .changes/unreleased, as `changie new` writes it.
type change struct {
	Kind   string            `yaml:"kind"`
	Body   string            `yaml:"body"`
	Time   time.Time         `yaml:"time"`
	Custom map[string]string `yaml:"custom"`

	file string
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from the package directory: %v", err)
	}
	return root
}

// decodeStrict decodes the YAML file path into v, refusing keys v does not
// declare.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadConfig(t *testing.T, root string) changieConfig {
	t.Helper()
	var cfg changieConfig
	decodeStrict(t, filepath.Join(root, ".changie.yaml"), &cfg)
	// The layout the release workflow and CONTRIBUTING.md rely on.
	want := map[string][2]string{
		"changesDir":    {cfg.ChangesDir, ".changes"},
		"unreleasedDir": {cfg.UnreleasedDir, "unreleased"},
		"changelogPath": {cfg.ChangelogPath, wantChangelogPath},
		"versionExt":    {cfg.VersionExt, "md"},
	}
	for key, v := range want {
		if v[0] != v[1] {
			t.Fatalf(".changie.yaml: %s is %q; the release workflow (.changes/<version>.md) and this check expect %q", key, v[0], v[1])
		}
	}
	return cfg
}

// components are the values `changie new` offers for the Component choice.
func (c changieConfig) components(t *testing.T) []string {
	t.Helper()
	for _, cu := range c.Custom {
		if cu.Key == componentKey {
			if cu.Type != "enum" || cu.Optional || len(cu.EnumOptions) == 0 {
				t.Fatalf(".changie.yaml: custom %q must be a required enum, so every entry names what it changes", componentKey)
			}
			return cu.EnumOptions
		}
	}
	t.Fatalf(".changie.yaml: no custom %q choice", componentKey)
	return nil
}

func (c changieConfig) kindLabels() []string {
	var labels []string
	for _, k := range c.Kinds {
		labels = append(labels, k.Label)
	}
	return labels
}

func loadUnreleased(t *testing.T, root string, cfg changieConfig) []change {
	t.Helper()
	dir := filepath.Join(root, cfg.ChangesDir, cfg.UnreleasedDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var changes []change
	for _, e := range entries {
		rel := filepath.ToSlash(filepath.Join(cfg.ChangesDir, cfg.UnreleasedDir, e.Name()))
		switch {
		case e.Name() == ".gitkeep":
			continue
		case e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml"):
			// changie reads *.yaml only: anything else is an entry that
			// would silently be left out of the release.
			t.Errorf("%s: not a changie entry (*.yaml), and changie would ignore it", rel)
			continue
		}
		var ch change
		decodeStrict(t, filepath.Join(dir, e.Name()), &ch)
		ch.file = rel
		changes = append(changes, ch)
	}
	return changes
}

// kindPrefix matches a body that starts with a component of the anchors'
// form ("resource/x: ..."), listed or not.
var kindPrefix = regexp.MustCompile(`^[a-z-]+/[a-z0-9_]+:`)

// componentPrefix returns the component a body starts with, as the anchors
// write them: here the component is a separate field, and the prefix would
// be printed twice.
func componentPrefix(body string, components []string) string {
	for _, c := range components {
		if strings.HasPrefix(body, c+":") {
			return c + ":"
		}
	}
	return kindPrefix.FindString(body)
}

// TestChangelog_entriesMatchConfig checks every unreleased entry against
// .changie.yaml, as `changie new` would have when prompting, so a fragment
// written or edited by hand is held to the same rules.
func TestChangelog_entriesMatchConfig(t *testing.T) {
	root := repoRoot(t)
	cfg := loadConfig(t, root)
	kinds, components := cfg.kindLabels(), cfg.components(t)

	// The providers' kinds, in their order (hashicorp/terraform-provider-tls,
	// -http, -time).
	wantKinds := []string{"BREAKING CHANGES", "NOTES", "FEATURES", "ENHANCEMENTS", "BUG FIXES"}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf(".changie.yaml kinds differ from the providers' (-want +got):\n%s", diff)
	}

	for _, ch := range loadUnreleased(t, root, cfg) {
		if !slices.Contains(kinds, ch.Kind) {
			t.Errorf("%s: kind %q is none of .changie.yaml's kinds %q", ch.file, ch.Kind, kinds)
		}
		if !strings.HasPrefix(filepath.Base(ch.file), ch.Kind+"-") {
			t.Errorf("%s: the file name does not start with its kind %q, as `changie new` names it", ch.file, ch.Kind)
		}
		body := ch.Body
		switch {
		case strings.TrimSpace(body) == "":
			t.Errorf("%s: empty body", ch.file)
		case body != strings.TrimSpace(body):
			t.Errorf("%s: the body starts or ends with white space", ch.file)
		case componentPrefix(body, components) != "":
			t.Errorf("%s: the body starts with a component (%q); it goes in custom.%s only", ch.file, componentPrefix(body, components), componentKey)
		}
		if ch.Time.IsZero() {
			t.Errorf("%s: no time (changie orders the entries of a kind by it)", ch.file)
		}
		for key, value := range ch.Custom {
			switch key {
			case componentKey:
				if !slices.Contains(components, value) {
					t.Errorf("%s: component %q is none of .changie.yaml's: %q", ch.file, value, components)
				}
			case issueKey:
				if n, err := strconv.Atoi(value); err != nil || n < 1 {
					t.Errorf("%s: issue %q is not a GitHub issue or pull request number", ch.file, value)
				}
			default:
				t.Errorf("%s: custom %q is not defined in .changie.yaml", ch.file, key)
			}
		}
		if ch.Custom[componentKey] == "" {
			t.Errorf("%s: no custom.%s: say what the change is about (%s new asks)", ch.file, componentKey, changie)
		}
	}
}

// TestChangelog_componentsCoverTheProvider ties the component list to what
// the provider offers, through the generated docs pages (one per resource,
// ephemeral resource, data source and function): a new resource gets its
// component, a removed one loses it.
func TestChangelog_componentsCoverTheProvider(t *testing.T) {
	root := repoRoot(t)
	components := loadConfig(t, root).components(t)

	var fromDocs []string
	for dir, kind := range map[string]string{
		"resources":           "resource",
		"ephemeral-resources": "ephemeral",
		"data-sources":        "data-source",
		"functions":           "function",
	} {
		pages, err := filepath.Glob(filepath.Join(root, "docs", dir, "*.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			name := strings.TrimSuffix(filepath.Base(p), ".md")
			if kind != "function" {
				name = "zoho_" + name // tfplugindocs drops the provider prefix from file names
			}
			fromDocs = append(fromDocs, kind+"/"+name)
		}
	}
	if len(fromDocs) == 0 {
		t.Fatal("no docs pages found under docs/: run make docs")
	}
	for _, c := range fromDocs {
		if !slices.Contains(components, c) {
			t.Errorf(".changie.yaml: docs/ documents %s, but it is not a component entries can name: add it to the Component enumOptions", c)
		}
	}
	for _, c := range components {
		if strings.Contains(c, "/") && !slices.Contains(fromDocs, c) {
			t.Errorf(".changie.yaml: component %s has no docs page: the provider has no such thing any more", c)
		}
	}
}

// TestChangelog_isMerged checks that CHANGELOG.md is what changie's merge
// writes from .changes/: the header, the unreleased entries under
// "## Unreleased", then every released version's file, newest first.
