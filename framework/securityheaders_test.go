package framework

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestSecurityHeaders(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
	}{
		{name: "200", handler: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }, wantStatus: http.StatusOK},
		{name: "404 from http.NotFound", handler: http.NotFound, wantStatus: http.StatusNotFound},
		{name: "http.Error", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, wantStatus: http.StatusInternalServerError},
		{name: "redirect", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/home", http.StatusSeeOther)
		}, wantStatus: http.StatusSeeOther},
	}
	wantHeaders := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": ContentSecurityPolicy,
		"Referrer-Policy":         ReferrerPolicy,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			SecurityHeaders()(tc.handler).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("%s: status = %d, want %d", tc.name, rec.Code, tc.wantStatus)
			}
			for name, want := range wantHeaders {
				if got := rec.Result().Header.Values(name); len(got) != 1 || got[0] != want {
					t.Errorf("%s: %s = %q, want [%q]", tc.name, name, got, want)
				}
			}
		})
	}
}

// TestSecurityHeadersHSTS checks that Strict-Transport-Security goes out
// over HTTPS, as a TLS connection or a trusted proxy says, and not over
// plain HTTP.
func TestSecurityHeadersHSTS(t *testing.T) {
	proxy := TrustProxy(netip.MustParsePrefix("10.0.0.1/32"))
	tests := []struct {
		name  string
		setup func(r *http.Request)
		want  string
	}{
		{name: "plain HTTP", setup: func(r *http.Request) {}, want: ""},
		{name: "TLS", setup: func(r *http.Request) { r.TLS = &tls.ConnectionState{} }, want: StrictTransportSecurity},
		{name: "HTTPS at a trusted proxy", setup: func(r *http.Request) {
			r.RemoteAddr = "10.0.0.1:41000"
			r.Header.Set("X-Forwarded-Proto", "https")
		}, want: StrictTransportSecurity},
		{name: "HTTPS claimed by a client", setup: func(r *http.Request) {
			r.Header.Set("X-Forwarded-Proto", "https")
		}, want: ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		tc.setup(r)
		rec := httptest.NewRecorder()
		proxy(SecurityHeaders()(http.NotFoundHandler())).ServeHTTP(rec, r)
		if got := rec.Header().Get("Strict-Transport-Security"); got != tc.want {
			t.Errorf("%s: Strict-Transport-Security = %q, want %q", tc.name, got, tc.want)
		}
	}
}
