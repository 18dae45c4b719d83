package framework

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// Environ returns r as a CGI and WSGI environ (RFC 3875 §4.1, PEP 3333
// "environ Variables"): a map from variable name to value, with
// REQUEST_METHOD, SCRIPT_NAME and PATH_INFO (as split by [Mount]),
// QUERY_STRING, CONTENT_TYPE and CONTENT_LENGTH (when the request has
// them), SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL, REMOTE_ADDR and
// REMOTE_PORT, HTTP_* for each header field (name upper-cased, "-" as
// "_", repeated values joined with ", ", or "; " for Cookie; a field
// whose name holds "_" is left out, since it would pose as one with "-"),
// HTTPS "on"
// over HTTPS, and wsgi.url_scheme from [GuessScheme].
//
// It exists to teach the mapping; handlers read r directly. The standard
// library goes the other way: [net/http/cgi.RequestFromMap] builds a
// request from such a map.
func Environ(r *http.Request) map[string]string {
	scheme := GuessScheme(r)
	environ := map[string]string{
		"REQUEST_METHOD":  r.Method,
		"SCRIPT_NAME":     ScriptName(r),
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

// trustProxyKey is the context key under which [TrustProxy] marks a request.
type trustProxyKey struct{}

// TrustProxy returns a handler that marks every request as having come
// through a reverse proxy the operator trusts, so that [GuessScheme]
// believes its X-Forwarded-Proto header and [ClientIP] its
// X-Forwarded-For, then calls next. Use it only when clients can reach the
// server through that proxy alone: anyone else can send the headers too.
func TrustProxy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), trustProxyKey{}, true)))
	})
}

// GuessScheme returns the URL scheme the client used, "http" or "https",
// like wsgiref.util.guess_scheme: "https" when the connection is TLS;
// behind [TrustProxy], the last X-Forwarded-Proto (the one the proxy
// wrote) when it is "http" or "https"; otherwise "http".
func GuessScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if proto, ok := forwarded(r, "X-Forwarded-Proto"); ok {
		switch proto = strings.ToLower(proto); proto {
		case "http", "https":
			return proto
		}
	}
	return "http"
}

// ClientIP returns the IP address of the client that sent r: the host of
// r.RemoteAddr, or behind [TrustProxy], the last address in
// X-Forwarded-For, the one the trusted proxy appended for its client.
func ClientIP(r *http.Request) string {
	if address, ok := forwarded(r, "X-Forwarded-For"); ok {
		if ip, err := netip.ParseAddr(address); err == nil {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forwarded returns the last element of r's header field name, the one
// the nearest proxy wrote, if r came through a proxy that [TrustProxy]
// says to trust.
func forwarded(r *http.Request, name string) (string, bool) {
	if trusted, _ := r.Context().Value(trustProxyKey{}).(bool); !trusted {
		return "", false
	}
	values := r.Header.Values(name)
	if len(values) == 0 {
		return "", false
	}
	last := values[len(values)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.TrimSpace(last), true
}

// ApplicationURI returns the base URI of the application that serves r,
// as wsgiref.util.application_uri reconstructs it (PEP 3333 "URL
// Reconstruction"): the scheme from [GuessScheme], the Host, and
// [ScriptName] or "/". Without a Host header, the server's own address
// stands in, as SERVER_NAME does in Python. For http://example.org/app/login mounted at
// "/app", it is "http://example.org/app".
func ApplicationURI(r *http.Request) string {
	scriptName := ScriptName(r)
	if scriptName == "" {
		scriptName = "/"
	}
	host := r.Host
	if address, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && host == "" {
		host = address.String() // HTTP/1.0 without Host: the server's address, like SERVER_NAME
	}
	return GuessScheme(r) + "://" + host + scriptName
}

// RequestURI returns the full URI of r, as wsgiref.util.request_uri
// reconstructs it (PEP 3333 "URL Reconstruction"): [ApplicationURI], then
// PATH_INFO as the client escaped it, then, if includeQuery is true and
// there is one, "?" and the query string.
func RequestURI(r *http.Request, includeQuery bool) string {
	uri := ApplicationURI(r)
	pathInfo := r.URL.EscapedPath()
	if ScriptName(r) == "" {
		pathInfo = strings.TrimPrefix(pathInfo, "/")
	}
	uri += pathInfo
	if includeQuery && r.URL.RawQuery != "" {
		uri += "?" + r.URL.RawQuery
	}
	return uri
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
