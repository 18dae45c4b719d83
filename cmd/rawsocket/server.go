package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

// The status codes this server sends (RFC 9110 §15). The package does not
// import net/http, so it names its own.
const (
	statusContinue                    = 100
	statusOK                          = 200
	statusBadRequest                  = 400
	statusNotFound                    = 404
	statusMethodNotAllowed            = 405
	statusRequestTimeout              = 408
	statusContentTooLarge             = 413
	statusURITooLong                  = 414
	statusUnsupportedMediaType        = 415
	statusUnprocessableContent        = 422
	statusRequestHeaderFieldsTooLarge = 431
	statusNotImplemented              = 501
	statusHTTPVersionNotSupported     = 505
)

// statusText returns the reason phrase for a status code above, as
// RFC 9110 §15 (and RFC 6585 §5 for 431) spells it, or "" for another code.
func statusText(status int) string {
	switch status {
	case statusContinue:
		return "Continue"
	case statusOK:
		return "OK"
	case statusBadRequest:
		return "Bad Request"
	case statusNotFound:
		return "Not Found"
	case statusMethodNotAllowed:
		return "Method Not Allowed"
	case statusRequestTimeout:
		return "Request Timeout"
	case statusContentTooLarge:
		return "Content Too Large"
	case statusURITooLong:
		return "URI Too Long"
	case statusUnsupportedMediaType:
		return "Unsupported Media Type"
	case statusUnprocessableContent:
		return "Unprocessable Content"
	case statusRequestHeaderFieldsTooLarge:
		return "Request Header Fields Too Large"
	case statusNotImplemented:
		return "Not Implemented"
	case statusHTTPVersionNotSupported:
		return "HTTP Version Not Supported"
	}
	return ""
}

// defaultShutdownTimeout is how long serve waits, by default, for open
// connections to finish after it stops accepting: 5 seconds.
const defaultShutdownTimeout = 5 * time.Second

// acceptRetryDelay is how long serve waits after a failed Accept, such as
// EMFILE (too many open files), before it tries again: 100 milliseconds.
const acceptRetryDelay = 100 * time.Millisecond

// imfFixdate is the layout of the Date header: IMF-fixdate, always in GMT
// (RFC 9110 §5.6.7).
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

// response is what a view returns: a status, an HTML body, and for 405
// the Allow header value (RFC 9110 §10.2.1). The server adds the rest.
type response struct {
	status int
	allow  string
	body   string
}

// server answers one request per connection on a listener. Build it with
// newServer, which sets every field to its default; tests then shorten the
// timeouts or limits.
type server struct {
	routes          map[string]func(*request) response // path → view, see routes
	limits          limits
	headerTimeout   time.Duration
	bodyTimeout     time.Duration
	writeTimeout    time.Duration
	shutdownTimeout time.Duration
	sequential      bool             // serve one connection at a time, like the Python notes
	logger          *slog.Logger     // one line per request
	now             func() time.Time // clock for the Date header
}

// newServer returns a server with the site's routes and default limits
// and timeouts that logs to logger.
func newServer(logger *slog.Logger) *server {
	return &server{
		routes:          routes(),
		limits:          defaultLimits(),
		headerTimeout:   defaultHeaderTimeout,
		bodyTimeout:     defaultBodyTimeout,
		writeTimeout:    defaultWriteTimeout,
		shutdownTimeout: defaultShutdownTimeout,
		logger:          logger,
		now:             time.Now,
	}
}

// serve accepts connections on listener and answers each on its own goroutine,
// or in turn if s.sequential is set. When ctx is done it closes listener, waits
// up to s.shutdownTimeout for open connections to finish, and returns nil,
// or an error if some were still open.
func (s *server) serve(ctx context.Context, listener net.Listener) error {
	stop := context.AfterFunc(ctx, func() { listener.Close() })
	defer stop()

	var conns sync.WaitGroup
	for {
		conn, err := listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			// Errors such as EMFILE pass once connections close, so wait
			// and retry rather than exit, as net/http does.
			s.logger.Error("accept failed", "err", err)
			time.Sleep(acceptRetryDelay)
			continue
		}
		if s.sequential {
			s.serveConn(conn)
		} else {
			conns.Go(func() { s.serveConn(conn) })
		}
	}

	done := make(chan struct{})
	go func() {
		conns.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(s.shutdownTimeout):
		return errors.New("rawsocket: shutdown timed out with connections still open")
	}
}

// serveConn reads one request from conn, answers it, logs it and closes
// conn. A connection that closes or times out before sending a byte is
// closed without an answer.
func (s *server) serveConn(conn net.Conn) {
	defer lingeringClose(conn)
	br := bufio.NewReader(conn)

	conn.SetReadDeadline(time.Now().Add(s.headerTimeout))
	if _, err := br.Peek(1); err != nil {
		return
	}
	r, err := readRequest(br, s.limits)
	if err == nil {
		conn.SetDeadline(time.Now().Add(s.bodyTimeout))
		sendContinue(conn, r, s.limits.maxBodyBytes)
		err = readBody(br, r, s.limits.maxBodyBytes)
	}

	var resp response
	var reqErr *requestError
	if errors.As(err, &reqErr) {
		resp = errorPage(reqErr.status, reqErr.reason)
	} else {
		resp = s.route(r)
	}
	s.logger.Info("request", "method", orDash(r.method), "path", orDash(r.path),
		"status", resp.status, "remote", conn.RemoteAddr().String())

	conn.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	head := r.method == "HEAD"
	if _, err := io.WriteString(conn, formatResponse(resp, head, s.now())); err != nil {
		s.logger.Debug("write failed", "err", err)
	}
}

// route passes r to the view for its path, or answers 404.
func (s *server) route(r *request) response {
	view, ok := s.routes[r.path]
	if !ok {
		// The Python notes answer an unknown path with 200 OK and a
		// "not found" page. The status is what clients and caches act
		// on, so it must be 404 Not Found (RFC 9110 §15.5.5).
		return notFound(r)
	}
	return view(r)
}

// formatResponse returns the bytes of resp as an HTTP/1.1 response
// (RFC 9112 §4, §6): status line, header fields, empty line, body. The
// body is left out for HEAD, but Content-Length still gives its size in
// bytes (RFC 9110 §9.3.2). now is the Date, sent as IMF-fixdate.
func formatResponse(resp response, head bool, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", resp.status, statusText(resp.status))
	b.WriteString("Content-Type: text/html; charset=utf-8\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n", len(resp.body))
	fmt.Fprintf(&b, "Date: %s\r\n", now.UTC().Format(imfFixdate))
	b.WriteString("Server: rawsocket\r\n")
	if resp.allow != "" {
		fmt.Fprintf(&b, "Allow: %s\r\n", resp.allow)
	}
	// One request per connection: RFC 9112 §9.6.
	b.WriteString("Connection: close\r\n\r\n")
	if !head {
		b.WriteString(resp.body)
	}
	return b.String()
}

// orDash returns s, or "-" when s is empty, for the log.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
