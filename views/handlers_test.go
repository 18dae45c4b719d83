package views

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/miniweb/framework"
)

// testLogin returns the Login handler over the real templates, a counter
// of password hashes it computes, and its log.
func testLogin(t *testing.T) (http.Handler, *int, *bytes.Buffer) {
	t.Helper()
	return testLoginWith(t, nil)
}

// cheapCompare stands in for argon2id in tests that make many attempts and
// are not about hashing: it knows only the demo password.
func cheapCompare(password, hash string) (bool, error) { return password == "secure123", nil }

// testLoginWith is testLogin with compare in place of argon2id's check,
// unless compare is nil.
func testLoginWith(t *testing.T, compare func(password, hash string) (bool, error)) (http.Handler, *int, *bytes.Buffer) {
	t.Helper()
	sessions, err := framework.NewSessions(0,
		bytes.Repeat([]byte{1}, framework.HashKeyBytes), bytes.Repeat([]byte{2}, framework.BlockKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	pages, err := framework.NewPages(os.DirFS("../templates"), sessions, logger, false)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := demoUsers()
	if err != nil {
		t.Fatal(err)
	}
	if compare == nil {
		compare = shared.compare
	}
	users := *shared
	hashes := 0
	users.compare = func(password, hash string) (bool, error) {
		hashes++
		return compare(password, hash)
	}
	return Login(&users, NewThrottle(time.Now), pages, sessions, logger), &hashes, &log
}

// demoUsers hashes the demo account once for all tests: argon2id is slow
// on purpose, and slower still under the race detector.
var demoUsers = sync.OnceValues(func() (*Users, error) {
	return NewUsers(map[string]string{"admin": "secure123"})
})

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
		{name: "password over 1 KiB", username: "admin", password: strings.Repeat("a", MaxPasswordBytes+1), wantHashes: 0},
		{name: "user name over the limit", username: strings.Repeat("a", MaxUsernameBytes+1), password: "wrong", wantHashes: 0},
	}
	var firstBody string
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
			if firstBody == "" {
				firstBody = body
			} else if body != firstBody {
				t.Errorf("POST /login %s: the page differs from the first failure's:\n%s\nwant:\n%s", tc.name, body, firstBody)
			}
		})
	}
}

// TestLoginThrottled checks that after FailuresPerUser failures even the
// right password gets 429 with Retry-After, and costs no hash.
func TestLoginThrottled(t *testing.T) {
	handler, hashes, _ := testLogin(t)
	for range FailuresPerUser {
		postLogin(handler, url.Values{"username": {"admin"}, "password": {"wrong"}})
	}
	*hashes = 0
	rec := postLogin(handler, url.Values{"username": {"admin"}, "password": {"secure123"}})
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("POST /login with the right password after %d failures: status = %d, want %d",
			FailuresPerUser, rec.Code, http.StatusTooManyRequests)
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
	for range FailuresPerUser {
		postLogin(handler, url.Values{"username": {"admin"}, "password": {"hunter2-secret"}})
	}
	if rec := postLogin(handler, url.Values{"username": {"admin"}, "password": {"secure123"}}); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("POST /login after %d failures: status = %d, want %d", FailuresPerUser, rec.Code, http.StatusTooManyRequests)
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
			handler, _, _ := testLoginWith(t, cheapCompare)
			post := func(i int) int {
				form := url.Values{"username": {fmt.Sprintf("user%d", i)}, "password": {"wrong"}}
				r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.RemoteAddr = tc.address(i)
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, r)
				return rec.Code
			}
			for i := range FailuresPerClient {
				if status := post(i); status != http.StatusUnprocessableEntity {
					t.Fatalf("guess %d from %s: status = %d, want %d", i+1, tc.address(i), status, http.StatusUnprocessableEntity)
				}
			}
			if status := post(FailuresPerClient); status != http.StatusTooManyRequests {
				t.Errorf("guess %d from %s: status = %d, want %d", FailuresPerClient+1, tc.address(FailuresPerClient), status, http.StatusTooManyRequests)
			}
		})
	}
}

// TestLoginInvalidInputNotThrottled checks that input refused before the
// password check, such as an overlong user name, never reaches the
// throttle: it cannot fill it with large keys.
func TestLoginInvalidInputNotThrottled(t *testing.T) {
	handler, _, _ := testLoginWith(t, cheapCompare)
	long := strings.Repeat("a", MaxUsernameBytes+1)
	for range FailuresPerUser + 1 {
		if rec := postLogin(handler, url.Values{"username": {long}, "password": {"x"}}); rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("POST /login with an overlong user name: status = %d, want %d", rec.Code, http.StatusUnprocessableEntity)
		}
	}
	// The same client still has all its attempts.
	for range FailuresPerUser {
		postLogin(handler, url.Values{"username": {"admin"}, "password": {"wrong"}})
	}
	if rec := postLogin(handler, url.Values{"username": {"admin"}, "password": {"wrong"}}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("attempt %d for admin: status = %d, want %d", FailuresPerUser+1, rec.Code, http.StatusTooManyRequests)
	}
}
