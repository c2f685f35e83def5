package acceptance

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

// TestExamples_docsShowTestedFiles ties what users read to what
// TestAccExamples applies: every file under examples/ belongs to a case;
// every Terraform block in README.md and docs/ is byte-for-byte one of those
// files (docs/ through tfplugindocs' tffile, README.md by hand, checked
// here); every block README.md marks with <!-- example: PATH --> is that
// file; the README shows the install and quick start commands; and the
// tfplugindocs snippets say that they are partial.
func TestExamples_docsShowTestedFiles(t *testing.T) {
	root, err := clitest.Root()
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]string{} // path -> content
	for _, c := range exampleCases {
		for _, f := range c.files {
			raw, err := os.ReadFile(filepath.Join(root, f))
			if err != nil {
				t.Fatalf("case %q: %v", c.name, err)
			}
			tested[f] = string(raw)
		}
	}

	err = filepath.WalkDir(filepath.Join(root, "examples"), func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == ".terraform":
			return filepath.SkipDir
		case d.IsDir() || strings.HasPrefix(d.Name(), ".terraform") || strings.Contains(d.Name(), ".tfstate"):
			return nil // a user's leftovers from trying an example
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if _, ok := tested[rel]; !ok {
			t.Errorf("%s is applied by no case of TestAccExamples: add it to exampleCases", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for path, content := range tested {
		if slices.Contains([]string{"provider", "resources", "ephemeral-resources", "data-sources", "functions"}, strings.Split(path, "/")[1]) &&
			!strings.Contains(content, "not a complete configuration") {
			t.Errorf("%s is a tfplugindocs snippet: it must say, in a comment, that it is not a complete configuration and what it leaves out", path)
		}
	}

	docs := []string{"README.md"}
	_ = filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, _ := filepath.Rel(root, path)
			docs = append(docs, filepath.ToSlash(rel))
		}
		return nil
	})
	same := func(block, file string) bool {
		return strings.TrimRight(block, "\n") == strings.TrimRight(file, "\n")
	}
	for _, doc := range docs {
		blocks := fencedBlocks(t, filepath.Join(root, doc))
		for _, b := range blocks {
			if b.marker != "" {
				if content, ok := tested[b.marker]; !ok {
					t.Errorf("%s:%d shows %s, which no case of TestAccExamples applies", doc, b.line, b.marker)
				} else if !same(b.body, content) {
					t.Errorf("%s:%d is not byte-for-byte %s: copy the file into it", doc, b.line, b.marker)
				}
				continue
			}
			// Configurations everywhere; shell blocks in docs/ too (codefile):
			// README.md also shows commands for developers, unmarked.
			shownExample := b.lang == "terraform" || b.lang == "hcl" || (strings.HasPrefix(doc, "docs/") && b.lang == "shell")
			if !shownExample {
				continue
			}
			found := false
			for _, content := range tested {
				found = found || same(b.body, content)
			}
			if !found {
				t.Errorf("%s:%d shows a %s block that is no tested example file: move it to examples/ and include it (tffile in templates/, <!-- example: PATH --> in README.md)", doc, b.line, b.lang)
			}
		}
		if doc == "README.md" {
			// The README shows commands, and links the configurations
			// (printed once, on the provider's page).
			for _, want := range []string{"examples/use-cases/install-from-clone.sh", "examples/use-cases/quick-start.sh"} {
				if !slices.ContainsFunc(blocks, func(b fencedBlock) bool { return b.marker == want }) {
					t.Errorf("README.md must show %s, marked <!-- example: %s -->", want, want)
				}
			}
		}
	}
}

type fencedBlock struct {
	lang, body, marker string
	line               int
}

var exampleMarker = regexp.MustCompile(`^<!-- example: (\S+) -->$`)

// fencedBlocks lists a Markdown file's ``` blocks, each with the example
// path named by a <!-- example: PATH --> line right before it, if any.
func fencedBlocks(t *testing.T, path string) []fencedBlock {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []fencedBlock
	var cur *fencedBlock
	var body strings.Builder
	prev := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fencedBlock{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n}
			if m := exampleMarker.FindStringSubmatch(prev); m != nil {
				cur.marker = m[1]
			}
			body.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.body = body.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line + "\n")
		}
		prev = line
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}
