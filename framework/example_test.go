package framework_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
)

func ExampleRoutes() {
	routes := framework.Routes{
		"/hi": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hi")
		}),
	}
	for _, path := range []string{"/hi", "/nowhere"} {
		rec := httptest.NewRecorder()
		routes.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, rec.Code)
	}
	// Output:
	// /hi 200
	// /nowhere 404
}

func ExampleRoutes_WithNotFound() {
	routes := framework.Routes{
		"/hi": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hi")
		}),
	}
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "nothing at %s", r.URL.Path)
	})
	handler := routes.WithNotFound(notFound)
	for _, path := range []string{"/hi", "/nowhere"} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, rec.Code, rec.Body)
	}
	// Output:
	// /hi 200 hi
	// /nowhere 404 nothing at /nowhere
}

func ExampleMethods_WithMethodNotAllowed() {
	methods := framework.Methods{
		http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "posted")
		}),
	}
	notAllowed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMethodNotAllowed)
		fmt.Fprintf(w, "%s is not for %s: try %s", r.URL.Path, r.Method, w.Header().Get("Allow"))
	})
	handler := methods.WithMethodNotAllowed(notAllowed)
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(method, "/logout", nil))
		fmt.Println(method, rec.Code, rec.Body)
	}
	// Output:
	// POST 200 posted
	// GET 405 /logout is not for GET: try OPTIONS, POST
}

// A CGI server passes the request to a program as environment variables,
// the environ that WSGI took over. net/http/cgi turns them back into an
// *http.Request, which the same route table then serves; cgi.Serve does
// this for a real CGI program.
func ExampleRoutes_cgi() {
	environ := map[string]string{
		"REQUEST_METHOD":  "GET",
		"SERVER_PROTOCOL": "HTTP/1.1",
		"HTTP_HOST":       "example.com",
		"SCRIPT_NAME":     "/cgi-bin/miniweb",
		"PATH_INFO":       "/hello",
		"QUERY_STRING":    "name=ann",
		"REMOTE_ADDR":     "192.0.2.1",
	}
	r, err := cgi.RequestFromMap(environ)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("request:", r.Method, r.URL)

	routes := framework.Routes{
		"/hello": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello, %s (SCRIPT_NAME %s, PATH_INFO %s)",
				r.URL.Query().Get("name"), framework.ScriptName(r), r.URL.Path)
		}),
	}
	handler := framework.Mount(environ["SCRIPT_NAME"], routes)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// request: GET http://example.com/cgi-bin/miniweb/hello?name=ann
	// 200 hello, ann (SCRIPT_NAME /cgi-bin/miniweb, PATH_INFO /hello)
}

func ExampleMethods() {
	login := framework.Methods{
		http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "the form")
		}),
		http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "logged in")
		}),
	}
	// A real server, which drops the body of the answer to HEAD but
	// counts it for Content-Length.
	server := httptest.NewServer(login)
	defer server.Close()
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodDelete} {
		r, _ := http.NewRequest(method, server.URL+"/login", nil)
		res, err := server.Client().Do(r)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Printf("%s %d %q Content-Length: %d Allow: %q\n", method, res.StatusCode, body, res.ContentLength, res.Header.Get("Allow"))
	}
	// Output:
	// GET 200 "the form" Content-Length: 8 Allow: ""
	// HEAD 200 "" Content-Length: 8 Allow: ""
	// POST 200 "logged in" Content-Length: 9 Allow: ""
	// DELETE 405 "405 method not allowed\n" Content-Length: 23 Allow: "GET, HEAD, OPTIONS, POST"
}

func ExampleMount() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "SCRIPT_NAME %q, PATH_INFO %q", framework.ScriptName(r), r.URL.Path)
	})
	handler := framework.Mount("/app", app)
	for _, path := range []string{"/app/login", "/app", "/apple"} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// /app/login 200 SCRIPT_NAME "/app", PATH_INFO "/login"
	// /app 200 SCRIPT_NAME "/app", PATH_INFO "/"
	// /apple 404 404 page not found
}

