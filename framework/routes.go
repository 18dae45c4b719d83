package framework

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Routes is the route table. It maps a request path, as found in
// r.URL.Path (WSGI's PATH_INFO, PEP 3333 "environ Variables"), to the
// handler for that path. Matching is exact: "/login" does not match
// "/login/" or "/login/x". An entry that ends in a slash, such as
// "/notes/", is a subtree: it also matches every path below it that has
// no entry of its own ("/notes/12/edit"), the longest such entry winning,
// as in [http.ServeMux]; its handler reads the rest of the path, for
// instance with [ShiftPath]. The one exception is "/": it matches "/"
// alone, not every path as in [http.ServeMux], so that a path nobody
// routed is not the home page. A path with no entry gets 404 Not Found
// (RFC 9110 §15.5.5) from [http.NotFound]; use [Routes.WithNotFound] to
// answer it with a page of your own.
//
// Write the table as a map literal, like the Python notes' URL_PATTERNS
// dict: the compiler then rejects a path listed twice.
type Routes map[string]http.Handler

var _ http.Handler = Routes(nil)

// ServeHTTP calls the handler for r.URL.Path, as described on [Routes],
// or [http.NotFound] when there is none.
func (routes Routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	routes.serve(w, r, http.NotFound)
}

// WithNotFound returns a handler that serves routes, and calls notFound
// for a path that has no entry. notFound should answer 404 Not Found.
func (routes Routes) WithNotFound(notFound http.Handler) http.Handler {
	answer := notFound.ServeHTTP
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		routes.serve(w, r, answer)
	})
}

// serve calls the handler for r.URL.Path, or notFound when there is none.
func (routes Routes) serve(w http.ResponseWriter, r *http.Request, notFound http.HandlerFunc) {
	if handler, ok := routes.lookup(r.URL.Path); ok {
		handler.ServeHTTP(w, r)
		return
	}
	notFound(w, r)
}

// lookup returns the handler for path: its own entry, or else the entry
// of the nearest subtree above it, "/notes/12/" and then "/notes/" for
// "/notes/12/edit". Each try is one map lookup of a part of path, which
// allocates nothing.
func (routes Routes) lookup(path string) (http.Handler, bool) {
	if handler, ok := routes[path]; ok {
		return handler, true
	}
	for i := strings.LastIndexByte(path, '/'); i > 0; i = strings.LastIndexByte(path[:i], '/') {
		if handler, ok := routes[path[:i+1]]; ok {
			return handler, true
		}
	}
	return nil, false
}

// Methods maps a request method ("GET", "POST", …: RFC 9110 §9) to the
// handler for that method on one path. It answers HEAD with the GET
// handler when it has no HEAD entry (RFC 9110 §9.3.2: HEAD is GET without
// the content), answers OPTIONS with 204 No Content and an Allow header
// when it has no OPTIONS entry (§9.3.7), and answers any other method it
// has no entry for with 405 Method Not Allowed and an Allow header that
// lists the methods it has (§15.5.6), with the text of [http.Error]; use
// [Methods.WithMethodNotAllowed] to answer it with a page of your own.
//
// For HEAD, the GET handler runs unchanged and may write its body:
// http.Server drops the body but counts it, so that HEAD gets the same
// Content-Length and Content-Type as GET, as PEP 3333 asks of a WSGI
// server. (A handler that knows it answers HEAD may skip writing.)
type Methods map[string]http.Handler

var _ http.Handler = Methods(nil)

// ServeHTTP calls the handler for r.Method, as described on [Methods].
func (methods Methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	methods.serve(w, r, methodNotAllowed)
}

// WithMethodNotAllowed returns a handler that serves methods, and calls
// methodNotAllowed, once the Allow header is set, for a method that has
// no entry. methodNotAllowed should answer 405 Method Not Allowed.
func (methods Methods) WithMethodNotAllowed(methodNotAllowed http.Handler) http.Handler {
	answer := methodNotAllowed.ServeHTTP
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		methods.serve(w, r, answer)
	})
}

// methodNotAllowed answers 405 Method Not Allowed with a line of text.
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
}

// serve calls the handler for r.Method, or sets Allow and calls
// notAllowed when there is none.
func (methods Methods) serve(w http.ResponseWriter, r *http.Request, notAllowed http.HandlerFunc) {
	if handler, ok := methods[r.Method]; ok {
		handler.ServeHTTP(w, r)
		return
	}
	if handler, ok := methods[http.MethodGet]; ok && r.Method == http.MethodHead {
		handler.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Allow", methods.allow())
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	notAllowed(w, r)
}

// allow returns the value of the Allow header for methods: the methods
// in the table, plus HEAD where GET is and OPTIONS, sorted.
func (methods Methods) allow() string {
	allowed := slices.Collect(maps.Keys(methods))
	if _, ok := methods[http.MethodGet]; ok && methods[http.MethodHead] == nil {
		allowed = append(allowed, http.MethodHead)
	}
	if methods[http.MethodOptions] == nil {
		allowed = append(allowed, http.MethodOptions)
	}
	slices.Sort(allowed)
	return strings.Join(allowed, ", ")
}
