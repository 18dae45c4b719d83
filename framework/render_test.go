package framework

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/flosch/pongo2/v6"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Markers that tell the test pages apart.
const (
	notFoundMarker    = "<h1>404 Not Found</h1>"
	serverErrorMarker = "<h1>500 Internal Server Error</h1>"
)

// testTemplates returns a small site's templates: a base with blocks and
// pages that extend it, a login-like form among them.
func testTemplates() fstest.MapFS {
	return fstest.MapFS{
		"base.html": {Data: []byte(`<!doctype html>
<html lang="en">
<head>
  <title>{% block title %}miniweb{% endblock %} · miniweb</title>
  <link rel="stylesheet" href="{{ url("/static/style.css") }}">
</head>
<body>
  <header>
    <a href="{{ url("/") }}">miniweb</a>
    {% if user %}
    <span class="user">Signed in as {{ user }}</span>
    {% endif %}
  </header>
  <main>
    {% for message in flashes %}
    <p class="flash">{{ message }}</p>
    {% endfor %}
    {% block content %}{% endblock %}
  </main>
</body>
</html>
`)},
		"login.html": {Data: []byte(`{% extends "base.html" %}
{% block title %}Log in{% endblock %}
{% block content %}
<h1>Log in</h1>
{% if error %}<p class="error">{{ error }}</p>{% endif %}
<form method="post" action="{{ url("/login") }}">
  <input type="hidden" name="next" value="{{ next }}">
  <input name="username" value="{{ username }}">
  <input name="password" type="password">
</form>
{% endblock %}
`)},
		"echo.html": {Data: []byte(`{% extends "base.html" %}
{% block content %}
<p>{{ value }}</p>
<a title="{{ value }}" href="{{ url(value) }}">link</a>
{% endblock %}
`)},
		// broken.html compiles but fails when it runs: url takes a string.
		"broken.html": {Data: []byte(`{% extends "base.html" %}
{% block content %}
<p>before the failure</p>
{{ url(42) }}
<p>after the failure</p>
{% endblock %}
`)},
		// failing.html calls fail, a function that the data supplies.
		"failing.html": {Data: []byte(`{% extends "base.html" %}
{% block content %}
<p>before the failure</p>
{{ fail() }}
{% endblock %}
`)},
		"404.html": {Data: []byte(`{% extends "base.html" %}
{% block content %}<h1>404 Not Found</h1>{% endblock %}
`)},
		"500.html": {Data: []byte(`{% extends "base.html" %}
{% block content %}<h1>500 Internal Server Error</h1>{% endblock %}
`)},
	}
}

// newTestPages returns Pages over fsys, the Sessions it reads, and the
// buffer its logger writes to.
func newTestPages(t *testing.T, fsys fs.FS, reload bool) (*Pages, *Sessions, *bytes.Buffer) {
	t.Helper()
	sessions := newTestSessions(t, keyPair('a')...)
	logs := new(bytes.Buffer)
	pages, err := NewPages(fsys, sessions, nil, slog.New(slog.NewTextHandler(logs, nil)), reload)
	if err != nil {
		t.Fatal(err)
	}
	return pages, sessions, logs
}

// render calls pages.Render for a GET of target, with cookies, and
// returns the response.
func render(pages *Pages, target string, cookies []*http.Cookie, status int, name string, data pongo2.Context) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for _, cookie := range cookies {
		r.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	pages.Render(rec, withSessionCache(r), status, name, data)
	return rec
}

// withSessionCache returns r with the place for its session that
// Sessions.Middleware gives a request, which Render needs.
func withSessionCache(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), sessionCacheKey{}, &sessionCache{}))
}

