// Command zoho-emulator runs the Zoho Accounts emulator
// (internal/zoho/zohotest) as a program on loopback, with one Self Client,
// for people trying the provider by hand and for `make demo`.
//
//	zoho-emulator -state-file /tmp/zoho.json
//
// It listens until SIGINT or SIGTERM. See -h for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr, nil)
	stop()
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &usage):
		os.Exit(2) // the flag package has already explained
	default:
		fmt.Fprintln(os.Stderr, "zoho-emulator:", err)
		os.Exit(1)
	}
}
