package framework

import (
	"context"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// scriptNameKey is the context key under which [Mount] records SCRIPT_NAME.
type scriptNameKey struct{}

// Mount returns a handler that serves handler under prefix, the way a WSGI
// server mounts an application at a SCRIPT_NAME (PEP 3333 "environ
// Variables"). prefix must start with "/" and not end with one ("/app").
//
// For a request to prefix or to a path below it ("/app", "/app/login"),
// Mount removes prefix from r.URL.Path with [http.StripPrefix], records it
// for [ScriptName] and [MountedPath], and calls handler; a request for prefix
// itself is served with PATH_INFO "/". Any other path, including one that
// merely starts with the same letters ("/apple"), gets 404 Not Found.
// Mounts nest: the inner prefix is appended to the outer one.
//
// Mount panics if prefix is malformed: that is a wiring mistake, found at
// start-up.
func Mount(prefix string, handler http.Handler) http.Handler {
	if !strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/") {
		panic("framework: Mount prefix must start and not end with a slash: " + prefix)
	}
	stripped := http.StripPrefix(prefix, handler)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || (rest != "" && rest[0] != '/') {
			http.NotFound(w, r)
			return
		}
		ctx := context.WithValue(r.Context(), scriptNameKey{}, ScriptName(r)+prefix)
		r = r.WithContext(ctx)
		if rest == "" {
			// r shares its URL with the caller's request, which a handler
			// must not change: change a copy, as http.StripPrefix does.
			u := *r.URL
			u.Path = prefix + "/"
			u.RawPath = ""
			r.URL = &u
		}
		stripped.ServeHTTP(w, r)
	})
}

// ScriptName returns WSGI's SCRIPT_NAME for r: the prefix under which
// [Mount] serves the application, such as "/app", or "" when the
// application is not mounted.
func ScriptName(r *http.Request) string {
	scriptName, _ := r.Context().Value(scriptNameKey{}).(string)
	return scriptName
}

// MountedPath returns the path of a page of this application as the
// client must request it: [ScriptName] followed by path, which must start
// with "/". MountedPath(r, "/login") is "/login" at the root and
// "/app/login" when mounted at "/app". Templates call it as
// {{ url("/login") }}.
func MountedPath(r *http.Request, path string) string {
	return ScriptName(r) + path
}

// SeeOther redirects the client with 303 See Other (RFC 9110 §15.4.4) to
// the page at path of this application: its Location is
// [MountedPath](r, path), and path, which must start with "/", may carry
// a query. The body is empty, so that GET and HEAD get the same header
// fields, Content-Length: 0 included; [http.Redirect] writes a short HTML
// body for GET only. After a POST, 303 makes the browser GET the page
// (Post/Redirect/Get). It sends Cache-Control: no-store, since such a
// redirect often carries a new session cookie that no cache may keep
// (RFC 9111 §5.2.2.5).
func SeeOther(w http.ResponseWriter, r *http.Request, path string) {
	header := w.Header()
	header.Set("Location", MountedPath(r, path))
	header.Set("Content-Length", "0")
	header["Cache-Control"] = noStore // shared: see nosniff in securityheaders.go
	w.WriteHeader(http.StatusSeeOther)
}

// ShiftPath moves one path segment from the front of pathInfo to the end
// of scriptName, with the semantics of Python's
// wsgiref.util.shift_path_info. It returns the segment, the new SCRIPT_NAME
// and PATH_INFO, and ok, which is false where Python returns None.
//
// Empty segments and "." in the middle of pathInfo are dropped, and the new
// scriptName is cleaned with [path.Clean]. For example, scriptName "/foo"
// and pathInfo "/bar/baz" give "bar", "/foo/bar" and "/baz". pathInfo "/"
// gives the segment "" and a trailing slash on scriptName. An empty
// pathInfo, or one that does not start with "/" (PEP 3333 requires the
// slash), gives ok false and leaves both unchanged; a final "." gives ok
// false and an empty pathInfo.
//
// Python's posixpath.normpath keeps a leading "//" where path.Clean folds
// it to "/"; ShiftPath follows path.Clean, so scriptName "/" and pathInfo
// "/x" give "/x" rather than Python's "//x".
func ShiftPath(scriptName, pathInfo string) (segment, newScriptName, newPathInfo string, ok bool) {
	if !strings.HasPrefix(pathInfo, "/") {
		return "", scriptName, pathInfo, false
	}
	// "/a//./b/c" splits into "", "a", "", ".", "b", "c". Python drops the
	// empty and "." parts between the leading "" and the last part.
	parts := strings.Split(pathInfo, "/")
	last := len(parts) - 1
	var segments []string
	for _, part := range parts[1:last] {
		if part != "" && part != "." {
			segments = append(segments, part)
		}
	}
	segments = append(segments, parts[last])

	segment = segments[0]
	if rest := segments[1:]; len(rest) > 0 {
		newPathInfo = "/" + strings.Join(rest, "/")
	}
	newScriptName = strings.TrimSuffix(path.Clean(scriptName+"/"+segment), "/")
	if segment == "" {
		newScriptName += "/"
	}
	if segment == "." {
		return "", newScriptName, newPathInfo, false
	}
	return segment, newScriptName, newPathInfo, true
}

// ParseID returns the positive integer that text, a path segment such as
// ShiftPath returns or a query parameter such as ?page=, writes in
// canonical decimal: digits only, no sign, no leading zero, at most
// 2^63-1. It reports false for anything else, so that one number has one
// spelling ("/notes/7", never "/notes/007" or "/notes/+7"), and a
// handler answers the rest with 404 Not Found (an id) or 400 Bad Request
// (a parameter).
func ParseID(text string) (int64, bool) {
	if text == "" || text[0] < '1' || text[0] > '9' {
		return 0, false // empty, a sign, or a leading zero
	}
	n, err := strconv.ParseInt(text, 10, 64) // digits only, and no overflow
	if err != nil {
		return 0, false
	}
	return n, true
}
