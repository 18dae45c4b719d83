package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/miniweb/db"
	"example.com/miniweb/framework"
	"example.com/miniweb/internal/testdb"
	"example.com/miniweb/users"
)

// testKeys are session keys for tests only, in the hex form the
// environment takes.
var testKeys = map[string]string{
	hashKeyVariable:  strings.Repeat("11", framework.HashKeyBytes),
	blockKeyVariable: strings.Repeat("22", framework.BlockKeyBytes),
}

// What the demo says, as a user reads it.
const (
	loginFailedMessage = "Invalid username or password."
	loggedOutMessage   = "You have been logged out."
)

// testGetenv returns a getenv that reads env, in which DATABASE_URL, unless
// env sets it, names a fresh SQLite file for tb: every test has a
// database of its own.
func testGetenv(tb testing.TB, env map[string]string) func(string) string {
	database := testdb.SQLiteURL(tb)
	return func(name string) string {
		if value, ok := env[name]; ok || name != databaseVariable {
			return value
		}
		return database
	}
}

// openTestDatabase opens config's database for tb, closed when tb ends.
func openTestDatabase(tb testing.TB, config config) *db.DB {
	tb.Helper()
	database, err := db.Open(context.Background(), config.database)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { database.Close() })
	return database
}

// newTestServer serves the demo as run does, with args as on the command
// line, and returns the server and the log it writes.
func newTestServer(t *testing.T, args ...string) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	handler, _, log := newTestApp(t, args...)
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	return server, log
}

// newTestApp builds the demo's handler as run does, with args as on the
// command line, for tests that serve it themselves, and returns it with
// its logger and the log that logger writes. Every response the handler
// sends must keep the rules of HTTP (framework/validate), or the test
// fails. Read the log only once the server has stopped.
func newTestApp(t *testing.T, args ...string) (http.Handler, *slog.Logger, *bytes.Buffer) {
	t.Helper()
	config, err := parseConfig(args, testGetenv(t, testKeys), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	config.report = func(r *http.Request, violation string) {
		t.Errorf("%s %s: %s", r.Method, r.URL, violation)
	}
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: &log}, nil))
	handler, _, err := newApp(t.Context(), config, openTestDatabase(t, config), logger, logger)
	if err != nil {
		t.Fatal(err)
	}
	return handler, logger, &log
}

// syncWriter serializes writes from concurrent requests to one buffer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so that tests see each 303.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// response is what a test reads of an HTTP response.
type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, client *http.Client, method, target string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return send(t, client, req)
}

