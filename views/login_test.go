package views

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"example.com/miniweb/db"
	"example.com/miniweb/framework"
	"example.com/miniweb/internal/testdb"
	"example.com/miniweb/locales"
	"example.com/miniweb/throttle"
	"example.com/miniweb/users"
)

// testSite is what the views share, as main.go builds it, over a fresh
// SQLite database that holds the demo account.
type testSite struct {
	database  *db.DB
	accounts  *users.Store
	sessions  *framework.Sessions
	pages     *framework.Pages
	catalogue *locales.Catalogue
	logger    *slog.Logger
	log       *bytes.Buffer // what logger writes
}

// english renders the catalogue's message id in English, as a request
// without Accept-Language gets it.
func english(t *testing.T, id string, pairs ...any) string {
	t.Helper()
	catalogue, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return catalogue.Lookup("en").Text(id, pairs...)
}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	database, err := db.Open(t.Context(), testdb.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close() })
	accounts := users.NewStore(database)
	if err := accounts.Create(t.Context(), "admin", "secure123"); err != nil {
		t.Fatal(err)
	}
	sessions, err := framework.NewSessions(accounts, 0,
		bytes.Repeat([]byte{1}, framework.HashKeyBytes), bytes.Repeat([]byte{2}, framework.BlockKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	catalogue, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := framework.NewPages(os.DirFS("../templates"), sessions, PageGlobals(catalogue), logger, false)
	if err != nil {
		t.Fatal(err)
	}
	return &testSite{database: database, accounts: accounts, sessions: sessions, pages: pages, catalogue: catalogue, logger: logger, log: &log}
}

// closeDatabase closes the site's database, as a database server that
// goes away does.
func (site *testSite) closeDatabase(t *testing.T) {
	t.Helper()
	if err := site.database.Close(); err != nil {
		t.Fatal(err)
	}
}

// serve sends a request for method and target to handler, under the
// session middleware, with form as an urlencoded body when it is not nil
// and cookies, and returns the response.
func (site *testSite) serve(handler http.Handler, method, target string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, cookie := range cookies {
		r.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	site.sessions.Middleware()(handler).ServeHTTP(rec, r)
	return rec
}

// testLogin returns the Login handler over the real templates and the
// demo account's real argon2id store, a counter of the password checks
// it asks for (each one hash), and its log.
func testLogin(t *testing.T) (http.Handler, *int, *bytes.Buffer) {
	t.Helper()
	return testLoginWith(t, nil)
}

// cheapAuthenticate stands in for argon2id in tests that make many
// attempts and are not about hashing: it knows only the demo account.
func cheapAuthenticate(ctx context.Context, username, password string) (bool, error) {
	return username == "admin" && password == "secure123", nil
}

// testLoginWith is testLogin with authenticate in place of the store's,
// unless it is nil.
func testLoginWith(t *testing.T, authenticate func(ctx context.Context, username, password string) (bool, error)) (http.Handler, *int, *bytes.Buffer) {
	t.Helper()
	site := newTestSite(t)
	if authenticate == nil {
		authenticate = site.accounts.Authenticate
	}
	checks := 0
	counted := func(ctx context.Context, username, password string) (bool, error) {
		checks++
		return authenticate(ctx, username, password)
	}
	login := Login(counted, throttle.New(site.database, "test", time.Now), site.pages, site.sessions, site.catalogue, site.logger)
	return site.sessions.Middleware()(login), &checks, site.log
}

func postLogin(handler http.Handler, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, r)
	return rec
}

// TestLoginFailuresLookAlike checks that every kind of failed login gets
// the same status and page, apart from the echoed user name, and costs a
// password hash exactly when the input is valid.
func TestLoginFailuresLookAlike(t *testing.T) {
	tests := []struct {
		name       string
		username   string
		password   string
		wantHashes int
	}{
		{name: "wrong password", username: "admin", password: "wrong", wantHashes: 1},
		{name: "unknown user", username: "nobody", password: "wrong", wantHashes: 1},
		{name: "empty fields", username: "", password: "", wantHashes: 0},
		{name: "empty password", username: "admin", password: "", wantHashes: 0},
		{name: "password over 1 KiB", username: "admin", password: strings.Repeat("a", users.MaxPasswordBytes+1), wantHashes: 0},
		{name: "user name over the limit", username: strings.Repeat("a", maxUsernameBytes+1), password: "wrong", wantHashes: 0},
	}
	// The page every failure must show: an empty form's, with the message.
	handler, _, _ := testLogin(t)
	wantBody := postLogin(handler, url.Values{"username": {""}, "password": {""}}).Body.String()
	if !strings.Contains(wantBody, english(t, loginFailed)) {
		t.Fatalf("POST /login with empty fields: page lacks %q:\n%s", english(t, loginFailed), wantBody)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			handler, hashes, _ := testLogin(t)
			rec := postLogin(handler, url.Values{"username": {tc.username}, "password": {tc.password}})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("POST /login %s: status = %d, want %d", tc.name, rec.Code, http.StatusUnprocessableEntity)
			}
			if *hashes != tc.wantHashes {
				t.Errorf("POST /login %s: %d password hashes, want %d", tc.name, *hashes, tc.wantHashes)
			}
			body := rec.Body.String()
			if tc.username != "" {
				body = strings.ReplaceAll(body, `value="`+tc.username+`"`, `value=""`)
			}
			if body != wantBody {
				t.Errorf("POST /login %s: the page differs from an empty form's:\n%s\nwant:\n%s", tc.name, body, wantBody)
			}
		})
	}
}

