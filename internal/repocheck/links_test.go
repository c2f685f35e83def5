package repocheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The Markdown a user reads (README and the other top-level pages, docs/):
// every relative link names a file that exists, and every #anchor a
// heading of that file, as GitHub and the registries render them. A page
// renamed or a heading reworded breaks a link silently otherwise.
func TestMarkdownLinksResolve(t *testing.T) {
	root := repoRoot(t)
	pages, err := filepath.Glob(filepath.Join(root, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			pages = append(pages, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, page := range pages {
		text := readFile(t, page)
		for _, m := range markdownLink.FindAllStringSubmatch(stripCode(text), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			dest := page
			if file != "" {
				dest = filepath.Join(filepath.Dir(page), file)
				if _, err := os.Stat(dest); err != nil {
					t.Errorf("%s links to %s, which does not exist", rel(root, page), target)
					continue
				}
			}
			checked++
			if anchor == "" || !strings.HasSuffix(dest, ".md") {
				continue
			}
			if !anchors(readFile(t, dest))[anchor] {
				t.Errorf("%s links to %s, but %s has no heading with the anchor #%s", rel(root, page), target, rel(root, dest), anchor)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d relative links found in %d pages: is the pattern still right?", checked, len(pages))
	}
}

// markdownLink is an inline link's target: [text](target) or [text](target "title").
var markdownLink = regexp.MustCompile(`\]\(([^()\s]+)(?:\s+"[^"]*")?\)`)

var fencedBlock = regexp.MustCompile("(?ms)^```.*?^```")

// stripCode drops fenced code blocks, whose brackets are not links.
func stripCode(s string) string { return fencedBlock.ReplaceAllString(s, "") }

// anchors are the ids GitHub gives a page's headings: lower case, spaces
// to hyphens, punctuation other than hyphens and underscores dropped, and
// -1, -2... after repeats.
func anchors(page string) map[string]bool {
	ids := map[string]bool{}
	seen := map[string]int{}
	for _, line := range strings.Split(stripCode(page), "\n") {
		heading, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
				b.WriteRune(r)
			}
		}
		id := b.String()
		if n := seen[id]; n > 0 {
			ids[id+"-"+strconv.Itoa(n)] = true
		} else {
			ids[id] = true
		}
		seen[id]++
	}
	return ids
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return r
	}
	return path
}
