// Package repocheck holds no code, only tests of the repository's own files
// that no other package owns: the changie configuration, the changelog
// fragments in .changes/ and the CHANGELOG.md generated from them; the CLI
// versions of CI's acceptance matrices (.github/cli-versions.json) against
// the workflow, the docs' requirements and the OpenTofus make test builds;
// that the tests run under Wine avoid t.TempDir; that the Markdown pages'
// relative links and anchors resolve. They run
// offline in `go test ./...` (make test), where changie itself, an npm
// package, may not be reachable.
package repocheck