func TestRender(t *testing.T) {
	pages, _, logs := newTestPages(t, testTemplates(), false)
	tests := []struct {
		name       string
		status     int
		template   string
		data       pongo2.Context
		wantInBody []string
	}{
		{name: "OK", status: http.StatusOK, template: "login.html", data: pongo2.Context{"username": "ann", "next": "/home"},
			wantInBody: []string{"<title>Log in · miniweb</title>", `value="ann"`, `value="/home"`, `action="/login"`}},
		{name: "other status", status: http.StatusUnprocessableEntity, template: "login.html", data: pongo2.Context{"error": "Invalid username or password."},
			wantInBody: []string{`<p class="error">Invalid username or password.</p>`}},
		{name: "nil data", status: http.StatusOK, template: "login.html", data: nil,
			wantInBody: []string{"<h1>Log in</h1>", `value=""`}},
		{name: "data wins over user", status: http.StatusOK, template: "login.html", data: pongo2.Context{"user": "from data"},
			wantInBody: []string{"Signed in as from data"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := render(pages, "/login", nil, tc.status, tc.template, tc.data)
			if rec.Code != tc.status {
				t.Errorf("Render(%d, %s): status = %d, want %d", tc.status, tc.template, rec.Code, tc.status)
			}
			if got, want := rec.Header().Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("Render(%d, %s): Content-Type = %q, want %q", tc.status, tc.template, got, want)
			}
			for _, want := range tc.wantInBody {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("Render(%d, %s): body lacks %q:\n%s", tc.status, tc.template, want, rec.Body)
				}
			}
		})
	}
	if logs.Len() != 0 {
		t.Errorf("Render logged %q, want nothing", logs)
	}
}

// TestRenderHead checks that Render answers HEAD with the header GET
// gets and no body.
func TestRenderHead(t *testing.T) {
	pages, _, _ := newTestPages(t, testTemplates(), false)
	responses := map[string]*httptest.ResponseRecorder{}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := httptest.NewRecorder()
		pages.Render(rec, withSessionCache(httptest.NewRequest(method, "/login", nil)), http.StatusOK, "login.html", nil)
		responses[method] = rec
	}
	get, head := responses[http.MethodGet], responses[http.MethodHead]
	if head.Code != http.StatusOK || head.Body.Len() != 0 {
		t.Errorf("HEAD /login: status %d, %d bytes of body; want %d and none", head.Code, head.Body.Len(), http.StatusOK)
	}
	for _, name := range []string{"Content-Type", "Content-Length"} {
		if got, want := head.Header().Get(name), get.Header().Get(name); got != want || got == "" {
			t.Errorf("HEAD /login: %s = %q, want %q as for GET", name, got, want)
		}
	}
	if got, want := get.Header().Get("Content-Length"), fmt.Sprint(get.Body.Len()); got != want {
		t.Errorf("GET /login: Content-Length = %q, want %q", got, want)
	}
}

func TestRenderEscapes(t *testing.T) {
	pages, _, _ := newTestPages(t, testTemplates(), false)
	tests := []struct {
		name      string
		value     string
		wantInner string // how the value appears escaped
	}{
		{name: "script", value: `<script>alert(1)</script>`, wantInner: "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{name: "attribute break-out", value: `"><img src=x onerror=alert(1)>`, wantInner: "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"},
		{name: "single quote", value: `' onmouseover='alert(1)`, wantInner: "&#39; onmouseover=&#39;alert(1)"},
		{name: "ampersand", value: `a&b`, wantInner: "a&amp;b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, field := range []string{"value", "user"} {
				data := pongo2.Context{"value": "/safe"}
				data[field] = tc.value
				rec := render(pages, "/", nil, http.StatusOK, "echo.html", data)
				body := rec.Body.String()
				for _, raw := range []string{"<script", "<img", `"><`, "' onmouseover"} {
					if strings.Contains(body, raw) {
						t.Errorf("%s %q: body contains %q:\n%s", field, tc.value, raw, body)
					}
				}
				if !strings.Contains(body, tc.wantInner) {
					t.Errorf("%s %q: body lacks %q:\n%s", field, tc.value, tc.wantInner, body)
				}
			}
		})
	}
}

