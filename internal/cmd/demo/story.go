package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// story prints the demo: numbered steps with the time since the start,
// each followed by its indented lines. Step titles are bold on a terminal.
type story struct {
	w           io.Writer
	start       time.Time
	n           int
	bold, plain string
}

func newStory(f *os.File) *story {
	s := &story{w: f, start: time.Now()}
	if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
		s.bold, s.plain = "\033[1m", "\033[0m"
	}
	return s
}

func (s *story) step(format string, args ...any) {
	s.n++
	fmt.Fprintf(s.w, "\n%s%d. %s%s  (at %d s)\n", s.bold, s.n, fmt.Sprintf(format, args...), s.plain, s.seconds())
}

// say prints one line of the current step, indented ("" for an empty line).
func (s *story) say(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if line == "" {
		fmt.Fprintln(s.w)
		return
	}
	fmt.Fprintln(s.w, "   "+line)
}

// quote prints a file's lines as "   > line".
func (s *story) quote(text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintln(s.w, "   > "+line)
	}
}

// show prints a CLI's output as "   | line", without the development
// overrides warning (expected here, and ten lines long each time) and
// without blank lines and the empty lines of diagnostic boxes; brief also
// leaves out the plan's details, but for its "Plan:" line.
func (s *story) show(out string, brief bool) {
	for _, line := range trimOutput(out, brief) {
		fmt.Fprintln(s.w, "   | "+line)
	}
}

func (s *story) done() {
	fmt.Fprintf(s.w, "\n%sDemo passed in %d s.%s\n", s.bold, s.seconds(), s.plain)
}

func (s *story) seconds() int { return int(time.Since(s.start).Seconds()) }

var (
	// planActions are the lines where a brief output resumes: the apply or
	// destroy itself.
	planActions = regexp.MustCompile(`: (Destroying|Creating|Modifying)\.\.\.`)
	// emptyLine is a line with nothing but white space and box drawing.
	emptyLine = regexp.MustCompile(`^[│╷╵]*\s*$`)
)

func trimOutput(out string, brief bool) []string {
	var kept []string
	skip := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, "Warning: Provider development overrides are in effect"):
			skip = true
			continue
		case skip && strings.HasSuffix(line, "releases."):
			skip = false
			continue
		case brief && strings.Contains(line, "used the selected providers to generate"):
			skip = true
			continue
		case skip && brief && strings.HasPrefix(line, "Plan: "):
		case skip && brief && planActions.MatchString(line):
			skip = false
		case skip:
			continue
		}
		if !emptyLine.MatchString(line) {
			kept = append(kept, line)
		}
	}
	return kept
}
