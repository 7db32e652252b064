// Command ferretdb-launcher embeds FerretDB 1.x with SQLite storage so that a fresh clone
// gets a MongoDB-wire-compatible database without Docker or a MongoDB install.
//
// It prints one JSON line {"uri": "...", "data": "..."} on stdout once the listener is
// bound (with -listen HOST:0 the URI carries the real, kernel-chosen port), logs to
// stderr, and exits cleanly on SIGTERM/SIGINT. With -exit-on-stdin-eof it also exits
// when its stdin is closed, which is how the Node parent guarantees no orphan process:
// if the parent dies for any reason (even SIGKILL) the pipe closes and we shut down.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dataDir := flag.String("data", "./data/db", "folder for the SQLite files (created if missing)")
	addr := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (port 0 picks a free one)")
	logLevel := flag.String("log-level", "info", "log level on stderr: debug, info, warn, error")
	stdinEOF := flag.Bool("exit-on-stdin-eof", false, "shut down when stdin is closed (parent process gone)")
	shutdownTimeout := flag.Duration("shutdown-timeout", 5*time.Second, "give up waiting for clients after this long on shutdown")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level %q: %v", *logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("data folder: %v", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail("cannot create data folder %s: %v", abs, err)
	}

	// New binds the listener, so a busy port fails here, before anything is printed.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    logger,
	})
	if err != nil {
		fail("cannot start FerretDB on %s with data in %s: %v", *addr, abs, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	if *stdinEOF {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin) // returns on EOF or error: parent is gone
			logger.Info("stdin closed, shutting down")
			cancel()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	line, _ := json.Marshal(map[string]string{"uri": f.MongoDBURI(), "data": abs})
	if _, err := fmt.Println(string(line)); err != nil {
		fail("cannot write to stdout: %v", err)
	}

	select {
	case err := <-done:
		if err != nil && ctx.Err() == nil {
			fail("ferretdb: %v", err)
		}
		if ctx.Err() == nil {
			fail("ferretdb stopped unexpectedly")
		}
		return
	case <-ctx.Done():
	}

	// Shutting down: the listener waits for client connections to finish; don't hang forever.
	select {
	case <-done:
	case <-time.After(*shutdownTimeout):
		logger.Warn("clients still connected after shutdown timeout, exiting anyway")
		os.Exit(0)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-launcher: "+format+"\n", args...)
	os.Exit(1)
}
