// Command ferretdb-launcher embeds FerretDB 1.x with SQLite storage so that a fresh clone
// gets a MongoDB-wire-compatible database without Docker or a MongoDB install.
// With -handler postgresql it stores in an existing PostgreSQL database instead (used to
// compare the two backends, see docs/database.md); the service itself runs on SQLite.
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
	"runtime/debug"
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
	handler := flag.String("handler", "sqlite", "storage backend: sqlite (files in -data) or postgresql (-postgresql-url)")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL database for -handler postgresql, e.g. postgres://host:5432/ferretdb")
	flag.Parse()

	config, err := backendConfig(*handler, *postgresqlURL)
	if err != nil {
		fail("%v", err)
	}

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
	config.Listener = ferretdb.ListenerConfig{TCP: *addr}
	config.Logger = logger
	if config.Handler == "sqlite" {
		config.SQLiteURL = "file:" + abs + "/"
	}

	// Garbage collection: FerretDB allocates tens of kB per document it converts (wire BSON, its
	// own types, SQLite's JSON), on a live heap of a few tens of MB, so Go's default (a collection
	// each time the heap doubles) collected often enough to take a third of FerretDB's CPU in a
	// bulk load: 15.4 s against 9.7 s at 400 for the same 5,000 quotes (docs/database.md). A
	// soft limit keeps the larger headroom from growing past a bound. GOGC and GOMEMLIMIT in the
	// environment still win.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(384 << 20)
	}
	f, err := ferretdb.New(config)
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

// backendConfig checks the -handler and -postgresql-url flags together; the data folder is
// still created for -handler postgresql (the caller may keep other files there).
func backendConfig(handler, postgresqlURL string) (*ferretdb.Config, error) {
	switch handler {
	case "sqlite":
		if postgresqlURL != "" {
			return nil, fmt.Errorf("-postgresql-url is only for -handler postgresql")
		}
		return &ferretdb.Config{Handler: "sqlite"}, nil
	case "postgresql":
		if postgresqlURL == "" {
			return nil, fmt.Errorf("-handler postgresql needs -postgresql-url")
		}
		return &ferretdb.Config{Handler: "postgresql", PostgreSQLURL: postgresqlURL}, nil
	default:
		return nil, fmt.Errorf("bad -handler %q: sqlite or postgresql", handler)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-launcher: "+format+"\n", args...)
	os.Exit(1)
}
