// Command install-local installs the provider built from this clone where
// `terraform init` and `tofu init` find it with no configuration at all:
// the implied local mirror directory (~/.terraform.d/plugins on Linux and
// macOS, %APPDATA%/terraform.d/plugins on Windows), under both registries'
// addresses, so the unchanged source "cd40c554/zoho" installs from it, and
// every other provider from its registry as usual. It is how to use the
// provider before it is published, or a build of your own after.
//
//	go run ./internal/cmd/install-local [-version 0.0.1] [-dir DIR]
//
// The version must be a release version (no "-dev" suffix): init does not
// pick a prerelease unless a configuration asks for it exactly. A module
// that pins another version needs `version = "0.0.1"` (or -version to
// match) while it uses this build.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"

	"github.com/cd40c554/terraform-provider-zoho/internal/clitest"
)

func main() {
	version := flag.String("version", "0.0.1", "the version to install the build as (major.minor.patch)")
	dir := flag.String("dir", "", "the mirror directory (default: the CLIs' implied local mirror of this user)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	installed, err := install(ctx, *version, *dir)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "install-local:", err)
		os.Exit(1)
	}
	fmt.Printf("Installed cd40c554/zoho %s:\n", *version)
	for _, path := range installed {
		fmt.Println("  " + path)
	}
	fmt.Println(`terraform init and tofu init now install it for source = "cd40c554/zoho", with no CLI configuration.`)
}

var release = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

// install builds the provider with version in it and lays it out under
// dir as an unpacked mirror, for both registries; it returns the files.
func install(ctx context.Context, version, dir string) ([]string, error) {
	if !release.MatchString(version) {
		return nil, fmt.Errorf("-version %q: use major.minor.patch, such as 0.0.1 (init skips prereleases)", version)
	}
	if dir == "" {
		var err error
		if dir, err = impliedMirror(); err != nil {
			return nil, err
		}
	}
	build, err := os.MkdirTemp("", "zoho-install-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(build)
	plugin, err := clitest.BuildProvider(ctx, build, "-trimpath", "-ldflags", "-s -w -X main.version="+version)
	if err != nil {
		return nil, err
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	var installed []string
	for _, host := range []string{clitest.TerraformRegistry, clitest.OpenTofuRegistry} {
		target := filepath.Join(dir, host, clitest.ProviderSource, version, platform, "terraform-provider-zoho_v"+version+exe())
		if err := copyExecutable(plugin.Binary, target); err != nil {
			return nil, err
		}
		installed = append(installed, target)
	}
	return installed, nil
}

// impliedMirror is the directory both CLIs search for providers without
// any provider_installation configuration.
func impliedMirror() (string, error) {
	if runtime.GOOS == "windows" {
		appData := os.Getenv("APPDATA")
		if appData == "" {
			return "", errors.New("APPDATA is not set: give -dir")
		}
		return filepath.Join(appData, "terraform.d", "plugins"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory (%w): give -dir", err)
	}
	return filepath.Join(home, ".terraform.d", "plugins"), nil
}

func exe() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

func copyExecutable(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
