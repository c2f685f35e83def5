package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExplanationsMatchDiagnostics fails when the provider emits a summary
// that explanations.md does not explain, or explains one it no longer emits.
func TestExplanationsMatchDiagnostics(t *testing.T) {
	diags, err := extract("../../provider")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("explanations.md")
	if err != nil {
		t.Fatal(err)
	}
	expl, err := parseExplanations(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := join(diags, expl); err != nil {
		t.Error(strings.ReplaceAll(err.Error(), "; ", "\n"))
	}
}

// TestExtract checks the ways a summary reaches a diagnostic: a literal, a
// constant, a variable assigned by a helper's results (through a named
// result and a func-typed field), a helper called as the only argument, a
// concatenation with a run-time part, and a function error.
func TestExtract(t *testing.T) {
	dir := t.TempDir()
	src := `package p

import "fmt"

const summaryConst = "From A Constant"

type setting struct{ invalid func(string) (string, string) }

var s = setting{invalid: invalidThing}

func invalidThing(raw string) (string, string) { return "From A Field", raw }

func explain(err error) (summary, detail string) {
	if err != nil {
		summary = "From A Named Result"
		return
	}
	return "From A Return", ""
}

func warn() (string, string) { return "From A Lone Call", "" }

func emit(diags *Diagnostics, name string, err error, resp *Resp) {
	diags.AddError("From A Literal", "")
	diags.AddAttributeError(nil, summaryConst, "")
	summary, detail := explain(err)
	diags.AddError(summary, detail)
	sum, _ := s.invalid("x")
	diags.AddAttributeError(nil, sum, "")
	diags.AddWarning(warn())
	diags.AddError("Cannot Revoke "+name, fmt.Sprint(err))
	resp.Error = function.NewArgumentFuncError(0, "bad")
}
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	// A test file's diagnostics are not the provider's.
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\nfunc f(d *D) { d.AddError(\"From A Test\", \"\") }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	diags, err := extract(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range diags {
		got[d.summary] = d.severity()
	}
	want := map[string]string{
		"Cannot Revoke <name>":      "Error",
		"From A Constant":           "Error",
		"From A Field":              "Error",
		"From A Literal":            "Error",
		"From A Lone Call":          "Warning",
		"From A Named Result":       "Error",
		"From A Return":             "Error",
		"Invalid function argument": "Error",
	}
	for s, sev := range want {
		if got[s] != sev {
			t.Errorf("summary %q: severity %q, want %q", s, got[s], sev)
		}
	}
	for s := range got {
		if _, ok := want[s]; !ok {
			t.Errorf("unexpected summary %q", s)
		}
	}
}

// TestJoin checks both ways a page can go stale.
func TestJoin(t *testing.T) {
	diags := []diagnostic{{summary: "Known", errors: true}, {summary: "New", warnings: true}}
	_, err := join(diags, map[string]string{"Known": "x", "Gone": "y"})
	if err == nil || !strings.Contains(err.Error(), `no explanation for "New"`) || !strings.Contains(err.Error(), `explanation of "Gone"`) {
		t.Fatalf("join = %v, want both the missing and the stale explanation", err)
	}
	if _, err := parseExplanations("## A\n\n## B\ntext\n"); err == nil {
		t.Error("an empty explanation was accepted")
	}
}

// TestPageIsCurrent fails when templates/guides/troubleshooting.md.tmpl is not
// what the generator writes now (make docs regenerates it).
func TestPageIsCurrent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "page.md.tmpl")
	if err := run("../../provider", "explanations.md", out); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(out)
	got, err := os.ReadFile("../../../templates/guides/troubleshooting.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("templates/guides/troubleshooting.md.tmpl is stale: run make docs")
	}
}
