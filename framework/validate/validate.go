// Package validate checks that handlers follow the rules of HTTP, the way
// Python's wsgiref.validate (after paste.lint) checks WSGI applications.
// It is for development and tests: [Handler] is middleware that reports
// every rule a response breaks, while the response goes on unchanged.
//
// The rules, with the section of RFC 9110 behind each:
//   - WriteHeader is called once, with a code from 100 to 999 (§15);
//   - no body follows 1xx (§15.2), 204 (§15.3.5) or 304 (§15.4.5);
//   - a Content-Length header matches the bytes written (§8.6), except
//     for HEAD with no body written, where it gives GET's size (§9.3.2);
//   - a non-empty body has a Content-Type (§8.3);
//   - no hop-by-hop header is set by the application (§7.6.1), but for
//     Connection: close, net/http's way for a handler to close the
//     connection after its response;
//   - header names are tokens and values hold no CR, LF or NUL (§5);
//   - a redirect (301, 302, 303, 307, 308) has a Location (§10.2.2);
//   - a 405 has an Allow header (§15.5.6).
package validate

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"

	"example.com/miniweb/framework/wsgi"
)

// Handler returns middleware that calls the next handler and reports,
// through report, each rule of the package comment that the response
// breaks, with the request it answered. report is called from the
// request's goroutine, possibly more than once a request; it must be safe
// for concurrent use.
//
// A code outside 100–999, which net/http would panic on, is reported and
// sent as 500 instead. A body written in answer to HEAD is no violation:
// net/http drops it, as PEP 3333 asks a WSGI server to, and counts it for
// Content-Length, so that HEAD gets GET's header fields.
func Handler(report func(r *http.Request, violation string)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			checker := &checker{ResponseWriter: w, request: r, report: report}
			next.ServeHTTP(checker, r)
			checker.finish()
		})
	}
}

// checker is the ResponseWriter that Handler gives next.
type checker struct {
	http.ResponseWriter
	request *http.Request
	report  func(*http.Request, string)

	status  int   // 0 until WriteHeader or Write
	written int64 // body bytes written
}

func (c *checker) reportf(format string, args ...any) {
	c.report(c.request, fmt.Sprintf(format, args...))
}

func (c *checker) WriteHeader(status int) {
	if status < 100 || status > 999 {
		c.reportf("WriteHeader(%d): code outside 100-999", status)
		status = http.StatusInternalServerError
	}
	if c.status != 0 {
		c.reportf("WriteHeader(%d) after the response started with %d", status, c.status)
		return
	}
	if status >= 200 {
		// 1xx responses are interim: the final WriteHeader comes later.
		c.status = status
		c.checkHeader()
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *checker) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if len(b) > 0 && c.written == 0 {
		if !bodyAllowed(c.status) {
			c.reportf("body written for %s with status %d", c.request.Method, c.status)
		}
		if c.Header().Get("Content-Type") == "" {
			c.reportf("body written with no Content-Type")
		}
	}
	n, err := c.ResponseWriter.Write(b)
	c.written += int64(n)
	return n, err
}

// Unwrap returns the underlying ResponseWriter, for
// [http.ResponseController].
func (c *checker) Unwrap() http.ResponseWriter {
	return c.ResponseWriter
}

// checkHeader checks the header as it is sent, at WriteHeader.
func (c *checker) checkHeader() {
	for name, values := range c.Header() {
		if !httpguts.ValidHeaderFieldName(name) {
			c.reportf("invalid header name %q", name)
		}
		for _, value := range values {
			if !httpguts.ValidHeaderFieldValue(value) {
				c.reportf("invalid value %q for header %s", value, name)
			}
		}
		closing := name == "Connection" && len(values) == 1 && strings.EqualFold(values[0], "close")
		if wsgi.IsHopByHop(name) && !closing {
			c.reportf("hop-by-hop header %s set by the application", name)
		}
	}
	switch c.status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if c.Header().Get("Location") == "" {
			c.reportf("redirect %d without Location", c.status)
		}
	case http.StatusMethodNotAllowed:
		if c.Header().Get("Allow") == "" {
			c.reportf("405 without Allow")
		}
	}
}

// finish runs the checks that need the whole response.
func (c *checker) finish() {
	if c.status == 0 {
		c.status = http.StatusOK // net/http sends 200 for a handler that writes nothing
		c.checkHeader()
	}
	contentLength := c.Header().Get("Content-Length")
	if contentLength == "" || !bodyAllowed(c.status) || (c.request.Method == http.MethodHead && c.written == 0) {
		return
	}
	if n, err := strconv.ParseInt(contentLength, 10, 64); err != nil || n != c.written {
		c.reportf("Content-Length %s, but the body has %d bytes", contentLength, c.written)
	}
}

// bodyAllowed reports whether a response with status may have content.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
