package main

import (
	"fmt"
	"strings"
)

// parseExplanations reads explanations.md: after an optional preamble, one
// "## <summary>" section per diagnostic, its body the explanation.
func parseExplanations(text string) (map[string]string, error) {
	out := map[string]string{}
	var summary string
	var body strings.Builder
	flush := func() error {
		if summary == "" {
			return nil
		}
		if _, dup := out[summary]; dup {
			return fmt.Errorf("two explanations of %q", summary)
		}
		text := strings.TrimSpace(body.String())
		if text == "" {
			return fmt.Errorf("the explanation of %q is empty", summary)
		}
		out[summary] = text
		return nil
	}
	for _, line := range strings.Split(text, "\n") {
		if s, ok := strings.CutPrefix(line, "## "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			summary = strings.TrimSpace(s)
			body.Reset()
			continue
		}
		if summary != "" {
			body.WriteString(line + "\n")
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}