func TestRenderURL(t *testing.T) {
	pages, _, _ := newTestPages(t, testTemplates(), false)
	tests := []struct {
		name   string
		mount  string
		target string
		want   []string
	}{
		{name: "root", target: "/login", want: []string{`action="/login"`, `href="/static/style.css"`, `href="/"`}},
		{name: "mounted", mount: "/app", target: "/app/login", want: []string{`action="/app/login"`, `href="/app/static/style.css"`, `href="/app/"`}},
		{name: "nested", mount: "/a/b", target: "/a/b/login", want: []string{`action="/a/b/login"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				pages.Render(w, withSessionCache(r), http.StatusOK, "login.html", nil)
			})
			if tc.mount == "/a/b" {
				handler = Mount("/a", Mount("/b", handler))
			} else if tc.mount != "" {
				handler = Mount(tc.mount, handler)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.target, nil))
			for _, want := range tc.want {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("GET %s: body lacks %q:\n%s", tc.target, want, rec.Body)
				}
			}
		})
	}
}

func TestRenderFlashesOnce(t *testing.T) {
	pages, sessions, _ := newTestPages(t, testTemplates(), false)
	session := start(t, sessions, "ann")
	session.Flashes = []string{"Welcome back.", "<b>Saved.</b>"}
	cookie, _ := saveCookie(t, sessions, "", "/", session)

	first := render(pages, "/home", []*http.Cookie{cookie}, http.StatusOK, "login.html", nil)
	for _, want := range []string{"Signed in as ann", `<p class="flash">Welcome back.</p>`, `<p class="flash">&lt;b&gt;Saved.&lt;/b&gt;</p>`} {
		if !strings.Contains(first.Body.String(), want) {
			t.Errorf("first render with flashes: body lacks %q:\n%s", want, first.Body)
		}
	}
	saved := first.Result().Cookies()
	if len(saved) != 1 || saved[0].Name != "session" || saved[0].MaxAge <= 0 {
		t.Fatalf("first render with flashes: cookies %v, want the session saved", saved)
	}
	if got, _ := load(sessions, saved[0].Name, saved[0].Value); got.User != "ann" || got.ID != session.ID || got.Flashes != nil {
		t.Errorf("session after the first render = %+v, want user ann, ID %q, no flashes", got, session.ID)
	}

	second := render(pages, "/home", saved, http.StatusOK, "login.html", nil)
	if strings.Contains(second.Body.String(), "flash") {
		t.Errorf("second render: body shows a flash:\n%s", second.Body)
	}
	if !strings.Contains(second.Body.String(), "Signed in as ann") {
		t.Errorf("second render: body lacks the user:\n%s", second.Body)
	}
	if header := second.Header().Get("Set-Cookie"); header != "" {
		t.Errorf("second render: Set-Cookie %q, want none", header)
	}
}

func TestRenderErrors(t *testing.T) {
	failingData := pongo2.Context{"fail": func() (string, error) { return "", errors.New("database is down") }}
	tests := []struct {
		name     string
		template string
		data     pongo2.Context
		wantLog  string
	}{
		{name: "execution error", template: "broken.html", wantLog: "rendering broken.html"},
		{name: "function error", template: "failing.html", data: failingData, wantLog: "database is down"},
		{name: "unknown template", template: "missing.html", wantLog: `no template \"missing.html\"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, sessions, logs := newTestPages(t, testTemplates(), false)
			// A flash must survive a failed render: the page showing it
			// was never sent.
			cookie, _ := saveCookie(t, sessions, "", "/", Session{Flashes: []string{"Saved."}})
			rec := render(pages, "/", []*http.Cookie{cookie}, http.StatusOK, tc.template, tc.data)
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("Render(%s): status = %d, want %d", tc.template, rec.Code, http.StatusInternalServerError)
			}
			if got, want := rec.Header().Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("Render(%s): Content-Type = %q, want %q", tc.template, got, want)
			}
			body := rec.Body.String()
			if !strings.Contains(body, serverErrorMarker) {
				t.Errorf("Render(%s): body is not the 500 page:\n%s", tc.template, body)
			}
			for _, leak := range []string{"before the failure", "database", "Saved.", "[Error"} {
				if strings.Contains(body, leak) {
					t.Errorf("Render(%s): body contains %q:\n%s", tc.template, leak, body)
				}
			}
			if header := rec.Header().Get("Set-Cookie"); header != "" {
				t.Errorf("Render(%s): Set-Cookie %q, want none", tc.template, header)
			}
			if lines := strings.Count(logs.String(), "\n"); lines != 1 {
				t.Errorf("Render(%s): %d log lines, want 1:\n%s", tc.template, lines, logs)
			}
			if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("Render(%s): log %q lacks an error with %q", tc.template, logs, tc.wantLog)
			}
		})
	}
}

