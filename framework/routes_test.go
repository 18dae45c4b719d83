package framework

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// text returns a handler that writes body, and names itself by body in
// the X-Handler header, which survives where a HEAD response drops body.
func text(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Handler", body)
		io.WriteString(w, body)
	})
}

// notFoundBody is what http.NotFound writes.
const notFoundBody = "404 page not found\n"

func TestRoutes(t *testing.T) {
	routes := Routes{
		"/":                text("home"),
		"/login":           text("login"),
		"/notes/":          text("notes subtree"),
		"/notes/archive/":  text("archive subtree"),
		"/notes/settings":  text("settings"),
		"/static/site.css": text("stylesheet"),
	}
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantBody   string
	}{
		{name: "subtree itself", method: http.MethodGet, path: "/notes/", wantStatus: http.StatusOK, wantBody: "notes subtree"},
		{name: "below a subtree", method: http.MethodGet, path: "/notes/12", wantStatus: http.StatusOK, wantBody: "notes subtree"},
		{name: "deep below a subtree", method: http.MethodGet, path: "/notes/12/edit", wantStatus: http.StatusOK, wantBody: "notes subtree"},
		{name: "longest subtree wins", method: http.MethodGet, path: "/notes/archive/2026", wantStatus: http.StatusOK, wantBody: "archive subtree"},
		{name: "exact entry inside a subtree", method: http.MethodGet, path: "/notes/settings", wantStatus: http.StatusOK, wantBody: "settings"},
		{name: "below an exact entry", method: http.MethodGet, path: "/notes/settings/x", wantStatus: http.StatusOK, wantBody: "notes subtree"},
		{name: "subtree without its slash", method: http.MethodGet, path: "/notes", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "the root is no subtree", method: http.MethodGet, path: "/static/other.css", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "root", method: http.MethodGet, path: "/", wantStatus: http.StatusOK, wantBody: "home"},
		{name: "hit", method: http.MethodGet, path: "/login", wantStatus: http.StatusOK, wantBody: "login"},
		{name: "any method reaches the handler", method: http.MethodPost, path: "/login", wantStatus: http.StatusOK, wantBody: "login"},
		{name: "query string is not part of the path", method: http.MethodGet, path: "/login?next=/home", wantStatus: http.StatusOK, wantBody: "login"},
		{name: "miss", method: http.MethodGet, path: "/nowhere", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "trailing slash", method: http.MethodGet, path: "/login/", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "path below", method: http.MethodGet, path: "/login/x", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "prefix of a path", method: http.MethodGet, path: "/log", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "other case", method: http.MethodGet, path: "/LOGIN", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "unclean path", method: http.MethodGet, path: "/x/../login", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			routes.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("%s %s: status = %d, want %d", tc.method, tc.path, rec.Code, tc.wantStatus)
			}
			if got := rec.Body.String(); got != tc.wantBody {
				t.Errorf("%s %s: body = %q, want %q", tc.method, tc.path, got, tc.wantBody)
			}
		})
	}
}

func TestRoutesNil(t *testing.T) {
	var routes Routes
	rec := httptest.NewRecorder()
	routes.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Routes, GET /: status = %d, want %d", rec.Code, http.StatusNotFound)
	}
}

