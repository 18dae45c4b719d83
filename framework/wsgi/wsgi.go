// Package wsgi holds the lessons of miniweb's walkthrough that map WSGI
// (PEP 3333) and Python's wsgiref onto net/http, one function each, so
// that a reader can compare them with the Python they retell. The demo
// serves none of them except [Environ], on the -dev page /environ; the
// framework's production pieces live in package framework, and the
// conformance checker that mirrors wsgiref.validate in package validate.
//
//	wsgiref / PEP 3333              here
//	------------------------------  -----------------------------
//	the environ dict                [Environ]
//	environ["PATH_INFO"]            [PathInfo]
//	wsgiref.util.application_uri    [ApplicationURL]
//	wsgiref.util.request_uri        [RequestURL]
//	wsgiref.util.is_hop_by_hop      [IsHopByHop]
//	wsgiref.util.shift_path_info    framework.ShiftPath
//	wsgiref.util.guess_scheme       framework.GuessScheme
package wsgi

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"example.com/miniweb/framework"
)

// Environ returns r as a CGI and WSGI environ (RFC 3875 §4.1, PEP 3333
// "environ Variables"): a map from variable name to value, with
// REQUEST_METHOD, SCRIPT_NAME and PATH_INFO (as split by
// [framework.Mount]), QUERY_STRING, CONTENT_TYPE and CONTENT_LENGTH (when
// the request has them), SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL,
// REMOTE_ADDR and REMOTE_PORT, HTTP_* for each header field (name
// upper-cased, "-" as "_", repeated values joined with ", ", or "; " for
// Cookie; a field whose name holds "_" is left out, since it would pose
// as one with "-"), HTTPS "on" over HTTPS, and wsgi.url_scheme from
// [framework.GuessScheme].
//
// It exists to teach the mapping; handlers read r directly. The standard
// library goes the other way: [net/http/cgi.RequestFromMap] builds a
// request from such a map.
func Environ(r *http.Request) map[string]string {
	scheme := framework.GuessScheme(r)
	environ := map[string]string{
		"REQUEST_METHOD":  r.Method,
		"SCRIPT_NAME":     framework.ScriptName(r),
		"PATH_INFO":       PathInfo(r),
		"QUERY_STRING":    r.URL.RawQuery,
		"SERVER_PROTOCOL": r.Proto,
		"wsgi.url_scheme": scheme,
	}
	if r.ContentLength > 0 {
		environ["CONTENT_LENGTH"] = strconv.FormatInt(r.ContentLength, 10)
	}
	if contentType := r.Header.Get("Content-Type"); contentType != "" {
		environ["CONTENT_TYPE"] = contentType
	}

	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, "80"
		if scheme == "https" {
			port = "443"
		}
	}
	environ["SERVER_NAME"], environ["SERVER_PORT"] = host, port

	if ip, port, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = ip, port
	} else {
		environ["REMOTE_ADDR"] = r.RemoteAddr
	}
	if scheme == "https" {
		environ["HTTPS"] = "on"
	}

	if r.Host != "" {
		environ["HTTP_HOST"] = r.Host
	}
	for name, values := range r.Header {
		if strings.Contains(name, "_") {
			continue // X_Foo would pose as X-Foo: nginx and Apache drop these too
		}
		separator := ", "
		if name == "Cookie" {
			separator = "; "
		}
		variable := "HTTP_" + strings.ReplaceAll(strings.ToUpper(name), "-", "_")
		environ[variable] = strings.Join(values, separator)
	}
	delete(environ, "HTTP_CONTENT_TYPE") // CGI names them without HTTP_.
	delete(environ, "HTTP_CONTENT_LENGTH")
	return environ
}

// PathInfo returns WSGI's PATH_INFO for r: the path below
// [framework.ScriptName], which is r.URL.Path once [framework.Mount] has
// removed its prefix. It is the key [framework.Routes] matches on, and
// handlers read r.URL.Path directly.
func PathInfo(r *http.Request) string {
	return r.URL.Path
}

// ApplicationURL returns the absolute URL of the application that serves
// r, as wsgiref.util.application_uri reconstructs it (PEP 3333 "URL
// Reconstruction"): the scheme from [framework.GuessScheme], the Host,
// and [framework.ScriptName] or "/". Without a Host header, the server's
// own address stands in, as SERVER_NAME does in Python. For
// http://example.org/app/login mounted at "/app", it is
// "http://example.org/app".
func ApplicationURL(r *http.Request) string {
	scriptName := framework.ScriptName(r)
	if scriptName == "" {
		scriptName = "/"
	}
	host := r.Host
	if address, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && host == "" {
		host = address.String() // HTTP/1.0 without Host: the server's address, like SERVER_NAME
	}
	return framework.GuessScheme(r) + "://" + host + scriptName
}

// RequestURL returns the absolute URL of r, as wsgiref.util.request_uri
// reconstructs it (PEP 3333 "URL Reconstruction"): [ApplicationURL],
// then PATH_INFO as the client escaped it, then, if includeQuery is true
// and there is one, "?" and the query string. (It is not
// [http.Request.RequestURI], the request-target as the client sent it.)
func RequestURL(r *http.Request, includeQuery bool) string {
	url := ApplicationURL(r)
	pathInfo := r.URL.EscapedPath()
	if framework.ScriptName(r) == "" {
		pathInfo = strings.TrimPrefix(pathInfo, "/")
	}
	url += pathInfo
	if includeQuery && r.URL.RawQuery != "" {
		url += "?" + r.URL.RawQuery
	}
	return url
}

// IsHopByHop reports whether the header field called name is hop-by-hop:
// meaningful for one connection only, so that an application must not set
// it and a proxy must not forward it (RFC 9110 §7.6.1; PEP 3333 "Other
// HTTP Features"). Case does not matter. The list joins RFC 9110's with
// wsgiref.util.is_hop_by_hop's, which comes from RFC 2616 and spells
// Trailer as "Trailers", and with the auth fields
// net/http/httputil.ReverseProxy drops.
func IsHopByHop(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
		"Proxy-Authorization", "Te", "Trailer", "Trailers", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}