// TestRenderBroken500 checks the last resort: when 500.html fails too,
// the answer is still a 500, in plain text.
func TestRenderBroken500(t *testing.T) {
	fsys := testTemplates()
	fsys["500.html"] = &fstest.MapFile{Data: []byte(`<p>{{ url(500) }}</p>`)}
	pages, _, logs := newTestPages(t, fsys, false)
	rec := render(pages, "/", nil, http.StatusOK, "broken.html", nil)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("Render(broken.html) with a broken 500.html: status = %d, want %d", rec.Code, http.StatusInternalServerError)
	}
	if got, want := rec.Body.String(), "500 internal server error\n"; got != want {
		t.Errorf("Render(broken.html) with a broken 500.html: body = %q, want %q", got, want)
	}
	if !strings.Contains(logs.String(), "template=500.html") {
		t.Errorf("Render(broken.html) with a broken 500.html: log %q does not name 500.html", logs)
	}
}

func TestNewPagesErrors(t *testing.T) {
	tests := []struct {
		name     string
		fsys     fstest.MapFS
		wantText []string
	}{
		{name: "syntax error",
			fsys:     fstest.MapFS{"bad.html": {Data: []byte("<p>\n{% if %}\n</p>\n")}},
			wantText: []string{"bad.html", "Line 2"}},
		{name: "unclosed block",
			fsys:     fstest.MapFS{"bad.html": {Data: []byte("<p>\n\n{% block content %}\n")}},
			wantText: []string{"bad.html", "Line 3", "endblock"}},
		{name: "unknown filter in a base",
			fsys: fstest.MapFS{
				"base.html": {Data: []byte("<p>\n{{ x|nosuchfilter }}\n")},
				"page.html": {Data: []byte(`{% extends "base.html" %}`)},
			},
			wantText: []string{"base.html", "Line 2", "nosuchfilter"}},
		{name: "missing base",
			fsys:     fstest.MapFS{"page.html": {Data: []byte(`{% extends "base.html" %}`)}},
			wantText: []string{"base.html"}},
		{name: "no templates",
			fsys:     fstest.MapFS{},
			wantText: []string{"no *.html templates"}},
		{name: "no HTML templates",
			fsys:     fstest.MapFS{"style.css": {Data: []byte("p {}")}, "sub/page.html": {Data: []byte("<p>")}},
			wantText: []string{"no *.html templates"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPages(tc.fsys, newTestSessions(t, keyPair('a')...), nil, slog.New(slog.DiscardHandler), false)
			if err == nil {
				t.Fatalf("NewPages(%s): no error, want one", tc.name)
			}
			if !strings.HasPrefix(err.Error(), "framework: ") {
				t.Errorf("NewPages(%s): error %q, want the prefix %q", tc.name, err, "framework: ")
			}
			for _, want := range tc.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("NewPages(%s): error %q lacks %q", tc.name, err, want)
				}
			}
		})
	}
}

