package views

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.com/miniweb/throttle"
	"example.com/miniweb/users"
)

// newPassword returns the form of a password change from current to
// password, confirmed.
func newPassword(current, password string) url.Values {
	return url.Values{"current": {current}, "password": {password}, "confirm": {password}}
}

func TestAccountChangesPassword(t *testing.T) {
	site := newTestSite(t)
	account := Account(site.accounts, throttle.New(site.database, "test", time.Now), site.pages, site.sessions, site.catalogue, site.logger)
	here, elsewhere := site.logInAs(t, "admin", "secure123"), site.logInAs(t, "admin", "secure123") // this browser, and another

	rec := site.serve(account, http.MethodPost, "/account", newPassword("secure123", "correct horse battery staple"), here)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account" {
		t.Fatalf("POST /account: %d to %q, want %d to /account\n%s", rec.Code, rec.Header().Get("Location"), http.StatusSeeOther, rec.Body)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("POST /account: cookies %v, want a new session", cookies)
	}
	// This browser stays logged in and sees the flash; the other is out.
	page := site.serve(account, http.MethodGet, "/account", nil, cookies[0])
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), english(t, passwordChanged)) {
		t.Errorf("GET /account after the change: %d, want %d with %q\n%s", page.Code, http.StatusOK, english(t, passwordChanged), page.Body)
	}
	for name, cookie := range map[string]*http.Cookie{"the other browser's": elsewhere, "this browser's old": here} {
		if rec := site.serve(account, http.MethodGet, "/account", nil, cookie); rec.Code != http.StatusSeeOther {
			t.Errorf("GET /account with %s cookie: %d, want %d to the login page", name, rec.Code, http.StatusSeeOther)
		}
	}
	for password, want := range map[string]bool{"secure123": false, "correct horse battery staple": true} {
		if ok, err := site.accounts.Authenticate(t.Context(), "admin", password); ok != want || err != nil {
			t.Errorf("Authenticate with %q after the change: %v, %v; want %v", password, ok, err, want)
		}
	}
}

func TestAccountRefuses(t *testing.T) {
	const good = "correct horse battery staple"
	tests := []struct {
		name      string
		form      url.Values
		wantField string
		wantText  string
	}{
		{name: "wrong current password", form: newPassword("wrong", good), wantField: "current", wantText: english(t, wrongPassword)},
		{name: "no current password", form: newPassword("", good), wantField: "current", wantText: english(t, wrongPassword)},
		{name: "current password over the limit", form: newPassword(strings.Repeat("a", users.MaxPasswordBytes+1), good),
			wantField: "current", wantText: english(t, wrongPassword)},
		{name: "common new password", form: newPassword("secure123", "password1"), wantField: "password", wantText: "too common"},
		{name: "confirmation differs", form: url.Values{"current": {"secure123"}, "password": {good}, "confirm": {"other"}},
			wantField: "confirm", wantText: english(t, passwordsDiffer)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := newTestSite(t)
			account := Account(site.accounts, throttle.New(site.database, "test", time.Now), site.pages, site.sessions, site.catalogue, site.logger)
			rec := site.serve(account, http.MethodPost, "/account", tc.form, site.logInAs(t, "admin", "secure123"))
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("POST /account %s: %d, want %d", tc.name, rec.Code, http.StatusUnprocessableEntity)
			}
			if body := rec.Body.String(); !strings.Contains(body, tc.wantText) || !strings.Contains(body, `id="`+tc.wantField+`-error"`) {
				t.Errorf("POST /account %s: page lacks %q next to %s:\n%s", tc.name, tc.wantText, tc.wantField, body)
			}
			if ok, _ := site.accounts.Authenticate(t.Context(), "admin", "secure123"); !ok {
				t.Errorf("POST /account %s: the password changed", tc.name)
			}
		})
	}
}

// TestAccountThrottled checks that wrong current passwords count as
// failed logins do: past FailuresPerUserFromClient, 429 even for the right one.
func TestAccountThrottled(t *testing.T) {
	site := newTestSite(t)
	account := Account(site.accounts, throttle.New(site.database, "test", time.Now), site.pages, site.sessions, site.catalogue, site.logger)
	cookie := site.logInAs(t, "admin", "secure123")
	for i := range throttle.FailuresPerUserFromClient {
		rec := site.serve(account, http.MethodPost, "/account", newPassword("wrong", "correct horse battery staple"), cookie)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("POST /account with wrong password %d: %d, want %d", i+1, rec.Code, http.StatusUnprocessableEntity)
		}
	}
	rec := site.serve(account, http.MethodPost, "/account", newPassword("secure123", "correct horse battery staple"), cookie)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("POST /account after %d wrong passwords: %d, want %d with Retry-After", throttle.FailuresPerUserFromClient, rec.Code, http.StatusTooManyRequests)
	}
}
