package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// diagnostic is one summary the provider can emit, with its severities and
// the functions that emit it.
type diagnostic struct {
	summary  string
	errors   bool
	warnings bool
	where    []string
}

func (d diagnostic) severity() string {
	switch {
	case d.errors && d.warnings:
		return "Error or warning"
	case d.warnings:
		return "Warning"
	}
	return "Error"
}

// sinks are the calls that emit a diagnostic, with the index of their
// summary argument and whether it is a warning. Function errors have no
// summary of their own: the CLI shows them under a fixed one.
var sinks = map[string]struct {
	arg     int
	warning bool
}{
	"AddError":                           {0, false},
	"AddWarning":                         {0, true},
	"AddAttributeError":                  {1, false},
	"AddAttributeWarning":                {1, true},
	"NewErrorDiagnostic":                 {0, false},
	"NewWarningDiagnostic":               {0, true},
	"NewAttributeErrorDiagnostic":        {1, false},
	"NewAttributeWarningDiagnostic":      {1, true},
	"NewResourceIdentityErrorDiagnostic": {0, false},
}

// funcErrorSummaries are what Terraform and OpenTofu print as the summary of
// a provider function's error.
var funcErrorSummaries = map[string]string{
	"NewArgumentFuncError": "Invalid function argument",
	"NewFuncError":         "Error in function call",
}

// pkg is the parsed package: its functions (methods by name too), string
// constants, and the functions stored in func-typed struct fields.
type pkg struct {
	funcs      map[string][]*ast.FuncDecl
	consts     map[string]string
	fieldFuncs map[string][]string
	fset       *token.FileSet
}

// extract finds every diagnostic summary of the non-test Go files in dir.
func extract(dir string) ([]diagnostic, error) {
	p := &pkg{funcs: map[string][]*ast.FuncDecl{}, consts: map[string]string{}, fieldFuncs: map[string][]string{}, fset: token.NewFileSet()}
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(p.fset, name, src, 0)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Go files in %s", dir)
	}
	for _, f := range files {
		p.index(f)
	}
	found := map[string]*diagnostic{}
	for _, f := range files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name := calleeName(call.Fun)
				var summaries []string
				warning := false
				if s, ok := funcErrorSummaries[name]; ok {
					summaries = []string{s}
				} else if sink, ok := sinks[name]; ok {
					warning = sink.warning
					switch {
					case len(call.Args) > sink.arg:
						summaries = p.resolve(call.Args[sink.arg], fd, map[string]bool{})
					case len(call.Args) == 1: // AddWarning(summaryAndDetail())
						if inner, ok := call.Args[0].(*ast.CallExpr); ok {
							summaries = p.results(inner, 0, map[string]bool{})
						}
					}
					if len(summaries) == 0 {
						panic(fmt.Sprintf("%s: cannot tell the summary of %s", p.fset.Position(call.Pos()), name))
					}
				}
				for _, s := range summaries {
					d := found[s]
					if d == nil {
						d = &diagnostic{summary: s}
						found[s] = d
					}
					d.errors = d.errors || !warning
					d.warnings = d.warnings || warning
					if !contains(d.where, fd.Name.Name) {
						d.where = append(d.where, fd.Name.Name)
					}
				}
				return true
			})
		}
	}
	var out []diagnostic
	for _, d := range found {
		sort.Strings(d.where)
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].summary) < strings.ToLower(out[j].summary) })
	return out, nil
}

func (p *pkg) index(f *ast.File) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			p.funcs[d.Name.Name] = append(p.funcs[d.Name.Name], d)
		case *ast.GenDecl:
			if d.Tok != token.CONST {
				continue
			}
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if s, ok := p.constString(vs.Values[i]); ok {
							p.consts[name.Name] = s
						}
					}
				}
			}
		}
	}
	// Func-typed fields set in composite literals: invalid: invalidCredential.
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		key, ok1 := kv.Key.(*ast.Ident)
		val, ok2 := kv.Value.(*ast.Ident)
		if ok1 && ok2 && !contains(p.fieldFuncs[key.Name], val.Name) {
			p.fieldFuncs[key.Name] = append(p.fieldFuncs[key.Name], val.Name)
		}
		return true
	})
}

// constString evaluates a constant string expression of literals and
// (already indexed) constants.
func (p *pkg) constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := p.consts[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return p.constString(e.X)
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			x, ok1 := p.constString(e.X)
			y, ok2 := p.constString(e.Y)
			return x + y, ok1 && ok2
		}
	}
	return "", false
}

