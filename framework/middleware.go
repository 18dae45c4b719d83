package framework

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// AccessLog returns a handler that calls next and then logs the request
// through logger, at level Info, as one line in the form of the Common Log
// Format that wsgiref.simple_server prints (Python's http.server: its own
// date format, no time zone):
//
//	127.0.0.1 - - [22/Nov/2026 14:03:59] "GET /login HTTP/1.1" 200 1234
//
// The fields are the client's address ([ClientIP]), two placeholders
// (identity and user), the time the request arrived, the request line,
// the status code and the body's size in bytes. The request line is quoted
// as Go quotes strings, so a CR or LF in the target cannot forge a second
// line. When logger discards Info, no line is formatted.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		recorder := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(recorder, r)
		if !logger.Enabled(r.Context(), slog.LevelInfo) {
			return // no line to format
		}
		client := ClientIP(r)
		if recorder.status == 0 {
			recorder.status = http.StatusOK
		}
		line := make([]byte, 0, 128)
		line = append(line, client...)
		line = append(line, " - - ["...)
		line = start.AppendFormat(line, "02/Jan/2006 15:04:05")
		line = append(line, "] "...)
		line = strconv.AppendQuote(line, r.Method+" "+r.RequestURI+" "+r.Proto)
		line = append(line, ' ')
		line = strconv.AppendInt(line, int64(recorder.status), 10)
		line = append(line, ' ')
		line = strconv.AppendInt(line, recorder.bytes, 10)
		logger.Info(string(line))
	})
}

// statusRecorder is an http.ResponseWriter that remembers the status code
// and counts the body's bytes.
type statusRecorder struct {
	http.ResponseWriter
	status int   // 0 until WriteHeader or Write
	bytes  int64 // body bytes written
}

func (rec *statusRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap returns the underlying ResponseWriter, for
// [http.ResponseController].
func (rec *statusRecorder) Unwrap() http.ResponseWriter {
	return rec.ResponseWriter
}

// Security headers that [SecurityHeaders] sets.
const (
	// ContentSecurityPolicy lets pages load scripts, styles, images and
	// fonts from their own origin only, post forms only to it, and be
	// framed by nobody (W3C CSP Level 3; frame-ancestors replaces
	// X-Frame-Options).
	ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
	// ReferrerPolicy sends the Referer header to this origin only.
	ReferrerPolicy = "same-origin"
)

// Header values that every response shares, so that setting them costs
// no allocation. Assigning them to a Header's map under names that are
// canonical already does what Header.Set does. Sharing is safe because
// nothing writes into a Header's value slices: Set replaces one, Add
// appends to it (a one-element slice moves to a new array), Del drops it.
var (
	nosniff               = []string{"nosniff"}
	contentSecurityPolicy = []string{ContentSecurityPolicy}
	referrerPolicy        = []string{ReferrerPolicy}
	htmlContentType       = []string{"text/html; charset=utf-8"}
	noStore               = []string{"no-store"}
)

// SecurityHeaders returns a handler that sets security headers on every
// response, then calls next: X-Content-Type-Options: nosniff (as in the
// Python notes), Content-Security-Policy: [ContentSecurityPolicy] and
// Referrer-Policy: [ReferrerPolicy].
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := w.Header()
		header["X-Content-Type-Options"] = nosniff
		header["Content-Security-Policy"] = contentSecurityPolicy
		header["Referrer-Policy"] = referrerPolicy
		next.ServeHTTP(w, r)
	})
}
