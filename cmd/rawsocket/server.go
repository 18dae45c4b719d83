package main

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
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

// server answers requests on the connections of a listener: several a
// connection, one after another, unless closeEach is set, as the Python
// notes' server does. Build it with newServer, which sets every field to
// its default; tests then shorten the timeouts or limits.
type server struct {
	routes          map[string]func(*request) response // path → view, see routes
	limits          limits
	headerTimeout   time.Duration
	bodyTimeout     time.Duration
	writeTimeout    time.Duration
	idleTimeout     time.Duration // between requests on one connection
	maxRequests     int           // on one connection, then it closes
	shutdownTimeout time.Duration
	sequential      bool             // serve one connection at a time, like the Python notes
	closeEach       bool             // one request per connection, like the Python notes
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
		idleTimeout:     defaultIdleTimeout,
		maxRequests:     defaultMaxRequests,
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
			s.serveConn(ctx, conn)
		} else {
			conns.Go(func() { s.serveConn(ctx, conn) })
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

// serveConn answers the requests that arrive on conn, in order, and
// closes it: after one request if s.closeEach is set, or when either side
// asks to close (keepAlive), after a request it could not read whole, after
// s.maxRequests, when no request begins within s.idleTimeout, or once ctx
// is done: a request under way is answered first, a connection waiting
// for its next request is closed at once. A connection that closes or
// times out before sending a byte is closed without an answer. Requests
// sent without waiting for the answers (pipelined, RFC 9112 §9.3.2) are
// read from the same buffer in turn.
func (s *server) serveConn(ctx context.Context, conn net.Conn) {
	br := bufio.NewReader(conn)
	unread := false // whether the client may have sent bytes never read
	defer func() {
		if unread || br.Buffered() > 0 {
			lingeringClose(conn) // closing now could reset the connection
		} else {
			conn.Close()
		}
	}()
	// At shutdown, wake a connection that waits for its next request.
	var mu sync.Mutex
	idle, stopping, woken := false, false, false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		stopping = true
		if idle {
			conn.SetReadDeadline(time.Now())
			woken = true
		}
	})
	defer stop()
	remote := conn.RemoteAddr().String() // for the log, once a connection
	var out []byte                       // the response being sent, its memory kept for the next

	start := time.Now()
	for served := 0; ; served++ {
		// The first request's line and header must arrive within the
		// header timeout of the connection's start; each next request
		// must start within the idle timeout, and its line and header
		// then arrive within the header timeout.
		headerDeadline := start.Add(s.headerTimeout)
		wait := headerDeadline
		if served > 0 {
			wait = time.Now().Add(s.idleTimeout)
		}
		conn.SetReadDeadline(wait)
		mu.Lock()
		idle = !stopping
		mu.Unlock()
		if !idle {
			return
		}
		_, err := br.Peek(1)
		mu.Lock()
		idle = false
		shutdownWoke := woken
		mu.Unlock()
		if err != nil {
			return
		}
		if served > 0 {
			headerDeadline = time.Now().Add(s.headerTimeout)
		}
		// For the first request, set again only if a shutdown that began
		// while Peek returned set a deadline of now: a request under way
		// is answered first.
		if served > 0 || shutdownWoke {
			conn.SetReadDeadline(headerDeadline)
		}
		r, err := readRequest(br, s.limits)
		if err == nil && r.contentLength != 0 { // a body (-1: chunked) to read
			conn.SetDeadline(time.Now().Add(s.bodyTimeout))
			sendContinue(conn, r, s.limits.maxBodyBytes)
			err = readBody(br, r, s.limits)
		}

		var resp response
		var reqErr *requestError
		if errors.As(err, &reqErr) {
			resp = errorPage(reqErr.status, reqErr.reason)
			unread = true // the request was cut short: its framing is lost
		} else {
			resp = s.route(r)
		}
		clientKeepsOpen := err == nil && keepAlive(r)
		keepOpen := clientKeepsOpen && !s.closeEach && served+1 < s.maxRequests && ctx.Err() == nil
		if clientKeepsOpen && !keepOpen {
			// The client may have sent its next request already, which
			// the server closes on: reading it away avoids a reset.
			unread = true
		}
		if s.logger.Enabled(ctx, slog.LevelInfo) {
			s.logger.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", orDash(r.method)), slog.String("path", orDash(r.path)),
				slog.Int("status", resp.status), slog.String("remote", remote))
		}

		conn.SetWriteDeadline(time.Now().Add(s.writeTimeout))
		head := r.method == "HEAD"
		out = appendResponse(out[:0], resp, head, keepOpen, r.proto, s.now())
		if _, err := conn.Write(out); err != nil {
			s.logger.Debug("write failed", "err", err)
			return
		}
		if !keepOpen {
			return
		}
	}
}

// keepAlive reports whether the client of r wants the connection kept
// open for another request (RFC 9112 §9.3): an HTTP/1.1 client unless it
// sends Connection: close, an HTTP/1.0 client only if it sends
// Connection: keep-alive. Connection holds a comma-separated list of
// options, in any case.
func keepAlive(r *request) bool {
	wantsClose, wantsKeep := false, false
	for _, value := range r.values("connection") {
		for option := range strings.SplitSeq(value, ",") {
			switch strings.ToLower(strings.TrimSpace(option)) {
			case "close":
				wantsClose = true
			case "keep-alive":
				wantsKeep = true
			}
		}
	}
	if wantsClose {
		return false
	}
	return r.proto != "HTTP/1.0" || wantsKeep
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

// appendResponse appends the bytes of resp as an HTTP/1.1 response
// (RFC 9112 §4, §6) to b and returns the result: status line, header
// fields, empty line, body, to be sent in one write. The body is left out
// for HEAD, but Content-Length still gives its size in bytes
// (RFC 9110 §9.3.2). now is the Date, sent as IMF-fixdate. keepAlive says
// whether the connection stays open: if not, Connection: close says so
// (RFC 9112 §9.6); if so, an HTTP/1.0 client, whose connections close by
// default, is told Connection: keep-alive, which proto, its request's
// version, tells.
func appendResponse(b []byte, resp response, head, keepAlive bool, proto string, now time.Time) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(resp.status), 10)
	b = append(b, ' ')
	b = append(b, statusText(resp.status)...)
	b = append(b, "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(resp.body)), 10)
	b = append(b, "\r\nDate: "...)
	b = now.UTC().AppendFormat(b, imfFixdate)
	b = append(b, "\r\nServer: rawsocket\r\n"...)
	if resp.allow != "" {
		b = append(b, "Allow: "...)
		b = append(b, resp.allow...)
		b = append(b, "\r\n"...)
	}
	switch {
	case !keepAlive:
		b = append(b, "Connection: close\r\n"...)
	case proto == "HTTP/1.0":
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	b = append(b, "\r\n"...)
	if !head {
		b = append(b, resp.body...)
	}
	return b
}

// orDash returns s, or "-" when s is empty, for the log.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
