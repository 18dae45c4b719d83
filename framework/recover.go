package framework

import (
	"net/http"
	"runtime/debug"
)

// Recover returns middleware that calls the next handler and turns a
// panic into a 500 Internal Server Error page (pages' 500.html), logging
// the panic and its stack through the logger given to [NewPages]. The
// client sees no detail of the failure. If the handler had already
// started the response, the connection is cut instead, as [http.Server]
// does. A panic with [http.ErrAbortHandler], which asks for just that, is
// passed on unlogged.
func Recover(pages *Pages) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			recorder := &responseRecorder{ResponseWriter: w}
			defer func() {
				value := recover()
				if value == nil {
					return
				}
				if value == http.ErrAbortHandler {
					panic(value)
				}
				pages.logger.Error("panic serving request", "method", r.Method, "path", r.URL.Path,
					"panic", value, "stack", string(debug.Stack()))
				if recorder.status != 0 {
					panic(http.ErrAbortHandler)
				}
				pages.internalServerError(w, r)
			}()
			next.ServeHTTP(recorder, r)
		})
	}
}
