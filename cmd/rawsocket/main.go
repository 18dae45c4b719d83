// Command rawsocket is an HTTP server written on a bare TCP socket: it
// reads the request bytes, parses them by hand and writes the response
// bytes by hand. It rebuilds the raw-socket server of the Python notes in
// Go, using neither net/http nor the framework package.
//
// It exists for comparison, not production. Every line of it is something
// net/http does for you: reading a request however its bytes arrive,
// limits on every part of it, timeouts for slow clients, the status codes
// RFC 9110 and RFC 9112 require for bad input, Content-Length and Date,
// HEAD, persistent connections and pipelined requests, chunked bodies,
// closing a connection without losing the response, and a graceful
// shutdown. Even so, it knows no TLS or HTTP/2.
//
// # Usage
//
//	go run ./cmd/rawsocket [-addr 127.0.0.1:8000] [-close] [-sequential]
//
// It serves three pages: / (home), /hello?name=... (a greeting built from
// the query string) and /login (a form; the demo account is admin /
// secure123). Any other path gets 404 Not Found. It logs one line per
// request to standard error and stops on SIGINT or SIGTERM.
//
// Each connection is served on its own goroutine and kept open for more
// requests (RFC 9112 §9.3): an HTTP/1.1 client's unless it says
// Connection: close, an HTTP/1.0 client's only if it says keep-alive, up
// to 1000 requests and 30 seconds of silence. The -close flag answers one
// request a connection, as the Python notes' server does; the
// -sequential flag serves one connection at a time, one request each, as
// the loop in the notes does, so that one slow client holds up every
// other.
//
// # Errors
//
// A request the server cannot or will not handle gets a short error page
// and the connection is closed:
//
//   - 400 Bad Request: a malformed request line or field line, a bare CR
//     or LF, a control character, obs-fold, whitespace before a colon, a
//     missing, repeated or invalid Host, an invalid or repeated
//     Content-Length, or a connection closed mid-request.
//   - 408 Request Timeout: the header section or body did not arrive in time.
//   - 413 Content Too Large: a body over the body limit, by Content-Length
//     or by its chunks.
//   - 414 URI Too Long: a request-target over 8000 bytes.
//   - 431 Request Header Fields Too Large: a field line, the header
//     section or the number of fields over its limit.
//   - 400 Bad Request too: a Transfer-Encoding whose last coding is not
//     chunked, or with Content-Length, since the body's end is then in
//     doubt (RFC 9112 §6.3), and any in an HTTP/1.0 request.
//   - 501 Not Implemented: a method the server does not know, or a
//     Transfer-Encoding other than chunked before it, such as gzip.
//   - 505 HTTP Version Not Supported: a version other than HTTP/1.x.
//     HTTP/1.2 to HTTP/1.9 are served as HTTP/1.1 (RFC 9110 §2.5).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// defaultAddr is the address the server listens on unless -addr says
// otherwise: port 8000 on the loopback interface only.
const defaultAddr = "127.0.0.1:8000"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run parses the command-line arguments args (without the program name),
// listens, prints the address to stdout, and serves until ctx is done. It
// logs requests to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("rawsocket", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", defaultAddr, "`address` to listen on")
	sequential := flags.Bool("sequential", false, "serve one connection at a time, one request each, like the Python notes")
	closeEach := flags.Bool("close", false, "close each connection after one request, like the Python notes")
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("rawsocket: unexpected arguments %q", flags.Args())
	}

	// No TCP keep-alive probes on accepted connections: the idle timeout
	// ends a silent connection, and setting the probes up costs four
	// system calls a connection.
	config := net.ListenConfig{KeepAlive: -1}
	listener, err := config.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("rawsocket: %w", err)
	}
	s := newServer(slog.New(slog.NewTextHandler(stderr, nil)))
	s.sequential = *sequential
	s.closeEach = *closeEach || *sequential // one connection at a time must not wait on an idle one
	fmt.Fprintf(stdout, "rawsocket: serving on http://%s\n", listener.Addr())
	return s.serve(ctx, listener)
}
