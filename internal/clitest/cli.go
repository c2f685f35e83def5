package clitest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CLI is a tofu or terraform binary and the version it reports.
type CLI struct {
	Path    string
	Product string // "OpenTofu" or "Terraform"
	Version string // "1.12.6": no "v", no prerelease
}

// versionLine is the line of `version` that names the CLI. It is looked
// for on every line: a CLI may print a warning first (the environment trap
// of a missing TF_CLI_CONFIG_FILE, should a caller's environment get in).
var versionLine = regexp.MustCompile(`(?m)^(OpenTofu|Terraform) v(\d+\.\d+\.\d+)`)

// InspectCLI runs `path version` in a clean environment and reads which
// CLI it is ("OpenTofu v1.12.6", "Terraform v1.11.4").
func InspectCLI(ctx context.Context, path string) (CLI, error) {
	if path == "" {
		return CLI{}, errors.New("no CLI named")
	}
	cmd := exec.CommandContext(ctx, path, "version")
	cmd.Env = Env("", nil)
	out, err := cmd.Output()
	if err != nil {
		return CLI{}, fmt.Errorf("%s version: %w", path, err)
	}
	product, version, ok := parseVersion(string(out))
	if !ok {
		first, _, _ := strings.Cut(string(out), "\n")
		return CLI{}, fmt.Errorf("%s version printed %q, which names neither OpenTofu nor Terraform", path, first)
	}
	return CLI{Path: path, Product: product, Version: version}, nil
}

func parseVersion(out string) (product, version string, ok bool) {
	m := versionLine.FindStringSubmatch(out)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// UnderTest is the CLI the acceptance tests run, inspected once:
// TF_ACC_TERRAFORM_PATH, else the terraform on PATH (where
// terraform-plugin-testing looks, short of downloading one).
var UnderTest = sync.OnceValues(func() (CLI, error) {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		var err error
		if path, err = exec.LookPath("terraform"); err != nil {
			return CLI{}, errors.New("TF_ACC_TERRAFORM_PATH is not set and there is no terraform on PATH: name the terraform or tofu binary to test against")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return InspectCLI(ctx, path)
})

func (c CLI) String() string { return c.Product + " v" + c.Version }

// Name is the command a user types: tofu or terraform.
func (c CLI) Name() string {
	if c.Product == "OpenTofu" {
		return "tofu"
	}
	return "terraform"
}

// Registry is where this CLI resolves the provider's source address.
func (c CLI) Registry() string {
	if c.Product == "OpenTofu" {
		return OpenTofuRegistry
	}
	return TerraformRegistry
}

// Feature is something the CLIs gained in some release. Terraform and
// OpenTofu number their releases alike, but did not gain features in the
// same ones: a version number alone does not say whether a CLI has one.
type Feature struct {
	Name      string // "write-only arguments"
	Terraform string // the first Terraform release with it: "1.11.0"
	OpenTofu  string // the first OpenTofu release with it
	// Why, when set, says why a CLI before those releases cannot be used
	// although it has the feature as such (a limit of a test framework, a
	// bug of that CLI).
	Why string
}

// The features of the CLIs that this provider's users and tests meet and
// that not every supported CLI (Terraform >= 1.0, OpenTofu >= 1.6) has.
var (
	ImportBlocks       = Feature{Name: "import blocks", Terraform: "1.5.0", OpenTofu: "1.6.0"}
	ProviderFunctions  = Feature{Name: "provider-defined functions", Terraform: "1.8.0", OpenTofu: "1.7.0"}
	EphemeralResources = Feature{Name: "ephemeral resources", Terraform: "1.10.0", OpenTofu: "1.11.0"}
	EphemeralVariables = Feature{Name: "ephemeral input variables", Terraform: "1.10.0", OpenTofu: "1.11.0"}
	WriteOnly          = Feature{Name: "write-only arguments", Terraform: "1.11.0", OpenTofu: "1.11.0"}
)

// Lacks says why c cannot be used for f (it is older than its product's
// first release with f), or "" when it can. Prereleases count as their
// release.
func (c CLI) Lacks(f Feature) string {
	need, other, otherNeed := f.Terraform, "OpenTofu", f.OpenTofu
	if c.Product == "OpenTofu" {
		need, other, otherNeed = f.OpenTofu, "Terraform", f.Terraform
	}
	have, ok := coreVersion(c.Version)
	want, wantOK := coreVersion(need)
	switch {
	case !ok || !wantOK:
		return fmt.Sprintf("cannot compare %s version %q with %q (%s)", c.Product, c.Version, need, f.Name)
	case slices.Compare(have[:], want[:]) >= 0:
		return ""
	case f.Why != "":
		return fmt.Sprintf("%s %s: %s need %s >= %s (%s >= %s): %s", c.Product, c.Version, f.Name, c.Product, need, other, otherNeed, f.Why)
	}
	return fmt.Sprintf("%s %s has no %s: they need %s >= %s (%s >= %s)", c.Product, c.Version, f.Name, c.Product, need, other, otherNeed)
}

// coreVersion parses "1.10.0" (a "v" prefix and a prerelease are ignored).
func coreVersion(s string) ([3]int, bool) {
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return [3]int{}, false
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return [3]int{}, false
		}
		v[i] = n
	}
	return v, true
}