func ExampleShiftPath() {
	segment, scriptName, pathInfo, ok := framework.ShiftPath("/foo", "/bar/baz")
	fmt.Printf("%q %q %q %v\n", segment, scriptName, pathInfo, ok)
	// Output:
	// "bar" "/foo/bar" "/baz" true
}

func ExampleMountedPath() {
	home := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<a href="%s">Log in</a>`, framework.MountedPath(r, "/login"))
	})
	for _, handler := range []http.Handler{home, framework.Mount("/app", home)} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app/home", nil))
		fmt.Println(rec.Body)
	}
	// Output:
	// <a href="/login">Log in</a>
	// <a href="/app/login">Log in</a>
}

func ExampleSeeOther() {
	logout := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		framework.SeeOther(w, r, "/login?bye=1")
	})
	for _, handler := range []http.Handler{logout, framework.Mount("/app", logout)} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/app/logout", nil))
		fmt.Println(rec.Code, rec.Header().Get("Location"), rec.Header().Get("Content-Length"))
	}
	// Output:
	// 303 /login?bye=1 0
	// 303 /app/login?bye=1 0
}

func ExampleReadForm() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := framework.ReadForm(w, r)
		if err != nil {
			http.Error(w, err.Error(), framework.FormErrorStatus(err))
			return
		}
		fmt.Fprintf(w, "username %q, next %q", form.Get("username"), form.Get("next"))
	})
	bodies := []string{
		"username=ann&password=s3cret",
		"username=" + strings.Repeat("a", framework.MaxFormBytes),
	}
	for _, body := range bodies {
		// next is in the query string, not the body, so ReadForm leaves it out.
		r := httptest.NewRequest(http.MethodPost, "/login?next=/home", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, r)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 200 username "ann", next ""
	// 413 framework: request body too large
}

func ExampleFormErrorStatus() {
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(`{"username": "ann"}`))
	r.Header.Set("Content-Type", "application/json")
	_, err := framework.ReadForm(httptest.NewRecorder(), r)
	fmt.Println(framework.FormErrorStatus(err), err)
	// Output:
	// 415 framework: request body is not application/x-www-form-urlencoded
}

func ExampleFieldErrors() {
	form := url.Values{"username": {""}, "password": {"correct horse battery staple"}}
	errs := framework.FieldErrors{}
	errs.Required(form, "username", "Enter your username.")
	errs.Required(form, "password", "Enter your password.")
	errs.MaxLength(form, "password", 16, "That password is too long.")
	for _, field := range slices.Sorted(maps.Keys(errs)) {
		fmt.Printf("%s: %s\n", field, errs[field])
	}
	// Output:
	// password: That password is too long.
	// username: Enter your username.
}

func ExampleNewSessions() {
	// Real keys come from configuration, so that sessions outlive a
	// restart; crypto/rand makes good ones.
	hashKey := make([]byte, framework.HashKeyBytes)
	blockKey := make([]byte, framework.BlockKeyBytes)
	rand.Read(hashKey)
	rand.Read(blockKey)
	if _, err := framework.NewSessions(nil, framework.DefaultSessionLifetime, hashKey, blockKey); err != nil {
		fmt.Println(err)
	}

	// An AES-128 key is not enough.
	_, err := framework.NewSessions(nil, framework.DefaultSessionLifetime, hashKey, blockKey[:16])
	fmt.Println(err)
	// Output:
	// framework: session key pair 1: want a 64-byte hash key and a 32-byte block key, have 64 and 16 bytes
}

func ExampleSessions() {
	hashKey := make([]byte, framework.HashKeyBytes)
	blockKey := make([]byte, framework.BlockKeyBytes)
	rand.Read(hashKey)
	rand.Read(blockKey)
	sessions, err := framework.NewSessions(nil, framework.DefaultSessionLifetime, hashKey, blockKey)
	if err != nil {
		fmt.Println(err)
		return
	}

	// Log in: save a new session for ann. (nil generations: in memory.)
	login := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/login", nil)
	session, err := sessions.Start(r.Context(), "ann")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := sessions.Save(login, r, session); err != nil {
		fmt.Println(err)
		return
	}
	cookie := login.Result().Cookies()[0]
	fmt.Println("cookie:", cookie.Name, "Path:", cookie.Path, "HttpOnly:", cookie.HttpOnly)

	// The next request sends the cookie back, and a view loads the
	// session; Middleware gives each request a place to keep it.
	home := sessions.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session, err := sessions.Load(w, r)
		fmt.Printf("user: %q, error: %v\n", session.User, err)
	}))
	r = httptest.NewRequest(http.MethodGet, "/home", nil)
	r.AddCookie(cookie)
	home.ServeHTTP(httptest.NewRecorder(), r)

	// A cookie cut short, or changed in any way, is a visitor who is not
	// logged in.
	r = httptest.NewRequest(http.MethodGet, "/home", nil)
	r.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value[:len(cookie.Value)/2]})
	home.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// cookie: session Path: / HttpOnly: true
	// user: "ann", error: <nil>
	// user: "", error: <nil>
}

func ExamplePages() {
	templates := fstest.MapFS{
		"base.html":  {Data: []byte(`<title>{% block title %}{% endblock %}</title>{% block content %}{% endblock %}`)},
		"hello.html": {Data: []byte(`{% extends "base.html" %}{% block title %}Hello{% endblock %}{% block content %}<p>Hello, {{ name }}! <a href="{{ url("/login") }}">Log in</a></p>{% endblock %}`)},
	}
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	pages, err := framework.NewPages(templates, sessions, nil, slog.New(slog.DiscardHandler), false)
	if err != nil {
		fmt.Println(err)
		return
	}

	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages.Render(w, r, http.StatusOK, "hello.html", pongo2.Context{"name": "<ann>"})
	})
	rec := httptest.NewRecorder()
	// Pages show the session's user and flashes: they need its middleware.
	sessions.Middleware()(hello).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/hello", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(rec.Body)
	// Output:
	// 200 text/html; charset=utf-8
	// <title>Hello</title><p>Hello, &lt;ann&gt;! <a href="/login">Log in</a></p>
}

// Globals give every page the application's values for the request: here
// a greeting in the language the request asks for, as the demo's t does
// with its message catalogue.
func ExampleGlobals() {
	templates := fstest.MapFS{
		"hello.html": {Data: []byte(`<html lang="{{ lang }}"><p>{{ hello }}, {{ name }}!</p>`)},
	}
	greetings := map[string]string{"en": "Hello", "zh-Hans": "你好"}
	globals := func(w http.ResponseWriter, r *http.Request) pongo2.Context {
		lang := "en"
		if strings.HasPrefix(r.Header.Get("Accept-Language"), "zh") {
			lang = "zh-Hans"
		}
		w.Header().Set("Content-Language", lang)
		return pongo2.Context{"lang": lang, "hello": greetings[lang]}
	}
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	pages, err := framework.NewPages(templates, sessions, globals, slog.New(slog.DiscardHandler), false)
	if err != nil {
		fmt.Println(err)
		return
	}

	hello := sessions.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pages.Render(w, r, http.StatusOK, "hello.html", pongo2.Context{"name": "Ada"})
	}))
	for _, acceptLanguage := range []string{"zh-CN", "en-GB"} {
		r := httptest.NewRequest(http.MethodGet, "/hello", nil)
		r.Header.Set("Accept-Language", acceptLanguage)
		rec := httptest.NewRecorder()
		hello.ServeHTTP(rec, r)
		fmt.Println(rec.Header().Get("Content-Language"), rec.Body)
	}
	// Output:
	// zh-Hans <html lang="zh-Hans"><p>你好, Ada!</p>
	// en <html lang="en"><p>Hello, Ada!</p>
}

func ExamplePages_NotFound() {
	templates := fstest.MapFS{
		"404.html": {Data: []byte(`<h1>Not found</h1><p>Try <a href="{{ url("/") }}">the start page</a>.</p>`)},
	}
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	pages, err := framework.NewPages(templates, sessions, nil, slog.New(slog.DiscardHandler), false)
	if err != nil {
		fmt.Println(err)
		return
	}

	routes := framework.Routes{"/": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	handler := sessions.Middleware()(routes.WithNotFound(http.HandlerFunc(pages.NotFound)))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nowhere", nil))
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// 404 <h1>Not found</h1><p>Try <a href="/">the start page</a>.</p>
}

func ExamplePages_MethodNotAllowed() {
	templates := fstest.MapFS{
		"405.html": {Data: []byte(`<h1>Not here</h1><p>Use the form on <a href="{{ url("/") }}">the start page</a>.</p>`)},
	}
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	pages, err := framework.NewPages(templates, sessions, nil, slog.New(slog.DiscardHandler), false)
	if err != nil {
		fmt.Println(err)
		return
	}

	logout := framework.Methods{http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	handler := sessions.Middleware()(logout.WithMethodNotAllowed(http.HandlerFunc(pages.MethodNotAllowed)))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/logout", nil))
	fmt.Println(rec.Code, rec.Header().Get("Allow"), rec.Body)
	// Output:
	// 405 OPTIONS, POST <h1>Not here</h1><p>Use the form on <a href="/">the start page</a>.</p>
}

func ExampleRecover() {
	templates := fstest.MapFS{
		"500.html": {Data: []byte(`<h1>Something went wrong</h1>`)},
	}
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	// The log gets the panic and its stack; the client gets neither.
	pages, err := framework.NewPages(templates, sessions, nil, slog.New(slog.DiscardHandler), false)
	if err != nil {
		fmt.Println(err)
		return
	}

	handler := framework.Recover(pages)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var users map[string]string
		users["ann"] = "oops" // assignment to entry in nil map
	}))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// 500 <h1>Something went wrong</h1>
}

func ExamplePages_ServerError() {
	templates := fstest.MapFS{
		"500.html": {Data: []byte(`<h1>Something went wrong</h1>`)},
	}
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	// A logger that prints the message and the error, for the example.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	pages, err := framework.NewPages(templates, sessions, nil, logger, false)
	if err != nil {
		fmt.Println(err)
		return
	}

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := saveNote(r); err != nil {
			pages.ServerError(w, r, err)
			return
		}
		io.WriteString(w, "saved")
	})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/note", nil))
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// level=ERROR msg="serving request" method=POST path=/note error="saving note: disk full"
	// 500 <h1>Something went wrong</h1>
}

// saveNote stands for the work of a handler that can fail.
func saveNote(r *http.Request) error {
	return errors.New("saving note: disk full")
}

func ExampleStaticFiles() {
	static := fstest.MapFS{
		"style.css":   {Data: []byte("body { margin: 0 }")},
		"css/app.css": {Data: []byte("main { padding: 1em }")},
		".env":        {Data: []byte("SECRET=1")}, // names starting with "." are left out
	}
	routes := framework.Routes{}
	staticRoutes, err := framework.StaticFiles(static, "/static/")
	if err != nil {
		fmt.Println(err)
		return
	}
	maps.Copy(routes, staticRoutes)
	for _, path := range slices.Sorted(maps.Keys(routes)) {
		fmt.Println("route:", path)
	}

	for _, path := range []string{"/static/style.css", "/static/.env", "/static/../go.mod"} {
		rec := httptest.NewRecorder()
		routes.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Printf("%s %d Content-Type: %q Cache-Control: %q\n",
			path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
	}
	// Output:
	// route: /static/css/app.css
	// route: /static/style.css
	// /static/style.css 200 Content-Type: "text/css; charset=utf-8" Cache-Control: "public, max-age=3600"
	// /static/.env 404 Content-Type: "text/plain; charset=utf-8" Cache-Control: ""
	// /static/../go.mod 404 Content-Type: "text/plain; charset=utf-8" Cache-Control: ""
}

func ExampleAccessLog() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		// Leave out the time and the duration, so that the output is the
		// same on every run.
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.URL.Query().Get("name"))
	})
	handler := framework.AccessLog(logger)(hello)

	r := httptest.NewRequest(http.MethodGet, "/hello?name=ann", nil)
	r.RemoteAddr = "192.0.2.1:51234"
	handler.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// level=INFO msg=request client=192.0.2.1 method=GET path=/hello query="name=ann" status=200 bytes=10
}

func ExampleSecurityHeaders() {
	handler := framework.SecurityHeaders()(http.NotFoundHandler())
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	for _, name := range []string{"X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy"} {
		fmt.Printf("%s: %s\n", name, rec.Header().Get(name))
	}
	// Output:
	// X-Content-Type-Options: nosniff
	// Content-Security-Policy: default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'
	// Referrer-Policy: same-origin
}

func ExampleGuessScheme() {
	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(framework.GuessScheme(r))
	})
	r := httptest.NewRequest(http.MethodGet, "http://example.org/", nil)
	r.RemoteAddr = "10.0.0.1:41000" // the proxy
	r.Header.Set("X-Forwarded-Proto", "https")
	show.ServeHTTP(httptest.NewRecorder(), r) // anyone can send the header
	proxy := netip.MustParsePrefix("10.0.0.1/32")
	framework.TrustProxy(proxy)(show).ServeHTTP(httptest.NewRecorder(), r) // the proxy the operator runs
	// Output:
	// http
	// https
}

func ExampleSessions_Middleware() {
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	cookie := exampleLogin(sessions, "ann")

	// A view and the page it renders both ask for the session; under
	// Middleware, the cookie is decoded for the first and remembered.
	view := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		view, _ := sessions.Load(w, r)
		page, _ := sessions.Load(w, r)
		fmt.Println("view:", view.User)
		fmt.Println("page:", page.User)
	})
	r := httptest.NewRequest(http.MethodGet, "/home", nil)
	r.AddCookie(cookie)
	sessions.Middleware()(view).ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// view: ann
	// page: ann
}

func ExampleTrustProxy() {
	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(framework.ClientIP(r), framework.GuessScheme(r))
	})
	// A request as a TLS-terminating proxy on 10.0.0.1 passes it on.
	r := httptest.NewRequest(http.MethodGet, "http://example.org/", nil)
	r.RemoteAddr = "10.0.0.1:41000"
	r.Header.Set("X-Forwarded-For", "198.51.100.9")
	r.Header.Set("X-Forwarded-Proto", "https")
	trustProxy := framework.TrustProxy(netip.MustParsePrefix("10.0.0.0/8"))
	show.ServeHTTP(httptest.NewRecorder(), r)
	trustProxy(show).ServeHTTP(httptest.NewRecorder(), r)
	// A client that is not the proxy sends the same headers: not believed.
	r.RemoteAddr = "203.0.113.5:52000"
	trustProxy(show).ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// 10.0.0.1 http
	// 198.51.100.9 https
	// 203.0.113.5 http
}

func ExampleScriptName() {
	show := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("SCRIPT_NAME=%q PATH_INFO=%q\n", framework.ScriptName(r), r.URL.Path)
	})
	show.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/app/login", nil))
	framework.Mount("/app", show).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/app/login", nil))
	// Output:
	// SCRIPT_NAME="" PATH_INFO="/app/login"
	// SCRIPT_NAME="/app" PATH_INFO="/login"
}

func ExampleSessions_Revoke() {
	sessions := exampleSessions()           // random keys, as in ExampleNewSessions
	copied := exampleLogin(sessions, "ann") // a copy, kept by a thief or an old tab

	if err := sessions.Revoke(context.Background(), "ann"); err != nil { // what logout does
		fmt.Println(err)
		return
	}

	home := sessions.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session, err := sessions.Load(w, r)
		fmt.Printf("user: %q, error: %v\n", session.User, err)
	}))
	r := httptest.NewRequest(http.MethodGet, "/home", nil)
	r.AddCookie(copied)
	home.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// user: "", error: <nil>
}

// exampleLogin returns the session cookie of a login as user, made as
// ExampleSessions shows.
func exampleLogin(sessions *framework.Sessions, user string) *http.Cookie {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/login", nil)
	session, err := sessions.Start(r.Context(), user)
	if err == nil {
		err = sessions.Save(rec, r, session)
	}
	if err != nil {
		panic(err) // cannot happen: generations in memory, keys checked
	}
	return rec.Result().Cookies()[0]
}

// exampleSessions returns Sessions with the default lifetime and fresh
// random keys, made as ExampleNewSessions shows, for the examples that
// need sessions only to render pages.
func exampleSessions() *framework.Sessions {
	hashKey := make([]byte, framework.HashKeyBytes)
	blockKey := make([]byte, framework.BlockKeyBytes)
	rand.Read(hashKey)
	rand.Read(blockKey)
	sessions, err := framework.NewSessions(nil, 0, hashKey, blockKey)
	if err != nil {
		panic(err) // cannot happen: the keys have the right lengths
	}
	return sessions
}

func ExampleRequireUser() {
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	pages, err := framework.NewPages(fstest.MapFS{"500.html": {Data: []byte("error")}}, sessions, nil, slog.New(slog.DiscardHandler), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	account := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "your account")
	})
	handler := framework.Mount("/app", sessions.Middleware()(framework.RequireUser(sessions, pages, "/login")(account)))

	for _, cookie := range []*http.Cookie{nil, exampleLogin(sessions, "ann")} {
		r := httptest.NewRequest(http.MethodGet, "/app/account?tab=password", nil)
		if cookie != nil {
			r.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, r)
		fmt.Printf("%d Location: %q body: %q\n", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	// Output:
	// 303 Location: "/app/login?next=/account%3Ftab%3Dpassword" body: ""
	// 200 Location: "" body: "your account"
}

func ExampleSessions_AddFlash() {
	sessions := exampleSessions() // random keys, as in ExampleNewSessions
	// A view that changes something says so on the page it redirects to.
	save := sessions.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := sessions.AddFlash(w, r, "Note saved."); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		framework.SeeOther(w, r, "/notes/7")
	}))
	show := sessions.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flashes, _ := sessions.Flashes(w, r) // what Pages.Render shows
		fmt.Printf("flashes: %q\n", flashes)
	}))

	rec := httptest.NewRecorder()
	save.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notes/7/edit", nil))
	cookie := rec.Result().Cookies()[0]
	for range 2 { // the page after the redirect, then a reload
		r := httptest.NewRequest(http.MethodGet, "/notes/7", nil)
		r.AddCookie(cookie)
		rec := httptest.NewRecorder()
		show.ServeHTTP(rec, r)
		if cookies := rec.Result().Cookies(); len(cookies) == 1 {
			cookie = cookies[0]
		}
	}
	// Output:
	// flashes: ["Note saved."]
	// flashes: []
}

func ExampleParseID() {
	for _, segment := range []string{"12", "007", "+7", "x", "9223372036854775808"} {
		id, ok := framework.ParseID(segment)
		fmt.Println(segment, id, ok)
	}
	// Output:
	// 12 12 true
	// 007 0 false
	// +7 0 false
	// x 0 false
	// 9223372036854775808 0 false
}

// A route that ends in a slash is a subtree: its handler reads the rest
// of the path, here with ShiftPath, as the demo's notes do.
func ExampleRoutes_subtree() {
	notes := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, scriptName, pathInfo, _ := framework.ShiftPath(framework.ScriptName(r), r.URL.Path) // "notes"
		id, _, rest, _ := framework.ShiftPath(scriptName, pathInfo)
		fmt.Fprintf(w, "note %q, then %q, below %s", id, rest, scriptName)
	})
	routes := framework.Routes{"/notes/": notes}
	for _, path := range []string{"/notes/12/edit", "/notes/"} {
		rec := httptest.NewRecorder()
		routes.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, rec.Code, rec.Body)
	}
	// Output:
	// /notes/12/edit 200 note "12", then "/edit", below /notes
	// /notes/ 200 note "", then "", below /notes
}

func ExampleRefuseTransferEncoding() {
	handler := framework.RefuseTransferEncoding()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "saved")
	}))
	for _, chunked := range []bool{false, true} {
		r := httptest.NewRequest(http.MethodPost, "/notes/new", strings.NewReader("title=x"))
		if chunked {
			r.TransferEncoding = []string{"chunked"} // as net/http reads Transfer-Encoding: chunked
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, r)
		fmt.Printf("%d Connection: %q\n", rec.Code, rec.Header().Get("Connection"))
	}
	// Output:
	// 200 Connection: ""
	// 400 Connection: "close"
}
