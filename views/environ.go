package views

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"example.com/miniweb/framework"
	"example.com/miniweb/framework/wsgi"
)

// Environ is the counterpart of wsgiref.simple_server.demo_app: it
// answers GET and HEAD with "Hello world!" and the request's environ
// ([wsgi.Environ]), one NAME=value line each, sorted, as text/plain.
// The values of cookies and credentials (HTTP_COOKIE, HTTP_AUTHORIZATION,
// HTTP_PROXY_AUTHORIZATION) are replaced by [redacted]. The demo serves it
// at /environ in -dev mode only.
func Environ() http.Handler {
	return framework.Methods{
		http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			environ := wsgi.Environ(r)
			for _, name := range []string{"HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_PROXY_AUTHORIZATION"} {
				if _, ok := environ[name]; ok {
					environ[name] = redacted
				}
			}
			var body strings.Builder
			body.WriteString("Hello world!\n\n")
			for _, name := range slices.Sorted(maps.Keys(environ)) {
				fmt.Fprintf(&body, "%s=%s\n", name, environ[name])
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprint(w, body.String())
		}),
	}
}

// redacted stands in for a secret value on the /environ page.
const redacted = "[redacted]"