// resolve lists the strings e can be inside fd: constants, values assigned
// to a variable, results of the functions it calls; a part that depends on
// a parameter or anything else at run time shows as <name>.
func (p *pkg) resolve(e ast.Expr, fd *ast.FuncDecl, visiting map[string]bool) []string {
	if s, ok := p.constString(e); ok {
		return []string{s}
	}
	switch e := e.(type) {
	case *ast.ParenExpr:
		return p.resolve(e.X, fd, visiting)
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			var out []string
			for _, x := range p.part(e.X, fd, visiting) {
				for _, y := range p.part(e.Y, fd, visiting) {
					out = append(out, x+y)
				}
			}
			return out
		}
	case *ast.CallExpr:
		if r := p.results(e, 0, visiting); len(r) > 0 {
			return r
		}
	case *ast.Ident:
		if r := p.assigned(e.Name, fd, visiting); len(r) > 0 {
			return r
		}
	}
	return []string{"<" + placeholder(e) + ">"}
}

// part resolves an operand of a concatenation: a variable there is a
// run-time value (a token's name, an attribute), shown as <name>, not
// traced to what it may hold.
func (p *pkg) part(e ast.Expr, fd *ast.FuncDecl, visiting map[string]bool) []string {
	if id, ok := e.(*ast.Ident); ok {
		if s, ok := p.consts[id.Name]; ok {
			return []string{s}
		}
		return []string{"<" + id.Name + ">"}
	}
	return p.resolve(e, fd, visiting)
}

// assigned lists what the variable name (a local or a named result) of fd
// is assigned.
func (p *pkg) assigned(name string, fd *ast.FuncDecl, visiting map[string]bool) []string {
	var out []string
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if id, ok := lhs.(*ast.Ident); !ok || id.Name != name {
					continue
				}
				switch {
				case len(n.Rhs) == len(n.Lhs):
					out = append(out, p.resolve(n.Rhs[i], fd, visiting)...)
				case len(n.Rhs) == 1:
					if call, ok := n.Rhs[0].(*ast.CallExpr); ok {
						out = append(out, p.results(call, i, visiting)...)
					}
				}
			}
		}
		return true
	})
	return dedupe(out)
}

// results lists what result i of the called function can be: for a
// package function or method, its return statements; for a func-typed
// field, those of every function stored in such a field.
func (p *pkg) results(call *ast.CallExpr, i int, visiting map[string]bool) []string {
	name := calleeName(call.Fun)
	decls := p.funcs[name]
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok && len(decls) == 0 {
		for _, f := range p.fieldFuncs[sel.Sel.Name] {
			decls = append(decls, p.funcs[f]...)
		}
	}
	var out []string
	for _, fd := range decls {
		key := fmt.Sprintf("%s#%d@%d", fd.Name.Name, i, fd.Pos())
		if visiting[key] || fd.Body == nil {
			continue
		}
		visiting[key] = true
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				switch {
				case len(n.Results) > i && len(n.Results) > 1 || len(n.Results) == 1 && i == 0 && !isCall(n.Results[0]):
					out = append(out, p.resolve(n.Results[i], fd, visiting)...)
				case len(n.Results) == 1:
					out = append(out, p.results(n.Results[0].(*ast.CallExpr), i, visiting)...)
				case len(n.Results) == 0 && fd.Type.Results != nil:
					if id := resultName(fd, i); id != "" {
						out = append(out, p.assigned(id, fd, visiting)...)
					}
				}
			}
			return true
		})
		delete(visiting, key)
	}
	return dedupe(out)
}

func isCall(e ast.Expr) bool { _, ok := e.(*ast.CallExpr); return ok }

// resultName is the name of fd's result i, or "".
func resultName(fd *ast.FuncDecl, i int) string {
	n := 0
	for _, field := range fd.Type.Results.List {
		for _, name := range field.Names {
			if n == i {
				return name.Name
			}
			n++
		}
	}
	return ""
}

func calleeName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.IndexExpr: // a generic function
		return calleeName(f.X)
	}
	return ""
}

// placeholder names a run-time part of a summary: attr, name,
// path (req.Path.String())...
func placeholder(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return strings.ToLower(e.Sel.Name)
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "String" {
			return placeholder(sel.X)
		}
		return placeholder(e.Fun)
	}
	return "value"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dedupe(list []string) []string {
	var out []string
	for _, s := range list {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