func TestRoutesWithNotFound(t *testing.T) {
	var misses int
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		misses++
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "custom 404 for "+r.URL.Path)
	})
	handler := Routes{"/login": text("login")}.WithNotFound(notFound)
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantBody   string
		wantMisses int
	}{
		{name: "hit", path: "/login", wantStatus: http.StatusOK, wantBody: "login", wantMisses: 0},
		{name: "miss", path: "/nowhere", wantStatus: http.StatusNotFound, wantBody: "custom 404 for /nowhere", wantMisses: 1},
		{name: "trailing slash", path: "/login/", wantStatus: http.StatusNotFound, wantBody: "custom 404 for /login/", wantMisses: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			misses = 0
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("GET %s: status = %d, want %d", tc.path, rec.Code, tc.wantStatus)
			}
			if got := rec.Body.String(); got != tc.wantBody {
				t.Errorf("GET %s: body = %q, want %q", tc.path, got, tc.wantBody)
			}
			if misses != tc.wantMisses {
				t.Errorf("GET %s: not-found handler called %d times, want %d", tc.path, misses, tc.wantMisses)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	getPost := Methods{http.MethodGet: text("get"), http.MethodPost: text("post")}
	postOnly := Methods{http.MethodPost: text("post")}
	explicitHead := Methods{http.MethodGet: text("get"), http.MethodHead: text("head")}
	explicitOptions := Methods{http.MethodGet: text("get"), http.MethodOptions: text("options")}
	const notAllowed = "405 method not allowed\n"
	tests := []struct {
		name        string
		methods     Methods
		method      string
		wantStatus  int
		wantHandler string // "" when Methods answers itself
		wantBody    string
		wantAllow   string // "" for no Allow header
	}{
		{name: "GET hit", methods: getPost, method: http.MethodGet, wantStatus: http.StatusOK, wantHandler: "get", wantBody: "get"},
		{name: "HEAD served by GET without a body", methods: getPost, method: http.MethodHead, wantStatus: http.StatusOK, wantHandler: "get", wantBody: ""},
		{name: "POST hit", methods: getPost, method: http.MethodPost, wantStatus: http.StatusOK, wantHandler: "post", wantBody: "post"},
		{name: "explicit HEAD wins", methods: explicitHead, method: http.MethodHead, wantStatus: http.StatusOK, wantHandler: "head", wantBody: ""},
		{name: "explicit HEAD leaves GET alone", methods: explicitHead, method: http.MethodGet, wantStatus: http.StatusOK, wantHandler: "get", wantBody: "get"},
		{name: "explicit OPTIONS wins", methods: explicitOptions, method: http.MethodOptions, wantStatus: http.StatusOK, wantHandler: "options", wantBody: "options"},
		{name: "OPTIONS", methods: getPost, method: http.MethodOptions, wantStatus: http.StatusNoContent, wantAllow: "GET, HEAD, OPTIONS, POST"},
		{name: "OPTIONS without GET", methods: postOnly, method: http.MethodOptions, wantStatus: http.StatusNoContent, wantAllow: "OPTIONS, POST"},
		{name: "PUT", methods: getPost, method: http.MethodPut, wantStatus: http.StatusMethodNotAllowed, wantBody: notAllowed, wantAllow: "GET, HEAD, OPTIONS, POST"},
		{name: "TRACE", methods: getPost, method: http.MethodTrace, wantStatus: http.StatusMethodNotAllowed, wantBody: notAllowed, wantAllow: "GET, HEAD, OPTIONS, POST"},
		{name: "PROPFIND", methods: getPost, method: "PROPFIND", wantStatus: http.StatusMethodNotAllowed, wantBody: notAllowed, wantAllow: "GET, HEAD, OPTIONS, POST"},
		{name: "methods are case-sensitive", methods: getPost, method: "get", wantStatus: http.StatusMethodNotAllowed, wantBody: notAllowed, wantAllow: "GET, HEAD, OPTIONS, POST"},
		{name: "PUT on POST only", methods: postOnly, method: http.MethodPut, wantStatus: http.StatusMethodNotAllowed, wantBody: notAllowed, wantAllow: "OPTIONS, POST"},
		{name: "GET on POST only", methods: postOnly, method: http.MethodGet, wantStatus: http.StatusMethodNotAllowed, wantBody: notAllowed, wantAllow: "OPTIONS, POST"},
		{name: "HEAD on POST only", methods: postOnly, method: http.MethodHead, wantStatus: http.StatusMethodNotAllowed, wantAllow: "OPTIONS, POST"},
		{name: "Allow lists explicit HEAD once", methods: explicitHead, method: http.MethodDelete, wantStatus: http.StatusMethodNotAllowed, wantBody: notAllowed, wantAllow: "GET, HEAD, OPTIONS"},
		{name: "Allow lists explicit OPTIONS once", methods: explicitOptions, method: http.MethodDelete, wantStatus: http.StatusMethodNotAllowed, wantBody: notAllowed, wantAllow: "GET, HEAD, OPTIONS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Over a real connection, where http.Server drops HEAD's body.
			server := httptest.NewServer(tc.methods)
			defer server.Close()
			res, body := roundTrip(t, server.Client(), tc.method, server.URL)
			if res.StatusCode != tc.wantStatus {
				t.Errorf("%s /: status = %d, want %d", tc.method, res.StatusCode, tc.wantStatus)
			}
			if got := res.Header.Get("X-Handler"); got != tc.wantHandler {
				t.Errorf("%s /: answered by handler %q, want %q", tc.method, got, tc.wantHandler)
			}
			if body != tc.wantBody {
				t.Errorf("%s /: body = %q, want %q", tc.method, body, tc.wantBody)
			}
			if got := res.Header.Get("Allow"); got != tc.wantAllow {
				t.Errorf("%s /: Allow = %q, want %q", tc.method, got, tc.wantAllow)
			}
		})
	}
}