// TestLoginThrottled checks that after throttle.FailuresPerUserFromClient
// failures from one client even the right password gets 429 with
// Retry-After there, and costs no hash; and that from another client it
// logs in.
func TestLoginThrottled(t *testing.T) {
	handler, hashes, _ := testLogin(t)
	for range throttle.FailuresPerUserFromClient {
		postLogin(handler, url.Values{"username": {"admin"}, "password": {"wrong"}})
	}
	*hashes = 0
	rec := postLogin(handler, url.Values{"username": {"admin"}, "password": {"secure123"}})
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("POST /login with the right password after %d failures: status = %d, want %d",
			throttle.FailuresPerUserFromClient, rec.Code, http.StatusTooManyRequests)
	}
	if retryAfter := rec.Header().Get("Retry-After"); retryAfter == "" || retryAfter == "0" {
		t.Errorf("429: Retry-After = %q, want a number of seconds", retryAfter)
	}
	if *hashes != 0 {
		t.Errorf("429: %d password hashes, want none", *hashes)
	}
	if rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("429: Set-Cookie %q, want no session", rec.Header().Get("Set-Cookie"))
	}

	// The guesser locked itself out, not the account's owner.
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("username=admin&password=secure123"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = "198.51.100.7:40000"
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, r)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("POST /login with the right password from another client: status = %d, want %d", rec.Code, http.StatusSeeOther)
	}
}

// TestLoginLog checks that logins are logged with the user name, that a
// user name cannot forge a log line, and that no password reaches the log.
func TestLoginLog(t *testing.T) {
	handler, _, log := testLogin(t)
	const forged = "mallory\nlevel=INFO msg=login user=admin"
	postLogin(handler, url.Values{"username": {forged}, "password": {"hunter2-secret"}})
	rec := postLogin(handler, url.Values{"username": {"admin"}, "password": {"secure123"}})
	cookie := rec.Result().Cookies()[0].Value

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log has %d lines, want 2 (one failure, one success):\n%s", len(lines), log)
	}
	if !strings.Contains(lines[0], `msg="login failed"`) || !strings.Contains(lines[0], `user="mallory\nlevel=INFO`) {
		t.Errorf("log line for the failure = %s, want the user name escaped on one line", lines[0])
	}
	if !strings.Contains(lines[1], "msg=login user=admin") {
		t.Errorf("log line for the success = %s, want msg=login user=admin", lines[1])
	}
	for _, secret := range []string{"hunter2-secret", "secure123", cookie} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("log contains the secret %.20q", secret)
		}
	}
}

// TestLoginThrottledLog checks that a throttled attempt is logged, with
// neither the passwords tried before it nor its own.
func TestLoginThrottledLog(t *testing.T) {
	handler, _, log := testLogin(t)
	for range throttle.FailuresPerUserFromClient {
		postLogin(handler, url.Values{"username": {"admin"}, "password": {"hunter2-secret"}})
	}
	if rec := postLogin(handler, url.Values{"username": {"admin"}, "password": {"secure123"}}); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("POST /login after %d failures: status = %d, want %d", throttle.FailuresPerUserFromClient, rec.Code, http.StatusTooManyRequests)
	}
	if !strings.Contains(log.String(), `msg="login throttled" user=admin`) {
		t.Errorf("log has no line for the throttled attempt:\n%s", log)
	}
	for _, secret := range []string{"hunter2-secret", "secure123"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("log contains the password %q", secret)
		}
	}
}

