package views

import (
	"net/http"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
	"example.com/miniweb/notes"
)

// homeNotes is how many of the newest notes the home page shows: 3.
const homeNotes = 3

// Home greets the logged-in user on GET and HEAD and shows the user's
// newest notes. A visitor without a session is sent to the login form
// ([framework.RequireUser]), which sends them back here afterwards.
func Home(store *notes.Store, pages *framework.Pages, sessions *framework.Sessions) http.Handler {
	loggedIn := framework.RequireUser(sessions, pages, "/login")
	return framework.Methods{
		http.MethodGet: loggedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			session, err := sessions.Load(w, r)
			var newest []notes.Note
			if err == nil {
				newest, err = store.Newest(r.Context(), session.User, homeNotes)
			}
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			pages.Render(w, r, http.StatusOK, "home.html", pongo2.Context{"notes": newest})
		})),
	}.WithMethodNotAllowed(http.HandlerFunc(pages.MethodNotAllowed))
}

// loggedOut is the catalogue's ID of the flash message shown after
// logging out.
const loggedOut = "LoggedOut"

// Logout ends the session on POST: it revokes every session of the user,
// so that a copy of the cookie no longer works either, on any instance
// and after a restart ([framework.Sessions.Revoke]), clears the cookie,
// flashes [loggedOut] ([framework.Sessions.AddFlash]), which the next page
// shows in its language, and redirects with
// 303 See Other to /login. It answers no GET, because a link or a
// prefetch must not log anyone out; other methods get 405 with Allow. A
// session store that fails gets the 500 page.
func Logout(pages *framework.Pages, sessions *framework.Sessions) http.Handler {
	return framework.Methods{
		http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			session, err := sessions.Load(w, r)
			if err == nil && session.User != "" {
				err = sessions.Revoke(r.Context(), session.User)
			}
			if err == nil {
				sessions.Clear(w, r)
				err = sessions.AddFlash(w, r, loggedOut)
			}
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			framework.SeeOther(w, r, "/login")
		}),
	}.WithMethodNotAllowed(http.HandlerFunc(pages.MethodNotAllowed))
}
