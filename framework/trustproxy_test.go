package framework

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestGuessScheme(t *testing.T) {
	tests := []struct {
		name           string
		tls            bool
		forwardedProto string
		trustProxy     bool
		want           string
	}{
		{name: "plain", want: "http"},
		{name: "TLS", tls: true, want: "https"},
		{name: "forwarded, proxy not trusted", forwardedProto: "https", want: "http"},
		{name: "forwarded, proxy trusted", forwardedProto: "https", trustProxy: true, want: "https"},
		{name: "forwarded in capitals", forwardedProto: "HTTPS", trustProxy: true, want: "https"},
		{name: "forwarded nonsense", forwardedProto: "gopher", trustProxy: true, want: "http"},
		{name: "TLS wins over the proxy", tls: true, forwardedProto: "http", trustProxy: true, want: "https"},
		{name: "a list: the proxy's own is last", forwardedProto: "http, https", trustProxy: true, want: "https"},
		{name: "a list, last one http", forwardedProto: "https,http", trustProxy: true, want: "http"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = "10.0.0.1:41000" // the proxy's address, when one is trusted
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tc.forwardedProto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.forwardedProto)
			}
			var got string
			var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = GuessScheme(r) })
			if tc.trustProxy {
				handler = TrustProxy(netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128"))(handler)
			}
			handler.ServeHTTP(httptest.NewRecorder(), r)
			if got != tc.want {
				t.Errorf("GuessScheme: %q, want %q", got, tc.want)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name         string
		remoteAddr   string
		forwardedFor []string // X-Forwarded-For lines
		trustProxy   bool
		want         string
	}{
		{name: "IPv4", remoteAddr: "192.0.2.7:51000", want: "192.0.2.7"},
		{name: "IPv6", remoteAddr: "[2001:db8::1]:443", want: "2001:db8::1"},
		{name: "forwarded, proxy not trusted", remoteAddr: "10.0.0.1:80", forwardedFor: []string{"198.51.100.9"}, want: "10.0.0.1"},
		{name: "forwarded, proxy trusted", remoteAddr: "10.0.0.1:80", forwardedFor: []string{"198.51.100.9"}, trustProxy: true, want: "198.51.100.9"},
		{name: "a list: the proxy's own entry is last", remoteAddr: "10.0.0.1:80",
			forwardedFor: []string{"203.0.113.66, 198.51.100.9"}, trustProxy: true, want: "198.51.100.9"},
		{name: "two lines: the last line counts", remoteAddr: "10.0.0.1:80",
			forwardedFor: []string{"203.0.113.66", "198.51.100.9"}, trustProxy: true, want: "198.51.100.9"},
		{name: "forwarded nonsense", remoteAddr: "10.0.0.1:80", forwardedFor: []string{"not an address"}, trustProxy: true, want: "10.0.0.1"},
		{name: "forwarded IPv6 with a zone", remoteAddr: "10.0.0.1:80", forwardedFor: []string{"fe80::1%eth0\n"}, trustProxy: true, want: "fe80::1"},
		{name: "forwarded IPv6 with a forged zone", remoteAddr: "10.0.0.1:80", forwardedFor: []string{"fe80::1%x level=ERROR"}, trustProxy: true, want: "fe80::1"},
		{name: "no port", remoteAddr: "192.0.2.7", want: "192.0.2.7"},
		{name: "forwarded by a client that is not the proxy", remoteAddr: "192.0.2.66:80",
			forwardedFor: []string{"198.51.100.9"}, trustProxy: true, want: "192.0.2.66"},
		{name: "forwarded by the proxy over IPv4-mapped IPv6", remoteAddr: "[::ffff:10.0.0.1]:80",
			forwardedFor: []string{"198.51.100.9"}, trustProxy: true, want: "198.51.100.9"},
		{name: "forwarded by the proxy over IPv6 loopback", remoteAddr: "[::1]:80",
			forwardedFor: []string{"198.51.100.9"}, trustProxy: true, want: "198.51.100.9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remoteAddr
			for _, line := range tc.forwardedFor {
				r.Header.Add("X-Forwarded-For", line)
			}
			var got string
			var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientIP(r) })
			if tc.trustProxy {
				handler = TrustProxy(netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128"))(handler)
			}
			handler.ServeHTTP(httptest.NewRecorder(), r)
			if got != tc.want {
				t.Errorf("ClientIP(RemoteAddr %s, X-Forwarded-For %q) = %q, want %q", tc.remoteAddr, tc.forwardedFor, got, tc.want)
			}
		})
	}
}

// TestTrustProxyPanics checks that TrustProxy with no proxy to trust is a
// wiring mistake, found at start-up.
func TestTrustProxyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("TrustProxy(): no panic, want one")
		}
	}()
	TrustProxy()
}
