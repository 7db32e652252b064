// Command ferretdb-launcher embeds FerretDB 1.x with SQLite storage so that a fresh clone
// gets a MongoDB-wire-compatible database without Docker or a MongoDB install.
// It prints one JSON line {"uri": "..."} on stdout once the listener is up, and exits
// cleanly on SIGTERM/SIGINT.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
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
	flag.Parse()

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("data folder: %v", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail("cannot create data folder %s: %v", abs, err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		fail("ferretdb: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// MongoDBURI reports the real port once the listener is bound; poll briefly for it.
	deadline := time.Now().Add(30 * time.Second)
	var uri string
	for time.Now().Before(deadline) {
		uri = f.MongoDBURI()
		if uri != "" && !hasZeroPort(uri) {
			break
		}
		select {
		case err := <-done:
			fail("ferretdb stopped during start: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	line, _ := json.Marshal(map[string]string{"uri": uri, "data": abs})
	fmt.Println(string(line))

	if err := <-done; err != nil && ctx.Err() == nil {
		fail("ferretdb: %v", err)
	}
}

func hasZeroPort(uri string) bool {
	for i := len(uri) - 1; i > 0; i-- {
		if uri[i] == ':' {
			rest := uri[i+1:]
			return len(rest) >= 2 && rest[0] == '0' && (rest[1] == '/' || rest[1] == '?')
		}
	}
	return false
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-launcher: "+format+"\n", args...)
	os.Exit(1)
}