func TestPagesReload(t *testing.T) {
	tests := []struct {
		name       string
		reload     bool
		edit       string
		wantStatus int
		wantBody   string
	}{
		{name: "reload shows the edit", reload: true, edit: "<p>version 2</p>", wantStatus: http.StatusOK, wantBody: "<p>version 2</p>"},
		{name: "production keeps the compiled page", reload: false, edit: "<p>version 2</p>", wantStatus: http.StatusOK, wantBody: "<p>version 1</p>"},
		// Reload compiles every template, 500.html too, so a syntax error
		// anywhere leaves only the plain-text 500.
		{name: "reload with a broken edit", reload: true, edit: "<p>{% if %}</p>", wantStatus: http.StatusInternalServerError, wantBody: "500 internal server error\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testTemplates()
			fsys["home.html"] = &fstest.MapFile{Data: []byte("<p>version 1</p>")}
			pages, _, logs := newTestPages(t, fsys, tc.reload)
			if rec := render(pages, "/", nil, http.StatusOK, "home.html", nil); rec.Body.String() != "<p>version 1</p>" {
				t.Fatalf("Render(home.html) before the edit: body = %q, want %q", rec.Body, "<p>version 1</p>")
			}
			fsys["home.html"] = &fstest.MapFile{Data: []byte(tc.edit)}
			rec := render(pages, "/", nil, http.StatusOK, "home.html", nil)
			if rec.Code != tc.wantStatus {
				t.Errorf("Render(home.html) after editing it to %q: status = %d, want %d", tc.edit, rec.Code, tc.wantStatus)
			}
			if !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("Render(home.html) after editing it to %q: body = %q, want %q in it", tc.edit, rec.Body, tc.wantBody)
			}
			wantLogged := tc.wantStatus != http.StatusOK
			if logged := strings.Contains(logs.String(), "home.html | Line 1"); logged != wantLogged {
				t.Errorf("Render(home.html) after editing it to %q: syntax error logged = %v, want %v; log:\n%s", tc.edit, logged, wantLogged, logs)
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	const goroutines = 100
	for _, reload := range []bool{false, true} {
		t.Run(fmt.Sprintf("reload=%v", reload), func(t *testing.T) {
			t.Parallel()
			pages, sessions, logs := newTestPages(t, testTemplates(), reload)
			flash := Session{Flashes: []string{"Saved."}}
			cookie, _ := saveCookie(t, sessions, "", "/", flash)
			var wg sync.WaitGroup
			for i := range goroutines {
				wg.Go(func() {
					username := fmt.Sprintf("user%d", i)
					var cookies []*http.Cookie
					if i%2 == 0 {
						cookies = []*http.Cookie{cookie}
					}
					rec := render(pages, "/login", cookies, http.StatusOK, "login.html", pongo2.Context{"username": username})
					body := rec.Body.String()
					if rec.Code != http.StatusOK || !strings.Contains(body, `value="`+username+`"`) {
						t.Errorf("goroutine %d: status %d, body lacks %q:\n%s", i, rec.Code, username, body)
					}
					if hasFlash := strings.Contains(body, "Saved."); hasFlash != (cookies != nil) {
						t.Errorf("goroutine %d: flash shown = %v, want %v", i, hasFlash, cookies != nil)
					}
				})
			}
			wg.Wait()
			if logs.Len() != 0 {
				t.Errorf("concurrent renders logged %q, want nothing", logs)
			}
		})
	}
}

func TestPagesNotFound(t *testing.T) {
	pages, _, logs := newTestPages(t, testTemplates(), false)
	handlers := map[string]http.Handler{
		"NotFound":     http.HandlerFunc(pages.NotFound),
		"WithNotFound": Routes{"/": text("home")}.WithNotFound(http.HandlerFunc(pages.NotFound)),
	}
	for name, handler := range handlers {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, withSessionCache(httptest.NewRequest(http.MethodGet, "/nowhere", nil)))
			if rec.Code != http.StatusNotFound {
				t.Errorf("GET /nowhere: status = %d, want %d", rec.Code, http.StatusNotFound)
			}
			if !strings.Contains(rec.Body.String(), notFoundMarker) {
				t.Errorf("GET /nowhere: body is not the 404 page:\n%s", rec.Body)
			}
		})
	}
	if logs.Len() != 0 {
		t.Errorf("NotFound logged %q, want nothing", logs)
	}
}