// TestMethodsHeadHeaders checks, over a real connection, that HEAD gets
// the header fields GET gets (RFC 9110 §9.3.2), Content-Type and
// Content-Length included, from a GET handler that sets neither.
func TestMethodsHeadHeaders(t *testing.T) {
	server := httptest.NewServer(Methods{http.MethodGet: text("<p>hello</p>")})
	defer server.Close()
	get, _ := roundTrip(t, server.Client(), http.MethodGet, server.URL)
	head, body := roundTrip(t, server.Client(), http.MethodHead, server.URL)
	if body != "" {
		t.Errorf("HEAD /: body %q, want none", body)
	}
	get.Header.Del("Date")
	head.Header.Del("Date")
	if !reflect.DeepEqual(head.Header, get.Header) || head.ContentLength != get.ContentLength {
		t.Errorf("HEAD / header %v (length %d), want GET's %v (length %d)", head.Header, head.ContentLength, get.Header, get.ContentLength)
	}
}

// roundTrip sends a request with method and no body to url and returns
// the response, its body read and closed.
func roundTrip(t *testing.T, client *http.Client, method, url string) (*http.Response, string) {
	t.Helper()
	r, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// TestMethodsWithMethodNotAllowed checks that the 405 handler answers only
// the methods the table lacks, with Allow already set, and that HEAD and
// OPTIONS keep their own answers.
func TestMethodsWithMethodNotAllowed(t *testing.T) {
	methods := Methods{http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "page")
	})}
	var allowSeen string
	handler := methods.WithMethodNotAllowed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowSeen = w.Header().Get("Allow")
		w.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(w, "the 405 page")
	}))
	tests := []struct {
		method   string
		wantCode int
		wantBody string
	}{
		{http.MethodGet, http.StatusOK, "page"},
		{http.MethodHead, http.StatusOK, "page"},
		{http.MethodOptions, http.StatusNoContent, ""},
		{http.MethodPost, http.StatusMethodNotAllowed, "the 405 page"},
		{http.MethodDelete, http.StatusMethodNotAllowed, "the 405 page"},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			allowSeen = ""
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(tc.method, "/", nil))
			if rec.Code != tc.wantCode || rec.Body.String() != tc.wantBody {
				t.Errorf("%s: %d %q, want %d %q", tc.method, rec.Code, rec.Body, tc.wantCode, tc.wantBody)
			}
			if tc.wantCode == http.StatusMethodNotAllowed && allowSeen != "GET, HEAD, OPTIONS" {
				t.Errorf("%s: the 405 handler saw Allow %q, want %q", tc.method, allowSeen, "GET, HEAD, OPTIONS")
			}
		})
	}
}
