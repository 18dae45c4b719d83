package framework

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// trustProxyKey is the context key under which [TrustProxy] marks a request.
type trustProxyKey struct{}

// TrustProxy returns middleware that marks each request that comes from
// one of proxies, the addresses of the reverse proxies the operator runs
// (a single address is a /32 or /128 prefix), as having come through a
// trusted proxy, so that [GuessScheme] believes its X-Forwarded-Proto
// header and [ClientIP] its X-Forwarded-For; then it calls the next
// handler. A request from any other address is left unmarked, so that a
// client that reaches the server directly cannot pose as the proxy. The
// proxy must write both headers itself (nginx: proxy_set_header
// X-Forwarded-For $proxy_add_x_forwarded_for and X-Forwarded-Proto
// $scheme).
//
// TrustProxy panics if proxies is empty: that is a wiring mistake.
func TrustProxy(proxies ...netip.Prefix) func(http.Handler) http.Handler {
	if len(proxies) == 0 {
		panic("framework: TrustProxy needs the addresses of the proxies to trust")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if fromProxy(r, proxies) {
				r = r.WithContext(context.WithValue(r.Context(), trustProxyKey{}, true))
			}
			next.ServeHTTP(w, r)
		})
	}
}

// fromProxy reports whether r's connection comes from one of proxies.
func fromProxy(r *http.Request, proxies []netip.Prefix) bool {
	address, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := address.Addr().Unmap().WithZone("")
	for _, proxy := range proxies {
		if proxy.Contains(ip) {
			return true
		}
	}
	return false
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
			return ip.WithZone("").String() // a zone ("%eth0") is the proxy's business, and the client's words
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
