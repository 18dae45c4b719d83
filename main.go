// Command miniweb serves the login demo: a form at /login, a home page
// for the logged-in user at /home, and a logout button, built on the
// hand-written framework in ./framework.
//
//	go run .            # http://127.0.0.1:8080, demo account admin / secure123
//	go run . -dev       # templates read from ./templates on every request
//
// See README.md for the flags and environment variables.
package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/miniweb/framework"
	"example.com/miniweb/views"
)

// files holds the templates and static files, so that the binary serves
// the demo from any directory.
//
//go:embed templates static
var files embed.FS

// Server limits. Each bounds what one client can hold of the server.
const (
	// ReadHeaderTimeout bounds the time to read a request's header
	// section: a client that trickles it (slowloris) is cut off.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds the time to read a whole request, body included.
	ReadTimeout = 10 * time.Second
	// WriteTimeout bounds the time from the end of the request's header
	// section to the end of the response.
	WriteTimeout = 15 * time.Second
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request.
	IdleTimeout = 60 * time.Second
	// MaxHeaderBytes bounds the size of a request's header section:
	// 16 KiB, a sixty-fourth of net/http's default of 1 MiB. A larger one
	// gets 431 Request Header Fields Too Large (RFC 6585 §5).
	MaxHeaderBytes = 16 << 10
	// ShutdownTimeout bounds how long a graceful shutdown waits for
	// requests in flight.
	ShutdownTimeout = 10 * time.Second
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "miniweb:", err)
		os.Exit(1)
	}
}

// run parses args and the environment, builds the application and serves
// it until ctx is done, then shuts down gracefully. The start-up line goes
// to stdout and the log to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	config, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	handler, err := newApp(config, logger)
	if err != nil {
		return err
	}

	listener, err := net.Listen("tcp", config.addr)
	if err != nil {
		return err
	}
	server := newServer(handler, logger)
	fmt.Fprintf(stdout, "miniweb: serving http://%s%s/ (demo account %s)\n",
		listener.Addr(), config.mount, config.account())

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newServer returns the http.Server that serves handler, with every limit
// set.
func newServer(handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// newApp builds the demo's handler: the route table and the middleware
// every request goes through. Tests serve the same handler.
func newApp(config config, logger *slog.Logger) (http.Handler, error) {
	if config.generatedKeys {
		logger.Warn("no session keys in the environment: using random keys, so sessions end when the server restarts",
			"variables", hashKeyVariable+", "+blockKeyVariable)
	}
	sessions, err := framework.NewSessions(framework.DefaultSessionLifetime, config.sessionKeys...)
	if err != nil {
		return nil, err
	}
	templates, static, err := config.fileSystems()
	if err != nil {
		return nil, err
	}
	pages, err := framework.NewPages(templates, sessions, logger, config.dev)
	if err != nil {
		return nil, err
	}
	users, err := views.NewUsers(config.users)
	if err != nil {
		return nil, err
	}

	routes := framework.Routes{
		"/":       views.Login(users, pages, sessions),
		"/login":  views.Login(users, pages, sessions),
		"/home":   views.Home(pages, sessions),
		"/logout": views.Logout(pages, sessions),
	}
	staticRoutes, err := framework.StaticFiles(static, "/static/")
	if err != nil {
		return nil, err
	}
	maps.Copy(routes, staticRoutes)

	var handler http.Handler = routes.WithNotFound(http.HandlerFunc(pages.NotFound))
	if config.mount != "" {
		handler = framework.Mount(config.mount, handler)
	}
	handler = http.NewCrossOriginProtection().Handler(handler)
	handler = pages.Recover(handler)
	handler = framework.AccessLog(logger, handler)
	return framework.SecurityHeaders(handler), nil
}

// fileSystems returns the templates and the static files: embedded in the
// binary, or in -dev mode read from the working directory, so that edits
// show without a rebuild.
func (c config) fileSystems() (templates, static fs.FS, err error) {
	if c.dev {
		return os.DirFS("templates"), os.DirFS("static"), nil
	}
	if templates, err = fs.Sub(files, "templates"); err != nil {
		return nil, nil, err
	}
	if static, err = fs.Sub(files, "static"); err != nil {
		return nil, nil, err
	}
	return templates, static, nil
}
