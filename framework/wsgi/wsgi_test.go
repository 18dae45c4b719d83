package wsgi

import (
	"maps"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"example.com/miniweb/framework"
)

// serveMounted passes r through handler, mounted at mount when it is not "", and
// returns the request the handler saw.
func serveMounted(r *http.Request, mount string) *http.Request {
	var seen *http.Request
	var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r })
	if mount != "" {
		handler = framework.Mount(mount, handler)
	}
	handler.ServeHTTP(httptest.NewRecorder(), r)
	return seen
}

func TestEnviron(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://example.org:8080/app/login?next=%2Fhome", strings.NewReader("a=1"))
	r.RemoteAddr = "192.0.2.7:51000"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Add("Accept", "text/html")
	r.Header.Add("Accept", "*/*")
	r.Header.Add("Cookie", "a=1")
	r.Header.Add("Cookie", "b=2")
	r.Header.Set("X-Request-Id", "42")
	r.Header["X_request_id"] = []string{"forged"} // would pose as X-Request-Id
	r.Header["X_only"] = []string{"dropped"}      // no HTTP_X_ONLY: names with "_" are left out

	got := Environ(serveMounted(r, "/app"))
	want := map[string]string{
		"REQUEST_METHOD":    "POST",
		"SCRIPT_NAME":       "/app",
		"PATH_INFO":         "/login",
		"QUERY_STRING":      "next=%2Fhome",
		"CONTENT_TYPE":      "application/x-www-form-urlencoded",
		"CONTENT_LENGTH":    "3",
		"SERVER_NAME":       "example.org",
		"SERVER_PORT":       "8080",
		"SERVER_PROTOCOL":   "HTTP/1.1",
		"REMOTE_ADDR":       "192.0.2.7",
		"REMOTE_PORT":       "51000",
		"HTTP_HOST":         "example.org:8080",
		"HTTP_ACCEPT":       "text/html, */*",
		"HTTP_COOKIE":       "a=1; b=2",
		"HTTP_X_REQUEST_ID": "42",
		"wsgi.url_scheme":   "http",
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if got[name] != want[name] {
			t.Errorf("Environ: %s = %q, want %q", name, got[name], want[name])
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("Environ: unexpected %s = %q", name, got[name])
		}
	}
}

func TestEnvironDefaultPort(t *testing.T) {
	tests := []struct {
		name     string
		target   string
		tls      bool
		wantPort string
	}{
		{name: "http", target: "http://example.org/", wantPort: "80"},
		{name: "https", target: "https://example.org/", tls: true, wantPort: "443"},
		{name: "explicit", target: "https://example.org:8443/", tls: true, wantPort: "8443"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if !tc.tls {
				r.TLS = nil
			}
			if got := Environ(r)["SERVER_PORT"]; got != tc.wantPort {
				t.Errorf("Environ(%s): SERVER_PORT = %q, want %q", tc.target, got, tc.wantPort)
			}
		})
	}
}

// TestEnvironRoundTrip turns a request into an environ and back through
// the standard library's CGI code, which must see the same request.
func TestEnvironRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		method string
		target string
		mount  string
		header map[string]string
	}{
		{name: "root", method: http.MethodGet, target: "http://example.org/"},
		{name: "query", method: http.MethodGet, target: "http://example.org/hello?name=%E4%BD%A0&x=1"},
		{name: "mounted", method: http.MethodGet, target: "http://example.org:8080/app/login", mount: "/app"},
		{name: "post with headers", method: http.MethodPost, target: "http://example.org/login",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "test/1.0", "Accept-Language": "de"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader("body"))
			for name, value := range tc.header {
				r.Header.Set(name, value)
			}
			seen := serveMounted(r, tc.mount)
			back, err := cgi.RequestFromMap(Environ(seen))
			if err != nil {
				t.Fatalf("RequestFromMap(Environ(%s %s)): %v", tc.method, tc.target, err)
			}
			if back.Method != r.Method || back.Host != r.Host || back.URL.RequestURI() != r.URL.RequestURI() ||
				back.Proto != r.Proto || back.ContentLength != r.ContentLength || back.RemoteAddr != r.RemoteAddr {
				t.Errorf("round trip of %s %s: got %s %s %s host %s length %d from %s, want %s %s %s host %s length %d from %s",
					tc.method, tc.target,
					back.Method, back.URL.RequestURI(), back.Proto, back.Host, back.ContentLength, back.RemoteAddr,
					r.Method, r.URL.RequestURI(), r.Proto, r.Host, r.ContentLength, r.RemoteAddr)
			}
			for name := range r.Header {
				if got, want := back.Header.Get(name), r.Header.Get(name); got != want {
					t.Errorf("round trip of %s %s: header %s = %q, want %q", tc.method, tc.target, name, got, want)
				}
			}
		})
	}
}

func TestURIReconstruction(t *testing.T) {
	tests := []struct {
		target, mount                                    string
		wantApplication, wantRequest, wantRequestNoQuery string
	}{
		{target: "http://example.org/login?a=1",
			wantApplication: "http://example.org/", wantRequest: "http://example.org/login?a=1", wantRequestNoQuery: "http://example.org/login"},
		{target: "http://example.org:8080/app/login", mount: "/app",
			wantApplication: "http://example.org:8080/app", wantRequest: "http://example.org:8080/app/login", wantRequestNoQuery: "http://example.org:8080/app/login"},
		{target: "http://example.org/app/?x=y", mount: "/app",
			wantApplication: "http://example.org/app", wantRequest: "http://example.org/app/?x=y", wantRequestNoQuery: "http://example.org/app/"},
		{target: "http://example.org/", wantApplication: "http://example.org/", wantRequest: "http://example.org/", wantRequestNoQuery: "http://example.org/"},
		{target: "http://h/a%20b", wantApplication: "http://h/", wantRequest: "http://h/a%20b", wantRequestNoQuery: "http://h/a%20b"},
	}
	for _, tc := range tests {
		r := serveMounted(httptest.NewRequest(http.MethodGet, tc.target, nil), tc.mount)
		r.TLS = nil
		if got := ApplicationURL(r); got != tc.wantApplication {
			t.Errorf("ApplicationURL(%s mounted at %q) = %q, want %q", tc.target, tc.mount, got, tc.wantApplication)
		}
		if got := RequestURL(r, true); got != tc.wantRequest {
			t.Errorf("RequestURL(%s mounted at %q, true) = %q, want %q", tc.target, tc.mount, got, tc.wantRequest)
		}
		if got := RequestURL(r, false); got != tc.wantRequestNoQuery {
			t.Errorf("RequestURL(%s mounted at %q, false) = %q, want %q", tc.target, tc.mount, got, tc.wantRequestNoQuery)
		}
	}
}

func TestIsHopByHop(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		// wsgiref.util.is_hop_by_hop agrees on these.
		{"Connection", true}, {"keep-alive", true}, {"Proxy-Authenticate", true},
		{"proxy-authorization", true}, {"TE", true}, {"Trailers", true},
		{"Transfer-Encoding", true}, {"upgrade", true}, {"Content-Type", false},
		{"Location", false}, {"Set-Cookie", false},
		// RFC 9110 §7.6.1 adds these; wsgiref does not list them.
		{"Trailer", true}, {"Proxy-Connection", true},
	}
	for _, tc := range tests {
		if got := IsHopByHop(tc.name); got != tc.want {
			t.Errorf("IsHopByHop(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
