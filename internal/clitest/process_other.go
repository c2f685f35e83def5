//go:build !unix

package clitest

import (
	"os"
	"os/exec"
)

// Elsewhere a process group is not a Unix one: the command alone is killed.
func ownProcessGroup(*exec.Cmd) {}

func killProcessGroup(p *os.Process) error { return p.Kill() }
