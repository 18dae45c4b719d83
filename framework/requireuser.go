package framework

import (
	"net/http"
	"net/url"
	"strings"
)

// RequireUser returns middleware that lets a request through to the next
// handler only with a logged-in session, as Flask's login_required does.
// A visitor is redirected with 303 See Other to loginPath, a path of this
// application such as "/login", with the page asked for in the query
// parameter next (its PATH_INFO and query, so that it stays inside the
// mount): /login?next=/account. A session that cannot be checked, such as
// when the generations store is down, gets the 500 page from pages.
func RequireUser(sessions *Sessions, pages *Pages, loginPath string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			session, err := sessions.Load(w, r)
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			if session.User == "" {
				SeeOther(w, r, loginPath+"?next="+nextParameter(r.URL))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// nextParameter returns u's path and query, escaped as the value of a
// query parameter. Slashes stay as they are: they need no escaping in a
// query (RFC 3986 §3.4), and /login?next=/home reads better.
func nextParameter(u *url.URL) string {
	return strings.ReplaceAll(url.QueryEscape(u.RequestURI()), "%2F", "/")
}
