package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cd40c554/terraform-provider-zoho/internal/zoho/zohotest"
)

const defaultScopes = "ZohoCRM.users.READ,ZohoCRM.modules.ALL"

type config struct {
	listen       string
	dc           string
	clientID     string
	clientSecret string
	scopes       string
	stateFile    string
	tokenTTL     time.Duration
	showVersion  bool
}

// usageError is a command-line mistake the flag package has already
// reported, with the usage text.
type usageError struct{ error }

func parseFlags(args []string, output io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("zoho-emulator", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&cfg.listen, "listen", "127.0.0.1:0", "address to listen on; loopback only (127.0.0.0/8, ::1, localhost); port 0 picks a free one")
	fs.StringVar(&cfg.dc, "dc", "us", "data center to emulate: "+strings.Join(zohotest.DataCenters(), ", "))
	fs.StringVar(&cfg.clientID, "client-id", "", "Self Client id (generated in Zoho's format when empty)")
	fs.StringVar(&cfg.clientSecret, "client-secret", "", "Self Client secret (generated when empty)")
	fs.StringVar(&cfg.scopes, "scopes", defaultScopes, "comma-separated scopes shown in the example command")
	fs.StringVar(&cfg.stateFile, "state-file", "", "write the accounts URL, client id and secret here as JSON (mode 0600) once listening; removed on exit")
	fs.DurationVar(&cfg.tokenTTL, "access-token-ttl", time.Hour, "lifetime of the access tokens handed out (expires_in), whole seconds; "+
		"the API refuses them after it. Zoho's is 1h; a short one (30s) lets a run see its tokens expire in seconds "+
		"(set the provider's min_token_lifetime below it)")
	fs.BoolVar(&cfg.showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{err}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(output, "unexpected arguments: %q\n", fs.Args())
		fs.Usage()
		return cfg, usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if cfg.tokenTTL < time.Second || cfg.tokenTTL%time.Second != 0 {
		// expires_in is a whole number of seconds: anything else would be
		// announced shorter than it lives.
		return cfg, fmt.Errorf("-access-token-ttl %s: use a whole number of seconds, at least 1s", cfg.tokenTTL)
	}
	if !slices.Contains(zohotest.DataCenters(), cfg.dc) {
		return cfg, fmt.Errorf("-dc %q is not a Zoho data center; use one of %s", cfg.dc, strings.Join(zohotest.DataCenters(), ", "))
	}
	return cfg, nil
}

// run is the whole program short of signal handling, so tests can drive
// it: parse flags, listen, publish the state, serve until ctx ends. ready,
// when not nil, is called once the emulator accepts requests.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(state)) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if cfg.showVersion {
		_, err := fmt.Fprintf(stderr, "zoho-emulator %s\n", version)
		return err
	}
	ln, err := listenLoopback(cfg.listen)
	if err != nil {
		return err
	}
	st, handler := newEmulator(cfg, "http://"+ln.Addr().String())
	if cfg.stateFile != "" {
		if err := writeStateFile(cfg.stateFile, st); err != nil {
			_ = ln.Close()
			return err
		}
		defer func() { _ = os.Remove(cfg.stateFile) }()
	}
	printBanner(stderr, cfg, st)
	if ready != nil {
		ready(st)
	}
	return serve(ctx, ln, handler)
}

// listenLoopback listens on addr, which must be a loopback address: the
// emulator hands out working credentials to anyone who can reach it.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-listen %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("-listen %q: refusing to listen beyond this machine; use a loopback address such as 127.0.0.1:8080, [::1]:8080 or localhost:8080", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	// "localhost" is resolved by the system: check what was really bound.
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return nil, fmt.Errorf("-listen %q bound %s, which is not a loopback address", addr, ln.Addr())
	}
	return ln, nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newEmulator builds the emulator with its one Self Client and points the
// DC's api_domain back at the emulator, so the API URL a client derives
// from a token answer works against it too.
func newEmulator(cfg config, baseURL string) (state, http.Handler) {
	emu := zohotest.New(zohotest.Options{AccessTokenTTL: cfg.tokenTTL})
	client := emu.RegisterClient(zohotest.Client{ID: cfg.clientID, Secret: cfg.clientSecret, DC: cfg.dc})
	emu.SetAPIDomain(cfg.dc, baseURL)
	st := state{AccountsURL: baseURL, ClientID: client.ID, ClientSecret: client.Secret, DC: cfg.dc}
	return st, emu.Handler(cfg.dc)
}

// serve answers requests until ctx ends, then lets requests in flight
// finish (for a few seconds at most).
func serve(ctx context.Context, ln net.Listener, handler http.Handler) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
