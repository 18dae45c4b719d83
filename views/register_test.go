package views

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.com/miniweb/throttle"
	"example.com/miniweb/users"
)

// signUp returns the form of a sign-up as name with password, confirmed.
func signUp(name, password string) url.Values {
	return url.Values{"username": {name}, "password": {password}, "confirm": {password}}
}

func TestRegister(t *testing.T) {
	const good = "correct horse battery staple"
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantField  string // the field whose message the page shows, if any
		wantText   string // in the page
	}{
		{name: "new account", form: signUp("Ann", good), wantStatus: http.StatusSeeOther},
		{name: "name taken, in capitals", form: signUp("ADMIN", good), wantStatus: http.StatusUnprocessableEntity,
			wantField: "username", wantText: "That username is taken."},
		{name: "name taken, in fullwidth letters", form: signUp("ａｄｍｉｎ", good), wantStatus: http.StatusUnprocessableEntity,
			wantField: "username", wantText: "That username is taken."},
		{name: "name too short", form: signUp("an", good), wantStatus: http.StatusUnprocessableEntity,
			wantField: "username", wantText: "A username has 3 to 32 characters."},
		{name: "name with a space", form: signUp("ann lee", good), wantStatus: http.StatusUnprocessableEntity,
			wantField: "username", wantText: "A username has letters, digits"},
		{name: "password too short", form: signUp("ann", "seven77"), wantStatus: http.StatusUnprocessableEntity,
			wantField: "password", wantText: "A password has at least 8 characters."},
		{name: "password too long", form: signUp("ann", strings.Repeat("a", users.MaxPasswordBytes+1)), wantStatus: http.StatusUnprocessableEntity,
			wantField: "password", wantText: "A password has at most 1024 bytes."},
		{name: "common password", form: signUp("ann", "baseball"), wantStatus: http.StatusUnprocessableEntity,
			wantField: "password", wantText: "That password is too common."},
		{name: "confirmation differs", form: url.Values{"username": {"ann"}, "password": {good}, "confirm": {good + "!"}},
			wantStatus: http.StatusUnprocessableEntity, wantField: "confirm", wantText: english(t, passwordsDiffer)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := newTestSite(t)
			register := Register(site.accounts, throttle.New(site.database, "test", time.Now), site.pages, site.sessions, site.catalogue, site.logger)
			rec := site.serve(register, http.MethodPost, "/register", tc.form)
			if rec.Code != tc.wantStatus {
				t.Fatalf("POST /register %s: status = %d, want %d\n%s", tc.name, rec.Code, tc.wantStatus, rec.Body)
			}
			body := rec.Body.String()
			if tc.wantStatus == http.StatusSeeOther {
				if location := rec.Header().Get("Location"); location != "/home" {
					t.Errorf("POST /register %s: Location = %q, want /home", tc.name, location)
				}
				if len(rec.Result().Cookies()) != 1 {
					t.Errorf("POST /register %s: cookies %v, want a new session", tc.name, rec.Result().Cookies())
				}
				if ok, err := site.accounts.Authenticate(t.Context(), tc.form.Get("username"), tc.form.Get("password")); !ok || err != nil {
					t.Errorf("POST /register %s: the new account does not log in: %v, %v", tc.name, ok, err)
				}
				return
			}
			for _, want := range []string{
				tc.wantText,
				fmt.Sprintf(`id="%s-error"`, tc.wantField),
				fmt.Sprintf(`aria-describedby="%s-error"`, tc.wantField),
				`aria-invalid="true"`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("POST /register %s: page lacks %q:\n%s", tc.name, want, body)
				}
			}
			if password := tc.form.Get("password"); len(password) > 3 && strings.Contains(body, password) {
				t.Errorf("POST /register %s: the page echoes the password", tc.name)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("POST /register %s: cookies %v, want none", tc.name, rec.Result().Cookies())
			}
		})
	}
}

// TestRegisterThrottled checks that sign-ups count against the client,
// successful or not, and that past FailuresPerClient the next one gets
// 429 with Retry-After, even for a name nobody has.
func TestRegisterThrottled(t *testing.T) {
	site := newTestSite(t)
	register := Register(site.accounts, throttle.New(site.database, "test", time.Now), site.pages, site.sessions, site.catalogue, site.logger)
	for i := range throttle.FailuresPerClient {
		form := signUp(fmt.Sprintf("user%d", i-i%2), "correct horse battery staple") // odd i: taken, counts too
		if rec := site.serve(register, http.MethodPost, "/register", form); rec.Code == http.StatusTooManyRequests {
			t.Fatalf("sign-up %d: 429 before the limit of %d", i+1, throttle.FailuresPerClient)
		}
	}
	rec := site.serve(register, http.MethodPost, "/register", signUp("newcomer", "correct horse battery staple"))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("sign-up %d: %d, Retry-After %q; want %d with a wait", throttle.FailuresPerClient+1,
			rec.Code, rec.Header().Get("Retry-After"), http.StatusTooManyRequests)
	}
	if body := rec.Body.String(); !strings.Contains(body, "Too many attempts.") || strings.Contains(body, "failed login") {
		t.Errorf("sign-up %d: the page does not say there were too many attempts, or speaks of failed logins", throttle.FailuresPerClient+1)
	}
}

// TestRegisterDatabaseDown checks that a database that has gone away gives
// the 500 page, with the cause in the log and none on the page.
func TestRegisterDatabaseDown(t *testing.T) {
	site := newTestSite(t)
	register := Register(site.accounts, throttle.New(site.database, "test", time.Now), site.pages, site.sessions, site.catalogue, site.logger)
	site.closeDatabase(t)
	rec := site.serve(register, http.MethodPost, "/register", signUp("ann", "correct horse battery staple"))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "sql") {
		t.Errorf("POST /register with the database down: %d, want %d and no SQL on the page:\n%s", rec.Code, http.StatusInternalServerError, rec.Body)
	}
	if !strings.Contains(site.log.String(), "database is closed") {
		t.Errorf("POST /register with the database down: log lacks the cause:\n%s", site.log)
	}
}