func send(t *testing.T, client *http.Client, req *http.Request) response {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func credentials(username, password string) url.Values {
	return url.Values{"username": {username}, "password": {password}}
}

// TestLoginFlow walks the demo as a browser does, at the root and mounted
// under /app.
func TestLoginFlow(t *testing.T) {
	for _, mount := range []string{"", "/app"} {
		t.Run("mount="+mount, func(t *testing.T) {
			server, _ := newTestServer(t, mountArgs(mount)...)
			loginFlow(t, server.URL, mount)
		})
	}
}

// loginFlow walks the demo served at base+mount through its whole flow:
// the form, a wrong password, the right one, the home page, logout and
// the home page again. The tests in e2e/ walk the same flow through the
// demo's binary, as a CGI script and behind nginx.
func loginFlow(t *testing.T, base, mount string) {
	t.Helper()
	client := browser(t)
	base += mount

	res := do(t, client, http.MethodGet, base+"/login", nil)
	wantStatus(t, "GET /login", res, http.StatusOK)
	for _, want := range []string{
		`action="` + mount + `/login"`,
		`href="` + mount + `/static/style.css"`,
		`name="username"`, `name="password"`, `type="submit"`,
	} {
		wantBody(t, "GET /login", res, want)
	}

	res = do(t, client, http.MethodPost, base+"/login", credentials("admin", "wrong-password"))
	wantStatus(t, "POST /login with a wrong password", res, http.StatusUnprocessableEntity)
	wantBody(t, "POST /login with a wrong password", res, loginFailedMessage)
	wantBody(t, "POST /login with a wrong password", res, `value="admin"`)
	if strings.Contains(res.body, "wrong-password") {
		t.Errorf("POST /login with a wrong password: the page echoes the password")
	}

	res = do(t, client, http.MethodPost, base+"/login", credentials("admin", "secure123"))
	wantStatus(t, "POST /login with the right password", res, http.StatusSeeOther)
	wantLocation(t, "POST /login", res, mount+"/home")
	cookie := sessionCookie(t, res)
	wantPath := mount
	if wantPath == "" {
		wantPath = "/"
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != wantPath || cookie.Secure {
		t.Errorf("session cookie = %s, want HttpOnly, SameSite=Lax, Path=%s and not Secure over plain HTTP", cookie, wantPath)
	}
	if cookie.MaxAge <= 0 || cookie.MaxAge > int(framework.DefaultSessionLifetime.Seconds()) {
		t.Errorf("session cookie Max-Age = %d, want within the lifetime %v", cookie.MaxAge, framework.DefaultSessionLifetime)
	}

	res = do(t, client, http.MethodGet, base+"/home", nil)
	wantStatus(t, "GET /home logged in", res, http.StatusOK)
	wantBody(t, "GET /home logged in", res, "Welcome back, admin!")
	wantBody(t, "GET /home logged in", res, "This is your secret research base.")
	wantBody(t, "GET /home logged in", res, `action="`+mount+`/logout"`)

	res = do(t, client, http.MethodPost, base+"/logout", url.Values{})
	wantStatus(t, "POST /logout", res, http.StatusSeeOther)
	wantLocation(t, "POST /logout", res, mount+"/login")

	res = do(t, client, http.MethodGet, base+"/login", nil)
	wantBody(t, "GET /login after logout", res, loggedOutMessage)
	res = do(t, client, http.MethodGet, base+"/login", nil)
	if strings.Contains(res.body, loggedOutMessage) {
		t.Errorf("GET /login a second time after logout: the flash message shows again")
	}

	res = do(t, client, http.MethodGet, base+"/home", nil)
	wantStatus(t, "GET /home after logout", res, http.StatusSeeOther)
	wantLocation(t, "GET /home after logout", res, mount+"/login?next=/home")
}

func mountArgs(mount string) []string {
	if mount == "" {
		return nil
	}
	return []string{"-mount", mount}
}

// TestHeadMatchesGet checks, over a real connection, that HEAD gets the
// status and header fields GET gets on every route, and on a path with
// none (RFC 9110 §9.3.2), logged in or not.
func TestHeadMatchesGet(t *testing.T) {
	config, err := parseConfig([]string{"-dev"}, testGetenv(t, testKeys), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	app, err := newRoutes(t.Context(), config, openTestDatabase(t, config), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	paths := append(slices.Sorted(maps.Keys(app.routes)), "/no-such-page")
	// /environ shows the request, whose method and Accept-Encoding differ:
	// its length may too.
	echoes := map[string]bool{"/environ": true}
	server, _ := newTestServer(t, "-dev")
	client := browser(t)
	for _, user := range []string{"", "admin"} {
		if user != "" {
			do(t, client, http.MethodPost, server.URL+"/login", credentials(user, "secure123"))
			do(t, client, http.MethodGet, server.URL+"/home", nil) // shows the login's flash, once
		}
		for _, path := range paths {
			get := do(t, client, http.MethodGet, server.URL+path, nil)
			head := do(t, client, http.MethodHead, server.URL+path, nil)
			if head.body != "" {
				t.Errorf("HEAD %s as %q: body %q, want none", path, user, head.body)
			}
			for _, response := range []response{get, head} {
				response.header.Del("Date")
				if echoes[path] {
					response.header.Set("Content-Length", "(the request's)")
				}
			}
			if head.status != get.status || !reflect.DeepEqual(head.header, get.header) {
				t.Errorf("HEAD %s as %q: %d %v, want GET's %d %v", path, user, head.status, head.header, get.status, get.header)
			}
		}
	}
}

// TestNextParameter checks that a login follows next only to a local path.
func TestNextParameter(t *testing.T) {
	server, _ := newTestServer(t)
	tests := []struct {
		name, next, wantLocation string
	}{
		{name: "local path", next: "/home?tab=2", wantLocation: "/home?tab=2"},
		{name: "missing", next: "", wantLocation: "/home"},
		{name: "scheme-relative", next: "//evil.example/", wantLocation: "/home"},
		{name: "backslash", next: `/\evil.example`, wantLocation: "/home"},
		{name: "absolute", next: "https://evil.example/", wantLocation: "/home"},
		{name: "javascript", next: "javascript:alert(1)", wantLocation: "/home"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := credentials("admin", "secure123")
			form.Set("next", tc.next)
			res := do(t, browser(t), http.MethodPost, server.URL+"/login", form)
			wantStatus(t, "POST /login next="+tc.next, res, http.StatusSeeOther)
			wantLocation(t, "POST /login next="+tc.next, res, tc.wantLocation)
		})
	}

	// The form carries next from the query string, escaped.
	res := do(t, browser(t), http.MethodGet, server.URL+"/login?next=/home%22%3E", nil)
	wantBody(t, "GET /login?next=…", res, `name="next" value="/home&quot;&gt;"`)
	res = do(t, browser(t), http.MethodGet, server.URL+"/login?next=//evil.example", nil)
	wantBody(t, "GET /login?next=//evil.example", res, `name="next" value="/home"`)
}

// TestRequests checks single requests: routing, methods, form errors,
// CSRF and cookies, each with its status and what the response must hold.
func TestRequests(t *testing.T) {
	server, _ := newTestServer(t)
	forged := &http.Cookie{Name: "session", Value: "MTc5NTMxMjc0NXxmb3JnZWR8AAAA"}
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		header      map[string]string
		cookie      *http.Cookie
		wantStatus  int
		wantHeader  map[string]string
		wantBody    string
	}{
		{name: "start page is the form", method: http.MethodGet, path: "/", wantStatus: http.StatusOK, wantBody: `name="password"`,
			wantHeader: map[string]string{"Cache-Control": "no-store"}},
		{name: "unknown path", method: http.MethodGet, path: "/nowhere", wantStatus: http.StatusNotFound, wantBody: "404 Not Found"},
		{name: "trailing slash is another path", method: http.MethodGet, path: "/login/", wantStatus: http.StatusNotFound},
		{name: "HEAD where GET is", method: http.MethodHead, path: "/login", wantStatus: http.StatusOK},
		{name: "DELETE on the form", method: http.MethodDelete, path: "/login", wantStatus: http.StatusMethodNotAllowed,
			wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"}},
		{name: "GET on logout", method: http.MethodGet, path: "/logout", wantStatus: http.StatusMethodNotAllowed,
			wantHeader: map[string]string{"Allow": "OPTIONS, POST"}},
		{name: "TRACE on home", method: http.MethodTrace, path: "/home", wantStatus: http.StatusMethodNotAllowed,
			wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS"}},
		{name: "OPTIONS", method: http.MethodOptions, path: "/login", wantStatus: http.StatusNoContent,
			wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"}},
		{name: "home without a session", method: http.MethodGet, path: "/home", wantStatus: http.StatusSeeOther,
			wantHeader: map[string]string{"Location": "/login?next=/home"}},
		{name: "home with a forged cookie", method: http.MethodGet, path: "/home", cookie: forged, wantStatus: http.StatusSeeOther,
			wantHeader: map[string]string{"Set-Cookie": "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"}},
		{name: "stylesheet", method: http.MethodGet, path: "/static/style.css", wantStatus: http.StatusOK,
			wantHeader: map[string]string{"Content-Type": "text/css; charset=utf-8", "Cache-Control": framework.StaticCacheControl}},
		{name: "static directory", method: http.MethodGet, path: "/static/", wantStatus: http.StatusNotFound},
		{name: "static traversal", method: http.MethodGet, path: "/static/%2e%2e/go.mod", wantStatus: http.StatusNotFound},
		{name: "form body at the limit plus one", method: http.MethodPost, path: "/login",
			contentType: "application/x-www-form-urlencoded",
			body:        "username=admin&password=" + strings.Repeat("a", framework.MaxFormBytes+1-len("username=admin&password=")),
			wantStatus:  http.StatusRequestEntityTooLarge},
		{name: "malformed escape", method: http.MethodPost, path: "/login", contentType: "application/x-www-form-urlencoded",
			body: "username=%zz&password=x", wantStatus: http.StatusBadRequest},
		{name: "semicolon separator", method: http.MethodPost, path: "/login", contentType: "application/x-www-form-urlencoded",
			body: "username=admin;password=secure123", wantStatus: http.StatusBadRequest},
		{name: "JSON body", method: http.MethodPost, path: "/login", contentType: "application/json",
			body: `{"username":"admin","password":"secure123"}`, wantStatus: http.StatusUnsupportedMediaType},
		{name: "credentials in the query string", method: http.MethodPost, path: "/login?username=admin&password=secure123",
			contentType: "application/x-www-form-urlencoded", body: "", wantStatus: http.StatusUnprocessableEntity},
		{name: "repeated user name: first wins", method: http.MethodPost, path: "/login",
			contentType: "application/x-www-form-urlencoded",
			body:        "username=admin&username=other&password=secure123", wantStatus: http.StatusSeeOther},
		{name: "cross-site POST", method: http.MethodPost, path: "/login", contentType: "application/x-www-form-urlencoded",
			body: "username=admin&password=secure123", header: map[string]string{"Sec-Fetch-Site": "cross-site"},
			wantStatus: http.StatusForbidden},
		{name: "foreign Origin", method: http.MethodPost, path: "/logout", contentType: "application/x-www-form-urlencoded",
			header: map[string]string{"Origin": "https://evil.example"}, wantStatus: http.StatusForbidden},
		{name: "same-origin POST", method: http.MethodPost, path: "/login", contentType: "application/x-www-form-urlencoded",
			body: "username=admin&password=secure123", header: map[string]string{"Sec-Fetch-Site": "same-origin"},
			wantStatus: http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, server.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			for name, value := range tc.header {
				req.Header.Set(name, value)
			}
			if tc.cookie != nil {
				req.AddCookie(tc.cookie)
			}
			res := send(t, browser(t), req)
			what := tc.method + " " + tc.path
			wantStatus(t, what, res, tc.wantStatus)
			for name, want := range tc.wantHeader {
				if got := res.header.Get(name); got != want {
					t.Errorf("%s: %s = %q, want %q", what, name, got, want)
				}
			}
			wantBody(t, what, res, tc.wantBody)
			if tc.method == http.MethodHead && res.body != "" {
				t.Errorf("%s: body = %q, want none", what, res.body)
			}
			// Every response carries the security headers, errors and
			// static files included.
			for name, want := range map[string]string{
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": framework.ContentSecurityPolicy,
				"Referrer-Policy":         framework.ReferrerPolicy,
			} {
				if got := res.header.Get(name); got != want {
					t.Errorf("%s: %s = %q, want %q", what, name, got, want)
				}
			}
		})
	}
}

// TestEscaping sends markup in the user name, which the login page echoes.
func TestEscaping(t *testing.T) {
	server, _ := newTestServer(t)
	for _, username := range []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
	} {
		res := do(t, browser(t), http.MethodPost, server.URL+"/login", credentials(username, "x"))
		wantStatus(t, "POST /login username="+username, res, http.StatusUnprocessableEntity)
		if strings.Contains(res.body, "<script>alert") || strings.Contains(res.body, "<img") {
			t.Errorf("POST /login username=%s: the page holds the markup unescaped", username)
		}
	}
}

// TestParallelRenders renders pages from 100 goroutines at once; run with
// -race, it finds shared state that templates or sessions write.
func TestParallelRenders(t *testing.T) {
	server, _ := newTestServer(t)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			path := []string{"/login", "/nowhere", "/"}[i%3]
			res, err := http.Get(server.URL + path)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if !strings.Contains(string(b), "</html>") {
				t.Errorf("GET %s: incomplete page: %q", path, b)
			}
		})
	}
	wg.Wait()
}

