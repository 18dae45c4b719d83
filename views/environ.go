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
// The value of every header field whose name says it may carry a secret
// (secretName: cookies, credentials, tokens, keys) is replaced by
// [redacted]. The demo serves it at /environ in -dev mode only.
func Environ() http.Handler {
	return framework.Methods{
		http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			environ := wsgi.Environ(r)
			for name := range environ {
				if strings.HasPrefix(name, "HTTP_") && secretName(name) {
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

// secretWords are the parts of a header field's name, upper-cased, that
// say its value may be a secret: Cookie, Authorization, Proxy-
// Authorization, X-Api-Key, X-Auth-Token, X-CSRF-Token, X-Amz-Security-
// Token, X-Session-Id, X-Client-Secret, X-Password and the like.
var secretWords = []string{"COOKIE", "AUTH", "TOKEN", "KEY", "SECRET", "PASSWORD", "SESSION", "CREDENTIAL", "SIGNATURE"}

// secretName reports whether the environ variable name holds one of
// secretWords.
func secretName(name string) bool {
	return slices.ContainsFunc(secretWords, func(word string) bool { return strings.Contains(name, word) })
}

// redacted stands in for a secret value on the /environ page.
const redacted = "[redacted]"
