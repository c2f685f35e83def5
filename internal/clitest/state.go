package clitest

import (
	"encoding/json"
	"fmt"
	"os"
)

// State is a state file as a CLI wrote it: its text, and the attributes
// of its resources' instances.
type State struct {
	Text      string
	Resources []struct {
		Mode, Type, Name string
		Instances        []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// ReadState reads a state file (terraform.tfstate).
func ReadState(path string) (State, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return State{}, err
	}
	s := State{Text: string(raw)}
	if err := json.Unmarshal(raw, &s); err != nil {
		return State{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Instance is one instance of a resource in a state.
type Instance struct {
	Name       string // the resource's: "demo" for zoho_oauth_refresh_token.demo
	Attributes map[string]any
}

// Instances are the instances of the managed resources of type typ, in
// the state's order.
func (s State) Instances(typ string) []Instance {
	var out []Instance
	for _, r := range s.Resources {
		if r.Mode != "managed" || r.Type != typ {
			continue
		}
		for _, inst := range r.Instances {
			out = append(out, Instance{Name: r.Name, Attributes: inst.Attributes})
		}
	}
	return out
}

// RefreshTokens are the refresh tokens of the zoho_oauth_refresh_token
// instances, by resource name, in instance order.
func (s State) RefreshTokens() map[string][]string {
	tokens := map[string][]string{}
	for _, inst := range s.Instances("zoho_oauth_refresh_token") {
		token, _ := inst.Attributes["refresh_token"].(string)
		tokens[inst.Name] = append(tokens[inst.Name], token)
	}
	return tokens
}
