package main

// Benchmarks that set miniweb beside the bare standard library on the same
// work, in one package, so that one run gives comparable figures:
//
//	go test -run '^$' -bench . -count 10 . | tee new.txt
//	benchstat -col /impl new.txt     # miniweb beside bare, with the delta
//	benchstat -col /router new.txt   # Routes beside ServeMux and a switch
//
// docs/performance.md says how to read them.

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
	"example.com/miniweb/internal/baseline"
	"example.com/miniweb/locales"
)

// benchPaths are the ten paths of the route-dispatch benchmarks.
var benchPaths = []string{
	"/", "/login", "/home", "/logout", "/about", "/contact", "/help", "/terms", "/privacy", "/static/style.css",
}

var noContent = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNoContent)
})

// discardWriter is a ResponseWriter that keeps nothing, so that a
// benchmark measures the handler and not a recorder.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func newDiscardWriter() *discardWriter { return &discardWriter{header: make(http.Header, 8)} }

// reset clears w's header for the next request, keeping its map.
func (w *discardWriter) reset() { clear(w.header) }

// serveBench serves r to handler b.N times.
func serveBench(b *testing.B, handler http.Handler, r *http.Request) {
	b.Helper()
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		handler.ServeHTTP(w, r)
	}
}

// BenchmarkDispatch compares the Routes table with http.ServeMux and a
// bare switch over the same ten paths, for a hit, a miss and, with
// Methods, a 405.
func BenchmarkDispatch(b *testing.B) {
	routes := framework.Routes{}
	for _, path := range benchPaths {
		routes[path] = framework.Methods{http.MethodGet: noContent}
	}
	// "/{$}" is ServeMux's exact match for "/"; plain "/" matches every path.
	mux := http.NewServeMux()
	for _, path := range benchPaths {
		pattern := path
		if path == "/" {
			pattern = "/{$}"
		}
		mux.Handle("GET "+pattern, noContent)
	}
	switchHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/", "/login", "/home", "/logout", "/about", "/contact", "/help", "/terms", "/privacy", "/static/style.css":
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
				return
			}
			noContent.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
	for _, request := range []struct{ name, method, path string }{
		{"hit", http.MethodGet, "/privacy"},
		{"miss", http.MethodGet, "/nowhere"},
		{"405", http.MethodDelete, "/privacy"},
	} {
		r := httptest.NewRequest(request.method, request.path, nil)
		b.Run("request="+request.name+"/router=routes", func(b *testing.B) { serveBench(b, routes, r) })
		b.Run("request="+request.name+"/router=servemux", func(b *testing.B) { serveBench(b, mux, r) })
		b.Run("request="+request.name+"/router=switch", func(b *testing.B) { serveBench(b, switchHandler, r) })
	}
}

// TestRouteLookupAllocatesNothing holds the Routes table to the benchmark's
// target: a hit costs no allocation.
func TestRouteLookupAllocatesNothing(t *testing.T) {
	routes := framework.Routes{}
	for _, path := range benchPaths {
		routes[path] = noContent
	}
	r := httptest.NewRequest(http.MethodGet, "/privacy", nil)
	w := newDiscardWriter()
	if allocs := testing.AllocsPerRun(100, func() { routes.ServeHTTP(w, r) }); allocs != 0 {
		t.Errorf("Routes.ServeHTTP(GET /privacy): %v allocations, want 0", allocs)
	}
}