// TestAccessLog checks that the served app logs each request as one
// structured record.
func TestAccessLog(t *testing.T) {
	server, log := newTestServer(t)
	do(t, browser(t), http.MethodGet, server.URL+"/nowhere?x=1", nil)
	want := `level=INFO msg=request client=127.0.0.1 method=GET path=/nowhere query="x=1" status=404 bytes=`
	if !strings.Contains(log.String(), want) {
		t.Errorf("log = %q, want a record for GET /nowhere?x=1 with status 404: %s…", log, want)
	}
}

func TestParseConfig(t *testing.T) {
	hexHash, hexBlock := testKeys[hashKeyVariable], testKeys[blockKeyVariable]
	hashKey, _ := hex.DecodeString(hexHash)
	blockKey, _ := hex.DecodeString(hexBlock)
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantAddr  string
		wantUser  string
		wantKeys  int // number of keys; 2 a pair
		wantError string
		// wantDatabase is the database URL, when the test sets one; the
		// others get testGetenv's temporary file.
		wantDatabase string
		wantProxies  string // the proxies -trust-proxy trusts, printed
	}{
		{name: "defaults", wantAddr: "127.0.0.1:8080", wantUser: "admin", wantKeys: 2},
		{name: "PORT", env: map[string]string{"PORT": "9000"}, wantAddr: ":9000", wantUser: "admin", wantKeys: 2},
		{name: "-addr wins over PORT", args: []string{"-addr", "127.0.0.1:1"}, env: map[string]string{"PORT": "9000"},
			wantAddr: "127.0.0.1:1", wantUser: "admin", wantKeys: 2},
		{name: "-user with password", args: []string{"-user", "ada"}, env: map[string]string{passwordVariable: "pw"},
			wantAddr: "127.0.0.1:8080", wantUser: "ada", wantKeys: 2},
		{name: "-user without password", args: []string{"-user", "ada"}, wantError: passwordVariable},
		{name: "-user a name sign-up refuses", args: []string{"-user", "a b"}, env: map[string]string{passwordVariable: "pw"}, wantError: "user name"},
		{name: "-user too short", args: []string{"-user", "x"}, env: map[string]string{passwordVariable: "pw"}, wantError: "user name"},
		{name: "hex keys", env: map[string]string{hashKeyVariable: hexHash, blockKeyVariable: hexBlock},
			wantAddr: "127.0.0.1:8080", wantUser: "admin", wantKeys: 2},
		{name: "base64 keys", env: map[string]string{
			hashKeyVariable: base64.StdEncoding.EncodeToString(hashKey), blockKeyVariable: base64.RawURLEncoding.EncodeToString(blockKey)},
			wantAddr: "127.0.0.1:8080", wantUser: "admin", wantKeys: 2},
		{name: "rotation", env: map[string]string{hashKeyVariable: hexHash, blockKeyVariable: hexBlock,
			oldHashKeyVariable: hexHash, oldBlockKeyVariable: hexBlock},
			wantAddr: "127.0.0.1:8080", wantUser: "admin", wantKeys: 4},
		{name: "hash key only", env: map[string]string{hashKeyVariable: hexHash}, wantError: blockKeyVariable},
		{name: "old pair only", env: map[string]string{oldHashKeyVariable: hexHash, oldBlockKeyVariable: hexBlock}, wantError: hashKeyVariable},
		{name: "not a key", env: map[string]string{hashKeyVariable: "not a key!", blockKeyVariable: hexBlock}, wantError: "not hex or base64"},
		{name: "mount without slash", args: []string{"-mount", "app"}, wantError: "-mount"},
		{name: "mount with trailing slash", args: []string{"-mount", "/app/"}, wantError: "-mount"},
		{name: "stray argument", args: []string{"serve"}, wantError: "unexpected"},
		{name: "-db", args: []string{"-db", "postgres://db.example/miniweb"},
			wantAddr: "127.0.0.1:8080", wantUser: "admin", wantKeys: 2, wantDatabase: "postgres://db.example/miniweb"},
		{name: "DATABASE_URL", env: map[string]string{databaseVariable: "/var/lib/miniweb/site.db"},
			wantAddr: "127.0.0.1:8080", wantUser: "admin", wantKeys: 2, wantDatabase: "/var/lib/miniweb/site.db"},
		{name: "-trust-proxy not an address", args: []string{"-trust-proxy", "proxy.example"}, wantError: "-trust-proxy"},
		{name: "-trust-proxy with FastCGI", args: []string{"-trust-proxy", "127.0.0.1", "-fcgi", "127.0.0.1:9000"},
			env: map[string]string{hashKeyVariable: hexHash, blockKeyVariable: hexBlock}, wantError: "drop -trust-proxy"},
		{name: "-trust-proxy under CGI", args: []string{"-trust-proxy", "127.0.0.1"},
			env: map[string]string{"GATEWAY_INTERFACE": "CGI/1.1", hashKeyVariable: hexHash, blockKeyVariable: hexBlock}, wantError: "drop -trust-proxy"},
		{name: "-trust-proxy list", args: []string{"-trust-proxy", "127.0.0.1, 10.0.0.0/8,::1"},
			wantAddr: "127.0.0.1:8080", wantUser: "admin", wantKeys: 2, wantProxies: "[127.0.0.1/32 10.0.0.0/8 ::1/128]"},
		{name: "-db wins over DATABASE_URL", args: []string{"-db", "a.db"}, env: map[string]string{databaseVariable: "b.db"},
			wantAddr: "127.0.0.1:8080", wantUser: "admin", wantKeys: 2, wantDatabase: "a.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			config, err := parseConfig(tc.args, testGetenv(t, tc.env), io.Discard)
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("parseConfig(%q): error = %v, want one that mentions %q", tc.args, err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig(%q): %v", tc.args, err)
			}
			if config.addr != tc.wantAddr {
				t.Errorf("parseConfig(%q): addr = %q, want %q", tc.args, config.addr, tc.wantAddr)
			}
			if config.firstUser != tc.wantUser || config.firstPassword == "" {
				t.Errorf("parseConfig(%q): first account %q with password %q, want %q with one", tc.args, config.firstUser, config.firstPassword, tc.wantUser)
			}
			if got := fmt.Sprint(config.trustProxy); tc.wantProxies != "" && got != tc.wantProxies {
				t.Errorf("parseConfig(%q): proxies %s, want %s", tc.args, got, tc.wantProxies)
			}
			if tc.wantDatabase != "" && config.database != tc.wantDatabase {
				t.Errorf("parseConfig(%q): database = %q, want %q", tc.args, config.database, tc.wantDatabase)
			}
			if len(config.sessionKeys) != tc.wantKeys {
				t.Errorf("parseConfig(%q): %d session keys, want %d", tc.args, len(config.sessionKeys), tc.wantKeys)
			}
			if _, set := tc.env[hashKeyVariable]; set && (!bytes.Equal(config.sessionKeys[0], hashKey) || !bytes.Equal(config.sessionKeys[1], blockKey)) {
				t.Errorf("parseConfig(%q): session keys = %x, want %x and %x", tc.args, config.sessionKeys[:2], hashKey, blockKey)
			}
			if _, set := tc.env[hashKeyVariable]; config.generatedKeys == set {
				t.Errorf("parseConfig(%q): generatedKeys = %v with %s set = %v", tc.args, config.generatedKeys, hashKeyVariable, set)
			}
		})
	}
}

