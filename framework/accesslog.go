package framework

import (
	"log/slog"
	"net/http"
	"time"
)

// AccessLog returns middleware that calls the next handler and then logs
// the request through logger, at level Info, as one record with the
// message "request" and these attributes:
//
//	client    the client's IP address, from [ClientIP]
//	method    the request method, "GET"
//	path      the path as the client escaped it, "/login"
//	query     the query string, when there is one
//	status    the status code sent, 200 when the handler set none
//	bytes     the body's size in bytes; 0 for HEAD, whose body is not sent
//	duration  the time from the request's arrival to the handler's return
//
// The record is structured rather than a line of the Common Log Format
// that wsgiref.simple_server prints, so that the logger's handler decides
// the format: slog.TextHandler writes key=value pairs, slog.JSONHandler
// JSON, and either escapes a CR or LF in the target, which then cannot
// forge a second record. When logger discards Info, nothing is recorded
// beyond the status and size.
func AccessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			recorder := &responseRecorder{ResponseWriter: w}
			next.ServeHTTP(recorder, r)
			ctx := r.Context()
			if !logger.Enabled(ctx, slog.LevelInfo) {
				return
			}
			status, bytes := recorder.status, recorder.bytes
			if status == 0 {
				status = http.StatusOK
			}
			if r.Method == http.MethodHead {
				bytes = 0 // net/http counted the body but did not send it
			}
			attributes := make([]slog.Attr, 0, 7)
			attributes = append(attributes,
				slog.String("client", ClientIP(r)),
				slog.String("method", r.Method),
				slog.String("path", r.URL.EscapedPath()))
			if r.URL.RawQuery != "" {
				attributes = append(attributes, slog.String("query", r.URL.RawQuery))
			}
			attributes = append(attributes,
				slog.Int("status", status),
				slog.Int64("bytes", bytes),
				slog.Duration("duration", time.Since(start)))
			logger.LogAttrs(ctx, slog.LevelInfo, "request", attributes...)
		})
	}
}
