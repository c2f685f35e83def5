//go:build zohoprofile

package main

// Profiling for the bench (go run ./bench/cli -profile DIR), compiled in
// only with -tags zohoprofile: main.go stays as released. With
// ZOHO_PROFILE=PREFIX the provider profiles its CPU from start-up and, on
// SIGUSR1, writes PREFIX.cpu.pprof and PREFIX.heap.pprof (in use and
// allocated since start) and exits. A signal, not the end of main: the
// bench runs the provider with -debug and attaches the CLI through
// TF_REATTACH_PROVIDERS, so one process serves the whole CLI command and
// stays up after it.

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

func init() {
	prefix := os.Getenv("ZOHO_PROFILE")
	if prefix == "" {
		return
	}
	// Finer than the default 512 KiB, so small per-call allocations show.
	runtime.MemProfileRate = 16 << 10
	cpu, err := os.Create(prefix + ".cpu.pprof")
	if err == nil {
		err = pprof.StartCPUProfile(cpu)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ZOHO_PROFILE:", err)
		os.Exit(1)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGUSR1)
	go func() {
		<-stop
		pprof.StopCPUProfile()
		code := 0
		if err := cpu.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "ZOHO_PROFILE:", err)
			code = 1
		}
		if err := writeHeapProfile(prefix + ".heap.pprof"); err != nil {
			fmt.Fprintln(os.Stderr, "ZOHO_PROFILE:", err)
			code = 1
		}
		os.Exit(code)
	}()
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC() // in-use figures as of now, not of the last collection
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