// TestParseConfigGatewayKeys checks that the demo will not run as a CGI
// script, or with -fcgi, with random session keys, which would log
// everyone out on each request or restart.
func TestParseConfigGatewayKeys(t *testing.T) {
	_, err := parseConfig(nil, testGetenv(t, map[string]string{"GATEWAY_INTERFACE": "CGI/1.1"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), hashKeyVariable) {
		t.Errorf("parseConfig as CGI without keys: error = %v, want one that names %s", err, hashKeyVariable)
	}
	_, err = parseConfig([]string{"-fcgi", "127.0.0.1:0"}, testGetenv(t, nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), hashKeyVariable) {
		t.Errorf("parseConfig -fcgi without keys: error = %v, want one that names %s", err, hashKeyVariable)
	}
}

// TestNewAppRejectsBadKeys checks that keys of the wrong length stop the
// program at start-up rather than at the first login.
func TestNewAppRejectsBadKeys(t *testing.T) {
	config, err := parseConfig(nil, testGetenv(t, map[string]string{
		hashKeyVariable:  hex.EncodeToString(make([]byte, 32)),
		blockKeyVariable: testKeys[blockKeyVariable],
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := newApp(t.Context(), config, openTestDatabase(t, config), slog.New(slog.DiscardHandler), slog.New(slog.DiscardHandler)); err == nil {
		t.Errorf("newApp with a 32-byte hash key: no error, want one")
	}
}

// TestStartupAccounts checks what the start-up line says of the accounts:
// the one a start made in an empty database, and nothing of a password
// when the database had accounts already.
func TestStartupAccounts(t *testing.T) {
	tests := []struct {
		args    []string
		env     map[string]string
		created bool
		want    string
	}{
		{created: true, want: "demo account admin / secure123"},
		{args: []string{"-user", "ada"}, env: map[string]string{passwordVariable: "a long password"}, created: true,
			want: "first account ada, password from $" + passwordVariable},
		{created: false, want: "accounts from the database"},
	}
	for _, tc := range tests {
		config, err := parseConfig(tc.args, testGetenv(t, tc.env), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := config.startupAccounts(tc.created); got != tc.want {
			t.Errorf("%v, created %v: %q, want %q", tc.args, tc.created, got, tc.want)
		}
	}
}

// TestRun starts the server as main does, makes a request and stops it
// by cancelling the context, as SIGINT does; the access log, which the
// server buffers, holds the request once run has returned.
func TestRun(t *testing.T) {
	stderr := &syncWriter{w: new(bytes.Buffer)}
	line, cancel, done := startRun(t, []string{"-addr", "127.0.0.1:0"}, testGetenv(t, testKeys), stderr)
	address := servingAddress(t, line)
	if !strings.Contains(line, "admin / secure123") {
		t.Errorf("start-up line %q does not name the demo account it created", line)
	}
	res := do(t, browser(t), http.MethodGet, "http://"+address+"/login", nil)
	wantStatus(t, "GET /login", res, http.StatusOK)
	// The server run starts is newServer's, with its limits. On a
	// kept-alive connection net/http reads up to 4 KiB of the next request
	// before it sets the limit, so the padding is over MaxHeaderBytes by
	// twice net/http's 4 KiB of slack.
	req, err := http.NewRequest(http.MethodGet, "http://"+address+"/login", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Padding", strings.Repeat("a", MaxHeaderBytes+8<<10))
	res = send(t, browser(t), req)
	wantStatus(t, "GET /login with a header section over MaxHeaderBytes", res, http.StatusRequestHeaderFieldsTooLarge)

	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel: %v, want nil", err)
	}
	if _, err := http.Get("http://" + address + "/login"); err == nil {
		t.Errorf("GET after shutdown: no error, want connection refused")
	}
	if log := stderr.w.(*bytes.Buffer).String(); !strings.Contains(log, "msg=request") || !strings.Contains(log, "path=/login status=200") {
		t.Errorf("the log after run returned lacks the access log's record of GET /login:\n%s", log)
	}
}

// TestFastCGISocketMode checks that run -fcgi makes its unix socket with
// FastCGISocketMode, so that the web server's workers can connect.
func TestFastCGISocketMode(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "miniweb.sock")
	_, cancel, done := startRun(t, []string{"-fcgi", socket}, testGetenv(t, testKeys), io.Discard)
	info, err := os.Stat(socket)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != FastCGISocketMode {
		t.Errorf("the FastCGI socket's mode = %v, want %v", got, os.FileMode(FastCGISocketMode))
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run -fcgi after cancel: %v", err)
	}
}

// startRun starts run with args and getenv, as main does, with its log
// going to stderr, and waits for its start-up line. It returns the line,
// cancel, which stops run as SIGINT does, and done, which then delivers
// run's error. The test fails if run returns before serving; run is
// stopped when the test ends.
func startRun(t *testing.T, args []string, getenv func(string) string, stderr io.Writer) (line string, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stdout := &lineWriter{lines: make(chan string, 1)}
	result := make(chan error, 1)
	go func() { result <- run(ctx, args, getenv, stdout, stderr) }()
	select {
	case line = <-stdout.lines:
	case err := <-result:
		t.Fatalf("run %q returned before serving: %v", args, err)
	}
	return line, cancel, result
}

// servingAddress returns the host:port of the URL that a start-up line
// names: "miniweb: serving http://127.0.0.1:8080/ (…)".
func servingAddress(t *testing.T, line string) string {
	t.Helper()
	_, rest, ok := strings.Cut(line, "http://")
	if !ok {
		t.Fatalf("start-up line %q has no URL", line)
	}
	address, _, _ := strings.Cut(rest, "/")
	return address
}

// lineWriter sends each write to lines.
type lineWriter struct{ lines chan string }

func (w *lineWriter) Write(b []byte) (int, error) {
	w.lines <- string(b)
	return len(b), nil
}

func TestNewServerLimits(t *testing.T) {
	server := newServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if server.ReadHeaderTimeout == 0 || server.ReadTimeout == 0 || server.WriteTimeout == 0 ||
		server.IdleTimeout == 0 || server.MaxHeaderBytes != MaxHeaderBytes {
		t.Errorf("newServer: %+v, want every timeout set and MaxHeaderBytes = %d", server, MaxHeaderBytes)
	}
	// A header section over MaxHeaderBytes gets 431.
	test := httptest.NewUnstartedServer(http.NotFoundHandler())
	test.Config = newServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	test.Start()
	defer test.Close()
	req, _ := http.NewRequest(http.MethodGet, test.URL, nil)
	req.Header.Set("X-Padding", strings.Repeat("a", MaxHeaderBytes+4096))
	res := send(t, http.DefaultClient, req)
	wantStatus(t, "GET with a large header", res, http.StatusRequestHeaderFieldsTooLarge)
}

func wantStatus(t *testing.T, what string, res response, want int) {
	t.Helper()
	if res.status != want {
		t.Errorf("%s: status = %d, want %d; body:\n%s", what, res.status, want, res.body)
	}
}

func wantBody(t *testing.T, what string, res response, want string) {
	t.Helper()
	if !strings.Contains(res.body, want) {
		t.Errorf("%s: body does not contain %q; body:\n%s", what, want, res.body)
	}
}

func wantLocation(t *testing.T, what string, res response, want string) {
	t.Helper()
	if got := res.header.Get("Location"); got != want {
		t.Errorf("%s: Location = %q, want %q", what, got, want)
	}
}

func sessionCookie(t *testing.T, res response) *http.Cookie {
	t.Helper()
	for _, line := range res.header.Values("Set-Cookie") {
		cookie, err := http.ParseSetCookie(line)
		if err == nil && cookie.Name == "session" {
			return cookie
		}
	}
	t.Fatalf("no session cookie in %q", res.header.Values("Set-Cookie"))
	return nil
}

// TestEnvironPage checks /environ, wsgiref's demo_app: served in -dev
// mode only, with secrets redacted.
func TestEnvironPage(t *testing.T) {
	dev, _ := newTestServer(t, "-dev")
	req, err := http.NewRequest(http.MethodGet, dev.URL+"/environ?x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "session", Value: "secret-cookie-value"})
	req.SetBasicAuth("admin", "secure123")
	req.Header.Set("X-Api-Key", "secret-api-key")
	req.Header.Set("X-Auth-Token", "secret-auth-token")
	req.Header.Set("X-Request-Id", "not-a-secret")
	res := send(t, http.DefaultClient, req)
	wantStatus(t, "GET /environ in -dev", res, http.StatusOK)
	if got := res.header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("GET /environ: Content-Type = %q, want text/plain", got)
	}
	for _, want := range []string{
		"Hello world!\n",
		"\nPATH_INFO=/environ\n",
		"\nQUERY_STRING=x=1\n",
		"\nREQUEST_METHOD=GET\n",
		"\nHTTP_COOKIE=" + "[redacted]" + "\n",
		"\nHTTP_AUTHORIZATION=" + "[redacted]" + "\n",
		"\nHTTP_X_API_KEY=" + "[redacted]" + "\n",
		"\nHTTP_X_AUTH_TOKEN=" + "[redacted]" + "\n",
		"\nHTTP_X_REQUEST_ID=not-a-secret\n",
		"\nwsgi.url_scheme=http\n",
	} {
		wantBody(t, "GET /environ", res, want)
	}
	if strings.Contains(res.body, "secret-") || strings.Contains(res.body, "Basic ") {
		t.Errorf("GET /environ: the page shows a secret:\n%s", res.body)
	}

	production, _ := newTestServer(t)
	res = do(t, http.DefaultClient, http.MethodGet, production.URL+"/environ", nil)
	wantStatus(t, "GET /environ without -dev", res, http.StatusNotFound)
}

// TestTrustProxy checks that the session cookie is Secure, with the
// __Host- prefix, and the language cookie Secure, when a trusted proxy
// says the client used HTTPS, and that the header counts for nothing
// without -trust-proxy.
func TestTrustProxy(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantName   string
		wantSecure bool
	}{
		{name: "trusted", args: []string{"-trust-proxy", "127.0.0.1"}, wantName: "__Host-session", wantSecure: true},
		{name: "another proxy trusted", args: []string{"-trust-proxy", "10.0.0.0/8"}, wantName: "session", wantSecure: false},
		{name: "not trusted", wantName: "session", wantSecure: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server, _ := newTestServer(t, tc.args...)
			for _, post := range []struct {
				path     string
				form     url.Values
				wantName string
			}{
				{"/login", credentials("admin", "secure123"), tc.wantName},
				{"/language", url.Values{"lang": {"zh-Hans"}, "next": {"/"}}, "lang"},
			} {
				req, err := http.NewRequest(http.MethodPost, server.URL+post.path, strings.NewReader(post.form.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-Proto", "https")
				res := send(t, browser(t), req)
				wantStatus(t, "POST "+post.path, res, http.StatusSeeOther)
				cookie, err := http.ParseSetCookie(res.header.Get("Set-Cookie"))
				if err != nil {
					t.Fatal(err)
				}
				if cookie.Name != post.wantName || cookie.Secure != tc.wantSecure {
					t.Errorf("%v: POST %s: cookie %s Secure=%v, want %s Secure=%v",
						tc.args, post.path, cookie.Name, cookie.Secure, post.wantName, tc.wantSecure)
				}
			}
		})
	}
}

// TestLogoutRevokesCopies checks that a copy of the session cookie taken
// before logout no longer works after it.
func TestLogoutRevokesCopies(t *testing.T) {
	server, _ := newTestServer(t)
	client := browser(t)
	res := do(t, client, http.MethodPost, server.URL+"/login", credentials("admin", "secure123"))
	stolen := sessionCookie(t, res)

	do(t, client, http.MethodPost, server.URL+"/logout", url.Values{})

	req, err := http.NewRequest(http.MethodGet, server.URL+"/home", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: stolen.Name, Value: stolen.Value})
	res = send(t, browser(t), req)
	wantStatus(t, "GET /home with a cookie copied before logout", res, http.StatusSeeOther)
	wantLocation(t, "GET /home with a cookie copied before logout", res, "/login?next=/home")
}

// TestHostileInput sends what attackers send, each to the server as raw
// bytes, so that no client library cleans it first.
func TestHostileInput(t *testing.T) {
	server, _ := newTestServer(t)
	address := strings.TrimPrefix(server.URL, "http://")
	manyParameters := strings.Repeat("a=1&", 10_000) + "username=admin&password=secure123"
	markupInNext := "username=a&password=b&next=" + url.QueryEscape(`/"><script>alert(1)</script>`)
	tests := []struct {
		name       string
		request    string
		wantStatus int
		wantAbsent string // must not appear in the response
	}{
		{name: "dot dot", request: "GET /static/../go.mod HTTP/1.1\r\nHost: x\r\n\r\n", wantStatus: http.StatusNotFound, wantAbsent: "module example.com"},
		{name: "escaped dot dot", request: "GET /static/%2e%2e/go.mod HTTP/1.1\r\nHost: x\r\n\r\n", wantStatus: http.StatusNotFound, wantAbsent: "module example.com"},
		{name: "escaped slash", request: "GET /static/..%2fgo.mod HTTP/1.1\r\nHost: x\r\n\r\n", wantStatus: http.StatusNotFound, wantAbsent: "module example.com"},
		{name: "git config", request: "GET /.git/config HTTP/1.1\r\nHost: x\r\n\r\n", wantStatus: http.StatusNotFound, wantAbsent: "[core]"},
		{name: "dotenv", request: "GET /.env HTTP/1.1\r\nHost: x\r\n\r\n", wantStatus: http.StatusNotFound},
		{name: "static directory listing", request: "GET /static/ HTTP/1.1\r\nHost: x\r\n\r\n", wantStatus: http.StatusNotFound, wantAbsent: `<a href="style.css">`},
		{name: "TRACE", request: "TRACE /login HTTP/1.1\r\nHost: x\r\n\r\n", wantStatus: http.StatusMethodNotAllowed},
		{name: "PROPFIND", request: "PROPFIND /home HTTP/1.1\r\nHost: x\r\n\r\n", wantStatus: http.StatusMethodNotAllowed},
		{name: "10,001 parameters", wantStatus: http.StatusBadRequest, request: "POST /login HTTP/1.1\r\nHost: x\r\n" +
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + strconv.Itoa(len(manyParameters)) + "\r\n\r\n" + manyParameters},
		{name: "markup in next", wantStatus: http.StatusUnprocessableEntity, wantAbsent: "<script>", request: "POST /login HTTP/1.1\r\nHost: x\r\n" +
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + strconv.Itoa(len(markupInNext)) + "\r\n\r\n" + markupInNext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", address)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.request); err != nil {
				t.Fatal(err)
			}
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("%s: reading the response: %v", tc.name, err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.wantStatus {
				t.Errorf("%s: status = %d, want %d; body:\n%s", tc.name, res.StatusCode, tc.wantStatus, body)
			}
			if tc.wantAbsent != "" && strings.Contains(string(body), tc.wantAbsent) {
				t.Errorf("%s: the response holds %q:\n%s", tc.name, tc.wantAbsent, body)
			}
		})
	}
}

// TestDeployCheck runs -check on a production configuration, which passes,
// and on the demo's defaults, which fail on exactly the keys and the demo
// account.
func TestDeployCheck(t *testing.T) {
	// Keys as a random source makes them, and a password that is neither
	// short nor common.
	hashKey, blockKey := sha512.Sum512([]byte("miniweb test hash key")), sha512.Sum512([]byte("miniweb test block key"))
	production := map[string]string{
		passwordVariable: "a long production password",
		hashKeyVariable:  hex.EncodeToString(hashKey[:framework.HashKeyBytes]),
		blockKeyVariable: hex.EncodeToString(blockKey[:framework.BlockKeyBytes]),
	}
	weakKeys := map[string]string{passwordVariable: "a long production password"}
	maps.Copy(weakKeys, testKeys) // "1111…" and "2222…"
	shortPassword := maps.Clone(production)
	shortPassword[passwordVariable] = "x"
	commonPassword := maps.Clone(production)
	commonPassword[passwordVariable] = "password1"
	cgiProduction := map[string]string{"GATEWAY_INTERFACE": "CGI/1.1"}
	maps.Copy(cgiProduction, production)
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		seed     [2]string // an account the database has already, name and password, if any
		wantPass bool
		wantFail []string // parts of the FAIL lines, one each
	}{
		{name: "production", args: []string{"-check", "-user", "ops"}, env: production, wantPass: true},
		{name: "production, mounted", args: []string{"-check", "-user", "ops", "-mount", "/app"}, env: production, wantPass: true},
		{name: "demo defaults", args: []string{"-check"}, wantFail: []string{"session keys", "demo account"}},
		{name: "random keys", args: []string{"-check", "-user", "ops"}, env: map[string]string{passwordVariable: "a long production password"},
			wantFail: []string{"session keys"}},
		{name: "demo account", args: []string{"-check"}, env: testKeys, wantFail: []string{"look random", "demo account"}},
		{name: "keys typed by hand", args: []string{"-check", "-user", "ops"}, env: weakKeys, wantFail: []string{"look random"}},
		{name: "one-character password", args: []string{"-check", "-user", "ops"}, env: shortPassword, wantFail: []string{"password"}},
		{name: "common password", args: []string{"-check", "-user", "ops"}, env: commonPassword, wantFail: []string{"password"}},
		{name: "development mode", args: []string{"-check", "-dev", "-user", "ops"}, env: production, wantFail: []string{"development mode"}},
		{name: "CGI", args: []string{"-check", "-user", "ops"}, env: cgiProduction, wantPass: true}, // the state is in the database
		{name: "the demo account already in the database", args: []string{"-check", "-user", "ops"}, env: production,
			seed: [2]string{"admin", "secure123"}, wantFail: []string{"demo account"}},
		{name: "an admin with a password of its own", args: []string{"-check"}, env: production,
			seed: [2]string{"admin", "a changed long password"}, wantPass: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := testGetenv(t, tc.env)
			if tc.seed[0] != "" {
				database, err := db.Open(t.Context(), getenv(databaseVariable))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := users.NewStore(database).CreateFirst(t.Context(), tc.seed[0], tc.seed[1]); err != nil {
					t.Fatal(err)
				}
				database.Close()
			}
			var stdout strings.Builder
			err := run(context.Background(), tc.args, getenv, &stdout, io.Discard)
			if (err == nil) != tc.wantPass {
				t.Errorf("run %q: error %v, want passed = %v; output:\n%s", tc.args, err, tc.wantPass, stdout.String())
			}
			var failures []string
			for line := range strings.Lines(stdout.String()) {
				if strings.HasPrefix(line, "FAIL") {
					failures = append(failures, line)
				}
			}
			if len(failures) != len(tc.wantFail) {
				t.Fatalf("run %q: %d checks failed, want %d:\n%s", tc.args, len(failures), len(tc.wantFail), stdout.String())
			}
			for i, want := range tc.wantFail {
				if !strings.Contains(failures[i], want) {
					t.Errorf("run %q: failure %d = %q, want it about %q", tc.args, i+1, failures[i], want)
				}
			}
		})
	}
}

