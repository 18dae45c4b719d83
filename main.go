// Command miniweb serves the login demo: a form at /login, a home page
// for the logged-in user at /home, and a logout button, built on the
// hand-written framework in ./framework.
//
//	go run .            # http://127.0.0.1:8080, demo account admin / secure123
//	go run . -dev       # templates read from ./templates on every request, /environ
//	go run . -fcgi 127.0.0.1:9000   # FastCGI, behind a web server such as nginx
//	go run . -check     # check the production configuration, then exit
//
// Started by a web server as a CGI script (GATEWAY_INTERFACE set), it
// answers that one request and exits.
//
// See README.md for the flags and environment variables.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/fcgi"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"example.com/miniweb/db"
	"example.com/miniweb/framework"
	"example.com/miniweb/framework/validate"
	"example.com/miniweb/locales"
	"example.com/miniweb/notes"
	"example.com/miniweb/throttle"
	"example.com/miniweb/users"
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
	// gets 431 Request Header Fields Too Large (RFC 6585 §5). net/http
	// allows 4 KiB of slack beyond it, and on a kept-alive connection up
	// to 4 KiB more, which it has read ahead before the limit applies.
	MaxHeaderBytes = 16 << 10
	// ShutdownTimeout bounds how long a graceful shutdown waits for
	// requests in flight.
	ShutdownTimeout = 10 * time.Second
)

// FastCGISocketMode is the mode of the unix socket that -fcgi makes:
// 0666, so that the web server's workers, which run as another user, can
// connect. Who can reach the socket is then up to its directory: give it
// to the miniweb user and the web server's group, with mode 0750, such as
// /run/miniweb owned by miniweb:www-data, so that no one else can.
const FastCGISocketMode = 0o666

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "miniweb:", err)
		os.Exit(1)
	}
}

// run parses args and the environment, builds the application and serves
// it, the way the configuration asks: as a CGI script when a web server
// started the process as one, as a FastCGI server with -fcgi, and over
// HTTP otherwise. It serves until ctx is done, then shuts down. The
// start-up line goes to stdout (except in CGI, where stdout is the
// response) and the log to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	config, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is printed
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	// The access log, a record a request, is buffered and written about
	// once a second; the application's warnings go out at once.
	accessLog := newLogBuffer(stderr, LogFlushInterval)
	defer accessLog.Close()
	accessLogger := slog.New(slog.NewTextHandler(accessLog, nil))
	if config.dev {
		config.report = func(r *http.Request, violation string) {
			logger.Warn("HTTP rule broken", "method", r.Method, "path", r.URL.Path, "violation", violation)
		}
	}
	database, err := db.Open(ctx, config.database)
	if err != nil {
		return err
	}
	defer database.Close()
	if config.check {
		if !deployCheck(ctx, config, database, stdout) {
			return errors.New("the deploy check failed")
		}
		return nil
	}
	handler, created, err := newApp(ctx, config, database, logger, accessLogger)
	if err != nil {
		return err
	}
	accounts := config.startupAccounts(created)
	switch {
	case config.cgi:
		return cgi.Serve(handler)
	case config.fastCGI != "":
		return serveFastCGI(ctx, config, handler, accounts, stdout)
	default:
		return serveHTTP(ctx, config, handler, accounts, logger, stdout)
	}
}

