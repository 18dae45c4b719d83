package views

import (
	"net/http"
	"net/url"
	"strings"

	"example.com/miniweb/framework"
)

// Home greets the logged-in user on GET and HEAD. A visitor without a
// session is redirected with 303 See Other to the login form, which sends
// them back here afterwards: /login?next=/home.
func Home(pages *framework.Pages, sessions *framework.Sessions) http.Handler {
	return framework.Methods{
		http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if sessions.Load(w, r).User == "" {
				// A slash needs no escaping in a query (RFC 3986 §3.4).
				next := strings.ReplaceAll(url.QueryEscape(r.URL.Path), "%2F", "/")
				framework.SeeOther(w, r, "/login?next="+next)
				return
			}
			pages.Render(w, r, http.StatusOK, "home.html", nil)
		}),
	}
}

// loggedOut is the flash message shown after logging out.
const loggedOut = "You have been logged out."

// Logout ends the session on POST: it revokes every session of the user,
// so that a copy of the cookie no longer works either
// ([framework.Sessions.Revoke]), replaces the session with one that holds
// only the flash message [loggedOut], and redirects with 303 See Other to
// /login. It answers no GET, because a link or a prefetch must not log
// anyone out; other methods get 405 with Allow.
func Logout(pages *framework.Pages, sessions *framework.Sessions) http.Handler {
	return framework.Methods{
		http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if user := sessions.Load(w, r).User; user != "" {
				sessions.Revoke(user)
			}
			if err := sessions.Save(w, r, framework.Session{Flashes: []string{loggedOut}}); err != nil {
				pages.ServerError(w, r, err)
				return
			}
			framework.SeeOther(w, r, "/login")
		}),
	}
}