// TestWeakKeys checks the deploy check's test of a session key at its
// bound: minDistinctKeyBytes different bytes pass, one fewer fails.
func TestWeakKeys(t *testing.T) {
	for distinct, want := range map[int]bool{minDistinctKeyBytes - 1: true, minDistinctKeyBytes: false} {
		key := make([]byte, framework.HashKeyBytes)
		for i := range key {
			key[i] = byte(i % distinct)
		}
		if got := weakKeys([][]byte{key}); got != want {
			t.Errorf("a key of %d different bytes: weak = %v, want %v", distinct, got, want)
		}
	}
}

// TestServerErrorPage checks the 500 page that panic recovery renders:
// its links stay inside the mount, it speaks the request's language, it
// has the security headers, which are set outside Recover, and it shows
// nothing of the panic.
func TestServerErrorPage(t *testing.T) {
	tests := []struct {
		mount, acceptLanguage  string
		wantBody, wantLanguage string
	}{
		{mount: "/app", wantBody: `href="/app/static/style.css"`, wantLanguage: "en"},
		{acceptLanguage: "zh-CN", wantBody: "500 服务器内部错误", wantLanguage: "zh-Hans"},
	}
	for _, tc := range tests {
		config, err := parseConfig(mountArgs(tc.mount), testGetenv(t, testKeys), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		app, err := newRoutes(t.Context(), config, openTestDatabase(t, config), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		app.routes["/boom"] = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("the secret detail") })
		r := httptest.NewRequest(http.MethodGet, tc.mount+"/boom", nil)
		if tc.acceptLanguage != "" {
			r.Header.Set("Accept-Language", tc.acceptLanguage)
		}
		recorder := httptest.NewRecorder()
		withMiddleware(config, slog.New(slog.DiscardHandler), app).ServeHTTP(recorder, r)
		res := response{status: recorder.Code, header: recorder.Header(), body: recorder.Body.String()}
		what := "GET " + tc.mount + "/boom with Accept-Language " + tc.acceptLanguage
		wantStatus(t, what, res, http.StatusInternalServerError)
		wantBody(t, what, res, tc.wantBody)
		for name, want := range map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"Content-Security-Policy": framework.ContentSecurityPolicy,
			"Referrer-Policy":         framework.ReferrerPolicy,
			"Content-Language":        tc.wantLanguage,
		} {
			if got := res.header.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", what, name, got, want)
			}
		}
		if strings.Contains(res.body, "secret detail") {
			t.Errorf("%s: the 500 page shows the panic:\n%s", what, res.body)
		}
	}
}