// serveHTTP serves handler over HTTP on config.addr until ctx is done,
// then shuts down gracefully: the listener closes at once, and requests in
// flight get up to ShutdownTimeout to finish.
func serveHTTP(ctx context.Context, config config, handler http.Handler, accounts string, logger *slog.Logger, stdout io.Writer) error {
	listener, err := net.Listen("tcp", config.addr)
	if err != nil {
		return err
	}
	server := newServer(handler, logger)
	if address, ok := listener.Addr().(*net.TCPAddr); ok && config.dev && !address.IP.IsLoopback() {
		logger.Warn("development mode on an address others can reach: /environ shows their requests, and templates come from disk",
			"addr", listener.Addr().String())
	}
	fmt.Fprintf(stdout, "miniweb: serving http://%s%s/ (%s)\n",
		listener.Addr(), config.mount, accounts)

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

// serveFastCGI serves handler as a FastCGI responder on config.fastCGI, a
// unix socket path if it holds a "/" and a TCP address otherwise, until
// ctx is done. net/http/fcgi has no graceful shutdown: closing the
// listener stops new connections, and requests in flight are cut.
func serveFastCGI(ctx context.Context, config config, handler http.Handler, accounts string, stdout io.Writer) error {
	network := "tcp"
	if strings.Contains(config.fastCGI, "/") {
		network = "unix"
	}
	listener, err := net.Listen(network, config.fastCGI)
	if err != nil {
		return err
	}
	if network == "unix" {
		// The web server's workers run as another user (nginx: www-data
		// or nobody) and must be able to connect.
		if err := os.Chmod(config.fastCGI, FastCGISocketMode); err != nil {
			listener.Close()
			return err
		}
	}
	fmt.Fprintf(stdout, "miniweb: serving FastCGI on %s %s, the app at %s/ (%s)\n",
		network, listener.Addr(), config.mount, accounts)
	stop := context.AfterFunc(ctx, func() { listener.Close() })
	defer stop()
	err = fcgi.Serve(listener, handler)
	if ctx.Err() != nil {
		return nil
	}
	return err
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

// newApp builds the demo's handler over database: the route table and the
// middleware every request goes through. The views log to logger, the
// access log goes to accessLogger. Tests serve the same handler. It
// reports whether the database was empty and got its first account.
func newApp(ctx context.Context, config config, database *db.DB, logger, accessLogger *slog.Logger) (http.Handler, bool, error) {
	app, err := newRoutes(ctx, config, database, logger)
	if err != nil {
		return nil, false, err
	}
	return withMiddleware(config, accessLogger, app), app.created, nil
}

// app is the route table and what its middleware needs of the views'
// dependencies.
type app struct {
	routes   framework.Routes
	pages    *framework.Pages
	sessions *framework.Sessions
	created  bool // whether the database was empty and got its first account
}

// newRoutes builds the route table and the pages, sessions and stores
// its views share. An empty database gets its first account here.
func newRoutes(ctx context.Context, config config, database *db.DB, logger *slog.Logger) (app, error) {
	if config.generatedKeys {
		logger.Warn("no session keys in the environment: using random keys, so sessions end when the server restarts",
			"variables", hashKeyVariable+", "+blockKeyVariable)
	}
	accounts := users.NewStore(database)
	created, err := accounts.CreateFirst(ctx, config.firstUser, config.firstPassword)
	if err != nil {
		return app{}, err
	}
	if created {
		logger.Info("the database was empty: created the first account", "user", config.firstUser)
	}
	sessions, err := framework.NewSessions(accounts, framework.DefaultSessionLifetime, config.sessionKeys...)
	if err != nil {
		return app{}, err
	}
	templates, static, err := config.fileSystems()
	if err != nil {
		return app{}, err
	}
	catalogue, err := locales.Load()
	if err != nil {
		return app{}, err
	}
	pages, err := framework.NewPages(templates, sessions, views.PageGlobals(catalogue), logger, config.dev)
	if err != nil {
		return app{}, err
	}
	logins := throttle.New(database, "login", time.Now)    // failed logins and password changes
	signUps := throttle.New(database, "sign-up", time.Now) // every sign-up, by name and by client
	notebook := notes.NewStore(database)
	login := views.Login(accounts.Authenticate, logins, pages, sessions, catalogue, logger)
	myNotes := views.Notes(notebook, pages, sessions, catalogue)
	routes := framework.Routes{
		"/":         login,
		"/login":    login,
		"/register": views.Register(accounts, signUps, pages, sessions, catalogue, logger),
		"/home":     views.Home(notebook, pages, sessions),
		"/notes":    myNotes,
		"/notes/":   myNotes, // a subtree: /notes/12/edit too
		"/account":  views.Account(accounts, logins, pages, sessions, catalogue, logger),
		"/logout":   views.Logout(pages, sessions),
		"/language": views.Language(pages, catalogue), // the switch in every page's footer
	}
	if config.dev {
		routes["/environ"] = views.Environ()
	}
	staticRoutes, err := framework.StaticFiles(static, "/static/")
	if err != nil {
		return app{}, err
	}
	maps.Copy(routes, staticRoutes)
	return app{routes: routes, pages: pages, sessions: sessions, created: created}, nil
}

// withMiddleware wraps routes in the middleware every request goes
// through, with its access log to accessLogger. The chain lists them
// outermost first: the first sees the request first and the response
// last.
func withMiddleware(config config, accessLogger *slog.Logger, app app) http.Handler {
	var chain []func(http.Handler) http.Handler
	if config.report != nil {
		chain = append(chain, validate.Handler(config.report)) // -dev: report broken HTTP rules
	}
	if len(config.trustProxy) > 0 {
		chain = append(chain, framework.TrustProxy(config.trustProxy...)) // believe X-Forwarded-For and -Proto
	}
	chain = append(chain,
		framework.SecurityHeaders(),
		framework.AccessLog(accessLogger),
		framework.RefuseTransferEncoding(), // 400 and close: no chunked bodies, no smuggling
	)
	if config.mount != "" {
		// Outside Recover, so that the 500 page's links know SCRIPT_NAME.
		chain = append(chain, func(next http.Handler) http.Handler { return framework.Mount(config.mount, next) })
	}
	chain = append(chain,
		framework.Recover(app.pages),            // a panic becomes the 500 page
		app.sessions.Middleware(),               // each request decodes its session once
		http.NewCrossOriginProtection().Handler, // 403 for a cross-origin POST (CSRF)
	)

	handler := app.routes.WithNotFound(http.HandlerFunc(app.pages.NotFound))
	for _, middleware := range slices.Backward(chain) {
		handler = middleware(handler)
	}
	return handler
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
