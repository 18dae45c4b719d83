// Package framework is miniweb's hand-written web framework: a route table
// keyed on the request path, per-path method dispatch, form parsing with
// limits, pongo2 pages and signed, encrypted session cookies. It is small on
// purpose, so that it can be read in one sitting, and it is plain net/http
// throughout: every handler is an [http.Handler] and every middleware is a
// function from handler to handler.
//
// # From WSGI to net/http
//
// miniweb retells a set of Python notes about WSGI (PEP 3333) and wsgiref.
// In Go the gateway interface is [http.Handler], and each WSGI concept has a
// net/http counterpart:
//
//	WSGI (PEP 3333)                  Go
//	-------------------------------  ------------------------------------------
//	application(environ, start_resp) http.Handler's ServeHTTP(w, r)
//	environ                          *http.Request
//	environ["REQUEST_METHOD"]        r.Method
//	environ["SCRIPT_NAME"]           the prefix http.StripPrefix removes; ScriptName(r)
//	environ["PATH_INFO"]             r.URL.Path
//	environ["QUERY_STRING"]          r.URL.RawQuery
//	environ["HTTP_*"]                r.Header
//	environ["wsgi.input"]            r.Body
//	start_response(status, headers)  w.Header().Set(...) then w.WriteHeader(status)
//	the returned body iterable       w.Write(...)
//	wsgiref.simple_server            http.Server
//	wsgiref.util.shift_path_info     ShiftPath
//	wsgiref.handlers.CGIHandler      net/http/cgi
//
// Package [example.com/miniweb/framework/wsgi] holds the rest of the
// mapping (the environ dict, URL reconstruction, hop-by-hop headers) as
// lessons, apart from the pieces an application runs on.
//
// # The pieces
//
// [Routes] maps PATH_INFO to a handler, the way the notes' URL_PATTERNS dict
// does; [Methods] maps a request method to a handler for one path. [Mount]
// serves an application under a SCRIPT_NAME prefix and [MountedPath]
// builds links that stay inside it. [ReadForm] reads an urlencoded body
// within [MaxFormBytes]. [Pages] renders pongo2 templates to a buffer
// before a byte is sent, and [Sessions] keeps the logged-in user in a
// cookie that gorilla/securecookie signs and encrypts.
//
// # Middleware
//
// Every middleware has one shape, func(http.Handler) http.Handler, made
// by a function that takes its configuration, as in chi, and lives in a
// file named for it: [AccessLog], [SecurityHeaders], [Recover],
// [TrustProxy], [RefuseTransferEncoding], [RequireUser] and
// [Sessions.Middleware]. An application wires them in one
// chain, outermost first.
package framework