func TestPagesServerError(t *testing.T) {
	pages, _, logs := newTestPages(t, testTemplates(), false)
	rec := httptest.NewRecorder()
	// Headers of the response that failed, each false of the error page.
	dropped := map[string]string{
		"Set-Cookie": "session=half-done", "Location": "/home", "Retry-After": "60",
		"Cache-Control": "public, max-age=3600", "Content-Disposition": "attachment", "ETag": `"v1"`,
	}
	for name, value := range dropped {
		rec.Header().Set(name, value)
	}
	rec.Header().Set("X-Content-Type-Options", "nosniff") // a security header, which stays
	pages.ServerError(rec, httptest.NewRequest(http.MethodPost, "/login", nil), errors.New("saving session: disk full"))
	for name, value := range dropped {
		if got := rec.Header().Get(name); got == value {
			t.Errorf("ServerError: %s = %q kept from the failed response", name, got)
		}
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("ServerError: Cache-Control = %q, want no-store", got)
	}
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("ServerError: X-Content-Type-Options = %q, want it kept", got)
	}
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("ServerError: status = %d, want %d", rec.Code, http.StatusInternalServerError)
	}
	if body := rec.Body.String(); !strings.Contains(body, serverErrorMarker) || strings.Contains(body, "disk full") {
		t.Errorf("ServerError: body is not the bare 500 page:\n%s", body)
	}
	if header := rec.Header().Get("Set-Cookie"); header != "" {
		t.Errorf("ServerError: Set-Cookie %q, want none", header)
	}
	for _, want := range []string{"level=ERROR", "method=POST", "path=/login", "disk full"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("ServerError: log lacks %q:\n%s", want, logs)
		}
	}
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		golden string
		mount  string
		target string
		status int
		data   pongo2.Context
		flash  bool // log in as ann with a flash message first
	}{
		{golden: "login.golden", target: "/login", status: http.StatusUnprocessableEntity,
			data: pongo2.Context{"username": `ann <ann@example.com>`, "next": "/home?tab=1&x=2", "error": "Invalid username or password."}},
		{golden: "login_mounted.golden", mount: "/app", target: "/app/login", status: http.StatusOK,
			data: pongo2.Context{"next": "/home"}, flash: true},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			pages, sessions, _ := newTestPages(t, testTemplates(), false)
			var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				pages.Render(w, withSessionCache(r), tc.status, "login.html", tc.data)
			})
			if tc.mount != "" {
				handler = Mount(tc.mount, handler)
			}
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if tc.flash {
				session := start(t, sessions, "ann")
				session.Flashes = []string{"You have been logged out elsewhere."}
				cookie, _ := saveCookie(t, sessions, tc.mount, tc.target, session)
				r.AddCookie(cookie)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, r)
			if rec.Code != tc.status {
				t.Errorf("GET %s: status = %d, want %d", tc.target, rec.Code, tc.status)
			}
			checkGolden(t, filepath.Join("testdata", tc.golden), rec.Body.Bytes())
		})
	}
}

// checkGolden compares got with the file at path, byte for byte, or
// rewrites the file with got when the test runs with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./framework -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("rendered page differs from %s (run go test ./framework -update to accept it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestRenderAnonymousFlashClears checks that showing the flash of a visitor
// who is not logged in deletes the cookie, which then holds nothing.
func TestRenderAnonymousFlashClears(t *testing.T) {
	pages, _, _ := newTestPages(t, testTemplates(), false)
	cookie, _ := saveCookie(t, pages.sessions, "", "/", Session{Flashes: []string{"You have been logged out."}})
	rec := render(pages, "/login", []*http.Cookie{cookie}, http.StatusOK, "login.html", nil)
	if !strings.Contains(rec.Body.String(), "You have been logged out.") {
		t.Errorf("render with an anonymous flash: body lacks it:\n%s", rec.Body)
	}
	checkDeleted(t, "render with an anonymous flash", rec.Result().Cookies())
}