// TestHelp checks that -h prints the flags to the given writer and is no
// error.
func TestHelp(t *testing.T) {
	var stderr strings.Builder
	if err := run(context.Background(), []string{"-h"}, testGetenv(t, nil), io.Discard, &stderr); err != nil {
		t.Errorf("run -h: %v, want nil", err)
	}
	for _, flag := range []string{"-addr", "-check", "-dev", "-fcgi", "-mount", "-trust-proxy", "-user"} {
		if !strings.Contains(stderr.String(), flag) {
			t.Errorf("run -h: usage lacks %s:\n%s", flag, stderr.String())
		}
	}
}

// TestDatabaseOutage runs the demo on a PostgreSQL server that goes down
// and comes back: while it is down, every page that needs it is the 500
// page, with the cause in the log and none of it on the page, and pages
// that need no database still work; once it is back, the demo serves
// again with no restart.
func TestDatabaseOutage(t *testing.T) {
	postgres := testdb.StartPostgres(t)
	server, log := newTestServer(t, "-db", postgres.URL)
	client := browser(t)
	login := func() response {
		return do(t, client, http.MethodPost, server.URL+"/login", credentials("admin", "secure123"))
	}
	wantStatus(t, "POST /login before the outage", login(), http.StatusSeeOther)

	postgres.Stop(t)
	for _, tc := range []struct {
		what       string
		res        response
		wantStatus int
	}{
		{what: "POST /login", res: login(), wantStatus: http.StatusInternalServerError},
		{what: "GET /home with a session", res: do(t, client, http.MethodGet, server.URL+"/home", nil), wantStatus: http.StatusInternalServerError},
		{what: "GET /static/style.css", res: do(t, client, http.MethodGet, server.URL+"/static/style.css", nil), wantStatus: http.StatusOK},
	} {
		wantStatus(t, tc.what+" with the database down", tc.res, tc.wantStatus)
		for _, leak := range []string{"postgres", "sql", "dial", "connect", "127.0.0.1"} {
			if tc.wantStatus == http.StatusInternalServerError && strings.Contains(strings.ToLower(tc.res.body), leak) {
				t.Errorf("%s with the database down: the page shows %q:\n%s", tc.what, leak, tc.res.body)
			}
		}
	}

	postgres.Start(t)
	wantStatus(t, "POST /login after the outage", login(), http.StatusSeeOther)
	wantStatus(t, "GET /home after the outage", do(t, client, http.MethodGet, server.URL+"/home", nil), http.StatusOK)
	server.Close()
	if !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), "connect") {
		t.Errorf("log after the outage lacks the database error:\n%s", tail(log.String(), 2000))
	}
}