// TestLoginThrottledPerClientAddress checks that the throttle counts a
// client by its IP address, not by its address and port, and an IPv6
// client by its /64: a client that opens a new connection, or takes a new
// address in its network, for every guess is still one client.
func TestLoginThrottledPerClientAddress(t *testing.T) {
	tests := []struct {
		name    string
		address func(i int) string // RemoteAddr of the ith guess
	}{
		{name: "IPv4, new port each time", address: func(i int) string { return fmt.Sprintf("192.0.2.1:%d", 40000+i) }},
		{name: "IPv6, new address in the /64 each time", address: func(i int) string { return fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			handler, _, _ := testLoginWith(t, cheapAuthenticate)
			post := func(i int) int {
				form := url.Values{"username": {fmt.Sprintf("user%d", i)}, "password": {"wrong"}}
				r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.RemoteAddr = tc.address(i)
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, r)
				return rec.Code
			}
			for i := range throttle.FailuresPerClient {
				if status := post(i); status != http.StatusUnprocessableEntity {
					t.Fatalf("guess %d from %s: status = %d, want %d", i+1, tc.address(i), status, http.StatusUnprocessableEntity)
				}
			}
			if status := post(throttle.FailuresPerClient); status != http.StatusTooManyRequests {
				t.Errorf("guess %d from %s: status = %d, want %d", throttle.FailuresPerClient+1, tc.address(throttle.FailuresPerClient), status, http.StatusTooManyRequests)
			}
		})
	}
}

// TestLoginInvalidInputThrottled checks that input refused before the
// password check, such as an overlong user name, counts against the
// client, FailuresPerClient at once and then 429, but against no user:
// the throttle never holds the overlong name, and admin's own budget is
// whole from another client.
func TestLoginInvalidInputThrottled(t *testing.T) {
	handler, hashes, _ := testLoginWith(t, cheapAuthenticate)
	long := strings.Repeat("a", maxUsernameBytes+1)
	post := func(form url.Values, client string) int {
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = client + ":40000"
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, r)
		return rec.Code
	}
	for i := range throttle.FailuresPerClient {
		if status := post(url.Values{"username": {long}, "password": {"x"}}, "192.0.2.1"); status != http.StatusUnprocessableEntity {
			t.Fatalf("overlong user name %d: status = %d, want %d", i+1, status, http.StatusUnprocessableEntity)
		}
	}
	if status := post(url.Values{"username": {long}, "password": {"x"}}, "192.0.2.1"); status != http.StatusTooManyRequests {
		t.Errorf("overlong user name %d: status = %d, want %d", throttle.FailuresPerClient+1, status, http.StatusTooManyRequests)
	}
	if *hashes != 0 {
		t.Errorf("invalid input: %d password checks, want none", *hashes)
	}
	// Another client has admin's whole budget.
	for i := range throttle.FailuresPerUserFromClient {
		if status := post(url.Values{"username": {"admin"}, "password": {"wrong"}}, "192.0.2.2"); status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password %d for admin: status = %d, want %d", i+1, status, http.StatusUnprocessableEntity)
		}
	}
	if status := post(url.Values{"username": {"admin"}, "password": {"wrong"}}, "192.0.2.2"); status != http.StatusTooManyRequests {
		t.Errorf("attempt %d for admin: status = %d, want %d", throttle.FailuresPerUserFromClient+1, status, http.StatusTooManyRequests)
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct {
		name string
		next string
		want string
	}{
		{name: "path", next: "/home", want: "/home"},
		{name: "path with query", next: "/home?tab=1", want: "/home?tab=1"},
		{name: "root", next: "/", want: "/"},
		{name: "empty", next: "", want: "/fallback"},
		{name: "relative", next: "home", want: "/fallback"},
		{name: "scheme-relative", next: "//evil.example", want: "/fallback"},
		{name: "backslash after slash", next: `/\evil.example`, want: "/fallback"},
		{name: "backslash later", next: `/a\b`, want: "/fallback"},
		{name: "absolute https", next: "https://evil.example/", want: "/fallback"},
		{name: "javascript", next: "javascript:alert(1)", want: "/fallback"},
		{name: "tab between slashes", next: "/\t/evil.example", want: "/fallback"},
		{name: "newline", next: "/home\nSet-Cookie: x=1", want: "/fallback"},
		{name: "delete character", next: "/home\x7f", want: "/fallback"},
		{name: "bad escape", next: "/%zz", want: "/fallback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := localPath(tc.next, "/fallback"); got != tc.want {
				t.Errorf("localPath(%q) = %q, want %q", tc.next, got, tc.want)
			}
		})
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, seed := range []string{"/home", "//evil", `/\evil`, "https://evil", "javascript:x", "/\t/x", "/a?b=//c"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next, "/fallback")
		if got == "/fallback" {
			return
		}
		// Anything accepted must be a path a browser keeps on this site.
		if got != next || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") ||
			strings.ContainsAny(got, "\\\t\r\n") {
			t.Errorf("localPath(%q) = %q, which could leave the site", next, got)
		}
	})
}

