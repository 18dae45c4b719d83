// Command baseline serves the demo's login and home pages with net/http,
// pongo2 and securecookie alone (package internal/baseline), as the
// yardstick for load tests of miniweb: docs/performance.md runs wrk
// against both. It reads the session keys from MINIWEB_HASH_KEY and
// MINIWEB_BLOCK_KEY, in hex, so that a cookie from miniweb's login works
// here too, and the templates from ./templates.
//
//	go run ./cmd/baseline -addr 127.0.0.1:8081
//
// It exists for measurement, not production.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/miniweb/internal/baseline"
	"example.com/miniweb/locales"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("baseline", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8081", "listen `address`, host:port")
	if err := flags.Parse(args); err != nil {
		return err
	}
	hashKey, err := hex.DecodeString(os.Getenv("MINIWEB_HASH_KEY"))
	if err != nil || len(hashKey) == 0 {
		return errors.New("set MINIWEB_HASH_KEY, in hex, to the key miniweb uses")
	}
	blockKey, err := hex.DecodeString(os.Getenv("MINIWEB_BLOCK_KEY"))
	if err != nil || len(blockKey) == 0 {
		return errors.New("set MINIWEB_BLOCK_KEY, in hex, to the key miniweb uses")
	}
	catalogue, err := locales.Load()
	if err != nil {
		return err
	}
	handler, err := baseline.Handler(os.DirFS("templates"), catalogue, hashKey, blockKey)
	if err != nil {
		return err
	}
	server := &http.Server{Addr: *addr, Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		server.Close()
	}()
	fmt.Printf("baseline: serving http://%s/login and /home\n", *addr)
	if err := server.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