// TestDevWarning checks that -dev on an address other machines can reach
// logs a warning at start-up, and on loopback none.
func TestDevWarning(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{addr: "127.0.0.1:0", want: false},
		{addr: "0.0.0.0:0", want: true},
	} {
		var log bytes.Buffer
		_, cancel, done := startRun(t, []string{"-dev", "-addr", tc.addr}, testGetenv(t, testKeys), &syncWriter{w: &log})
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run -dev -addr %s after cancel: %v", tc.addr, err)
		}
		if got := strings.Contains(log.String(), "development mode on an address others can reach"); got != tc.want {
			t.Errorf("run -dev -addr %s: warned = %v, want %v; log:\n%s", tc.addr, got, tc.want, log.String())
		}
	}
}

// TestRequestSmuggling sends the demo, over a raw connection, a request
// with both Content-Length and Transfer-Encoding: chunked and a GET
// hidden after the chunked body's end: one answer, 400, then the
// connection closes (RFC 9112 §6.1), so the hidden GET never runs.
func TestRequestSmuggling(t *testing.T) {
	server, _ := newTestServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(server.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 46\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+
		"GET /home HTTP/1.1\r\nHost: x\r\n\r\n")
	responses, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(responses), "HTTP/1.1 "); n != 1 || !strings.HasPrefix(string(responses), "HTTP/1.1 400 ") {
		t.Errorf("a smuggling attempt got %d answers, want one, 400:\n%s", n, responses)
	}
}
