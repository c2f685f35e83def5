// Command gen-troubleshooting writes the troubleshooting guide's template
// (templates/guides/troubleshooting.md.tmpl, rendered by tfplugindocs) from
// the diagnostics internal/provider can emit, found in its Go source, and the
// explanations in explanations.md, keyed by summary. It fails when a summary
// has no explanation or an explanation no summary, so the guide cannot go
// stale: `go generate ./...` (make docs) runs it, see main.go.
package main

import (
	"bytes"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/template"
)

//go:embed page.md.tmpl
var pageTemplate string

func main() {
	src := flag.String("src", "internal/provider", "the provider package's directory")
	explanations := flag.String("explanations", "internal/cmd/gen-troubleshooting/explanations.md", "the explanations, one ## section per summary")
	out := flag.String("out", "templates/guides/troubleshooting.md.tmpl", "the template to write")
	flag.Parse()
	if err := run(*src, *explanations, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen-troubleshooting:", err)
		os.Exit(1)
	}
}

func run(src, explanationsPath, out string) error {
	diags, err := extract(src)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(explanationsPath)
	if err != nil {
		return err
	}
	expl, err := parseExplanations(string(raw))
	if err != nil {
		return fmt.Errorf("%s: %w", explanationsPath, err)
	}
	entries, err := join(diags, expl)
	if err != nil {
		return fmt.Errorf("%w (edit %s)", err, explanationsPath)
	}
	page, err := render(entries)
	if err != nil {
		return err
	}
	return os.WriteFile(out, page, 0o644)
}

// entry is one diagnostic of the page.
type entry struct {
	Summary     string
	Severity    string // "Error", "Warning" or "Error or warning"
	Explanation string
}

// join pairs each summary with its explanation, in the diagnostics' order
// (by summary), and fails on any summary or explanation left over.
func join(diags []diagnostic, expl map[string]string) ([]entry, error) {
	var problems []string
	seen := map[string]bool{}
	var entries []entry
	for _, d := range diags {
		seen[d.summary] = true
		text, ok := expl[d.summary]
		if !ok {
			problems = append(problems, fmt.Sprintf("no explanation for %q (%s, %s)", d.summary, strings.ToLower(d.severity()), strings.Join(d.where, ", ")))
			continue
		}
		entries = append(entries, entry{Summary: d.summary, Severity: d.severity(), Explanation: text})
	}
	for s := range expl {
		if !seen[s] {
			problems = append(problems, fmt.Sprintf("explanation of %q, which the provider no longer emits", s))
		}
	}
	if len(problems) > 0 {
		sortStrings(problems)
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return entries, nil
}

// render fills the page; its delimiters are [[ ]] so that tfplugindocs'
// own {{ }} pass through to the template it renders.
func render(entries []entry) ([]byte, error) {
	// A summary's run-time part, <name>, would be an HTML tag in Markdown.
	heading := strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace
	t, err := template.New("page").Delims("[[", "]]").Funcs(template.FuncMap{"heading": heading}).Parse(pageTemplate)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, struct{ Errors, Warnings []entry }{filter(entries, false), filter(entries, true)})
	return buf.Bytes(), err
}

func filter(entries []entry, warnings bool) []entry {
	var out []entry
	for _, e := range entries {
		if (e.Severity == "Warning") == warnings {
			out = append(out, e)
		}
	}
	return out
}