func TestThrottledMessage(t *testing.T) {
	catalogue, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		language string
		seconds  int
		want     string
	}{
		{"en", 1, "Too many attempts. Try again in a minute."},
		{"en", 60, "Too many attempts. Try again in a minute."},
		{"en", 61, "Too many attempts. Try again in 2 minutes."},
		{"en", 180, "Too many attempts. Try again in 3 minutes."},
		{"zh-Hans", 60, "尝试次数过多，请 1 分钟后再试。"},
		{"zh-Hans", 900, "尝试次数过多，请 15 分钟后再试。"},
	}
	for _, tc := range tests {
		if got := throttledMessage(catalogue.Lookup(tc.language), tc.seconds); got != tc.want {
			t.Errorf("throttledMessage(%s, %d) = %q, want %q", tc.language, tc.seconds, got, tc.want)
		}
	}
}

// TestRetryLater checks that Retry-After rounds the throttle's wait up to
// whole seconds: a client that waits as long as it says is let through.
func TestRetryLater(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want string
	}{
		{0, "1"},
		{time.Millisecond, "1"},
		{time.Second, "1"},
		{time.Second + time.Millisecond, "2"},
		{179*time.Second + 999*time.Millisecond, "180"},
		{180 * time.Second, "180"},
	}
	catalogue, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		retryLater(rec, catalogue.Lookup("en"), tc.wait)
		if got := rec.Header().Get("Retry-After"); got != tc.want {
			t.Errorf("retryLater(%v): Retry-After %q, want %q", tc.wait, got, tc.want)
		}
	}
}

// TestLoginLogBounded checks that a failed login with an overlong user
// name logs a bounded prefix of it and its length, not the whole name.
func TestLoginLogBounded(t *testing.T) {
	handler, _, log := testLoginWith(t, cheapAuthenticate)
	name := strings.Repeat("中", 22) + strings.Repeat("a", 64_934) // 65,000 bytes, and the body within MaxFormBytes
	postLogin(handler, url.Values{"username": {name}, "password": {"x"}})
	line := strings.TrimSpace(log.String())
	if len(line) > 400 || strings.Count(line, "\n") != 0 {
		t.Errorf("log of a 65,000-byte user name: %d bytes, want one short line:\n%.500s", len(line), line)
	}
	// 64 bytes would split the 22nd 中: the prefix keeps 21 whole ones.
	if !strings.Contains(line, "user.bytes=65000") || !strings.Contains(line, "user.prefix="+strings.Repeat("中", 21)+" ") {
		t.Errorf("log of a 65,000-byte user name = %s, want its first 64 bytes and its length", line)
	}
}

// TestLoginBusy checks that a login that finds every password check
// taken gets 503 with Retry-After, not the 500 page, and that it costs the
// user none of their tries: the throttle never counts it.
func TestLoginBusy(t *testing.T) {
	handler, _, _ := testLoginWith(t, func(ctx context.Context, username, password string) (bool, error) {
		return false, users.ErrBusy
	})
	for i := range 2 * throttle.FailuresPerClient {
		rec := postLogin(handler, url.Values{"username": {"admin"}, "password": {"secure123"}})
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != busyRetryAfter {
			t.Fatalf("POST /login %d with the checks all taken: %d, Retry-After %q; want %d, %s",
				i+1, rec.Code, rec.Header().Get("Retry-After"), http.StatusServiceUnavailable, busyRetryAfter)
		}
	}
}