// benchApp returns the demo's handler as run serves it, logging to
// nowhere, and a session cookie for the demo account.
func benchApp(b *testing.B) (http.Handler, *http.Cookie) {
	b.Helper()
	config, err := parseConfig(nil, testGetenv(b, testKeys), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	handler, _, err := newApp(context.Background(), config, openTestDatabase(b, config), slog.New(slog.DiscardHandler), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	form := url.Values{"username": {"admin"}, "password": {"secure123"}}
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, r)
	cookies := recorder.Result().Cookies()
	if recorder.Code != http.StatusSeeOther || len(cookies) != 1 {
		b.Fatalf("logging in: status %d, cookies %v", recorder.Code, cookies)
	}
	// The first page after the login shows its flash, once, and sends
	// the session without it: the cookie every later page gets.
	r = httptest.NewRequest(http.MethodGet, "/home", nil)
	r.AddCookie(cookies[0])
	recorder = httptest.NewRecorder()
	handler.ServeHTTP(recorder, r)
	cookies = recorder.Result().Cookies()
	if recorder.Code != http.StatusOK || len(cookies) != 1 {
		b.Fatalf("the page after logging in: status %d, cookies %v", recorder.Code, cookies)
	}
	return handler, cookies[0]
}

// newBaseline returns internal/baseline's handler over the demo's
// templates and the test keys: the bare code the benchmarks compare with.
func newBaseline(b *testing.B) http.Handler {
	b.Helper()
	templates, err := fs.Sub(files, "templates")
	if err != nil {
		b.Fatal(err)
	}
	catalogue, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	handler, err := baseline.Handler(templates, catalogue, sessionKeyBytes(b)...)
	if err != nil {
		b.Fatal(err)
	}
	return handler
}

// BenchmarkLoginPage compares GET /login through the whole demo stack
// (security headers, access log, panic recovery, session cache, CSRF
// check, routing, method dispatch, render) with a bare handler that
// renders the same precompiled template.
func BenchmarkLoginPage(b *testing.B) {
	app, _ := benchApp(b)
	bare := newBaseline(b)
	r := httptest.NewRequest(http.MethodGet, "/login", nil)
	b.Run("impl=miniweb", func(b *testing.B) { serveBench(b, app, r) })
	b.Run("impl=bare", func(b *testing.B) { serveBench(b, bare, r) })
}

// BenchmarkHomePage compares GET /home with a valid session cookie through
// the demo stack with a bare handler that decodes the same cookie with
// securecookie and renders the same precompiled template.
func BenchmarkHomePage(b *testing.B) {
	app, cookie := benchApp(b)
	bare := newBaseline(b)
	r := httptest.NewRequest(http.MethodGet, "/home", nil)
	r.AddCookie(cookie)
	b.Run("impl=miniweb", func(b *testing.B) { serveBench(b, app, r) })
	b.Run("impl=bare", func(b *testing.B) { serveBench(b, bare, r) })
}

// sessionKeyBytes returns testKeys as bytes.
func sessionKeyBytes(b *testing.B) [][]byte {
	b.Helper()
	config, err := parseConfig(nil, testGetenv(b, testKeys), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	return config.sessionKeys
}

// BenchmarkSessionCookie measures encoding and decoding a logged-in
// session, as every request with a cookie does.
func BenchmarkSessionCookie(b *testing.B) {
	sessions, err := framework.NewSessions(nil, 0, sessionKeyBytes(b)...)
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/home", nil)
	w := httptest.NewRecorder()
	session, err := sessions.Start(r.Context(), "admin")
	if err != nil {
		b.Fatal(err)
	}
	if err := sessions.Save(w, r, session); err != nil {
		b.Fatal(err)
	}
	cookie := w.Result().Cookies()[0]
	b.Run("encode", func(b *testing.B) {
		w := newDiscardWriter()
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			if err := sessions.Save(w, r, session); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		r := httptest.NewRequest(http.MethodGet, "/home", nil)
		r.AddCookie(cookie)
		w := newDiscardWriter()
		load := sessions.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if session, err := sessions.Load(w, r); err != nil || session.User != "admin" {
				b.Fatal("the session did not load:", err)
			}
		}))
		b.ReportAllocs()
		for b.Loop() {
			load.ServeHTTP(w, r)
		}
	})
}

// BenchmarkReadForm measures reading the login form's body.
func BenchmarkReadForm(b *testing.B) {
	body := url.Values{"username": {"admin"}, "password": {"secure123"}, "next": {"/home"}}.Encode()
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, err := framework.ReadForm(w, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMessages measures what a bilingual page pays for its words: ten
// messages rendered with {{ t("ID") }}, a call that pongo2 makes through
// reflection, against the same ten words written in the template.
func BenchmarkMessages(b *testing.B) {
	catalogue, err := locales.Load()
	if err != nil {
		b.Fatal(err)
	}
	text := catalogue.Lookup("zh-Hans").Text
	for _, tc := range []struct{ name, source string }{
		{"text=t", strings.Repeat(`<p>{{ t("LogIn") }}</p>`, 10)},
		{"text=literal", strings.Repeat(`<p>登录</p>`, 10)},
	} {
		template, err := pongo2.FromString(tc.source)
		if err != nil {
			b.Fatal(err)
		}
		context := pongo2.Context{"t": text}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := template.ExecuteBytes(context); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