// TestRenderGenerationsDown checks that a page for a logged-in user whose
// session cannot be checked, because the generations store is down, is
// the 500 page, with the cause logged and no cookie touched.
func TestRenderGenerationsDown(t *testing.T) {
	pages, sessions, logs := newTestPages(t, testTemplates(), false)
	sessions.generations = failingGenerations{}
	cookie, _ := saveCookie(t, sessions, "", "/", Session{User: "ann", IssuedAt: testTime.Unix(), LastSeen: testTime.Unix()})
	rec := render(pages, "/home", []*http.Cookie{cookie}, http.StatusOK, "login.html", nil)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), serverErrorMarker) {
		t.Errorf("GET /home with the store down: %d, want %d and the 500 page:\n%s", rec.Code, http.StatusInternalServerError, rec.Body)
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Errorf("GET /home with the store down: cookies %v, want none", rec.Result().Cookies())
	}
	if !strings.Contains(logs.String(), "store down") {
		t.Errorf("GET /home with the store down: log lacks the cause:\n%s", logs)
	}
}

// TestPagesGlobals checks what every page gets from Globals: its values
// under the keys the handler's data lacks, but never url; and its header
// fields on the page and on the 500 page that replaces a failed one.
func TestPagesGlobals(t *testing.T) {
	fsys := fstest.MapFS{
		"page.html":   {Data: []byte(`{{ greeting }} {{ name }} {{ url("/x") }}`)},
		"broken.html": {Data: []byte(`{{ fail() }}`)},
		"500.html":    {Data: []byte(`500 {{ greeting }}`)},
	}
	globals := func(w http.ResponseWriter, r *http.Request) pongo2.Context {
		w.Header().Set("Content-Language", "zh-Hans")
		return pongo2.Context{
			"greeting": "你好",
			"name":     "from globals",
			"url":      "globals cannot replace url",
			"fail":     func() (string, error) { return "", errors.New("broken") },
		}
	}
	sessions := newTestSessions(t, keyPair('a')...)
	pages, err := NewPages(fsys, sessions, globals, slog.New(slog.DiscardHandler), false)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		template   string
		data       pongo2.Context
		wantStatus int
		wantBody   string
	}{
		{"globals fill the gaps", "page.html", nil, http.StatusOK, "你好 from globals /x"},
		{"the handler's data wins", "page.html", pongo2.Context{"name": "Ada"}, http.StatusOK, "你好 Ada /x"},
		{"the 500 page has them too", "broken.html", nil, http.StatusInternalServerError, "500 你好"},
	}
	defer func() {
		// A 500 page that fails too gets plain English text, without the
		// Content-Language the globals set.
		broken := fstest.MapFS{"page.html": fsys["broken.html"], "500.html": fsys["broken.html"]}
		pages, err := NewPages(broken, sessions, globals, slog.New(slog.DiscardHandler), false)
		if err != nil {
			t.Fatal(err)
		}
		rec := render(pages, "/", nil, http.StatusOK, "page.html", nil)
		if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Language") != "" {
			t.Errorf("a broken 500 page: %d, Content-Language %q; want %d and none",
				rec.Code, rec.Header().Get("Content-Language"), http.StatusInternalServerError)
		}
	}()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := render(pages, "/", nil, http.StatusOK, tc.template, tc.data)
			if rec.Code != tc.wantStatus || rec.Body.String() != tc.wantBody {
				t.Errorf("%s: %d %q, want %d %q", tc.template, rec.Code, rec.Body, tc.wantStatus, tc.wantBody)
			}
			if got := rec.Header().Get("Content-Language"); got != "zh-Hans" {
				t.Errorf("%s: Content-Language = %q, want zh-Hans", tc.template, got)
			}
		})
	}
}
