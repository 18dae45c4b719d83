package views

import (
	"log/slog"
	"net/http"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
	"example.com/miniweb/locales"
	"example.com/miniweb/throttle"
	"example.com/miniweb/users"
)

// passwordChanged is the catalogue's ID of the flash message after a
// password change.
const passwordChanged = "PasswordChanged"

// wrongPassword is the catalogue's ID of the message under a current
// password that is wrong.
const wrongPassword = "WrongPassword"

// Account serves the logged-in user's password form on GET and HEAD and
// changes the password on POST; a visitor without a session is sent to
// the login form ([framework.RequireUser]). The form's fields are current, password and confirm. A wrong current
// password, a new one that [users.CheckPassword] refuses or a
// confirmation that differs re-render the form with 422 and a message
// next to the field. A wrong current password counts against the user
// and the client in attempts, as a failed login does (429 past it).
//
// Success changes the password and moves the user's session generation
// on in one step ([users.Store.ChangePassword]), which ends every session
// of the user, on every instance; this browser gets a new session, so it
// stays logged in, and is redirected with 303 See Other to /account with
// the flash message [passwordChanged].
func Account(accounts *users.Store, attempts *throttle.Throttle, pages *framework.Pages,
	sessions *framework.Sessions, catalogue *locales.Catalogue, logger *slog.Logger) http.Handler {
	loggedIn := framework.RequireUser(sessions, pages, "/login")
	return framework.Methods{
		http.MethodGet: loggedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			pages.Render(w, r, http.StatusOK, "account.html", nil)
		})),
		http.MethodPost: loggedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			form, err := framework.ReadForm(w, r)
			if err != nil {
				http.Error(w, err.Error(), framework.FormErrorStatus(err))
				return
			}
			session, err := sessions.Load(w, r) // logged in: RequireUser checked
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			current, password := form.Get("current"), form.Get("password")
			client := clientAddress(r)
			text := catalogue.For(r)
			showForm := func(status int, errs framework.FieldErrors) {
				pages.Render(w, r, status, "account.html", pongo2.Context{"errors": errs})
			}

			errs := framework.FieldErrors{}
			errs.Required(form, "current", text.Text(wrongPassword))
			errs.MaxLength(form, "current", users.MaxPasswordBytes, text.Text(wrongPassword))
			if err := users.CheckPassword(password); err != nil {
				errs["password"] = fieldMessage(text, err)
			}
			if form.Get("confirm") != password {
				errs["confirm"] = text.Text(passwordsDiffer)
			}
			if len(errs) > 0 {
				showForm(http.StatusUnprocessableEntity, errs)
				return
			}

			attempt, retryAfter, err := attempts.Try(r.Context(), session.User, client)
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			if attempt == nil {
				showForm(http.StatusTooManyRequests, framework.FieldErrors{"current": retryLater(w, text, retryAfter)})
				return
			}
			changed, err := accounts.ChangePassword(r.Context(), session.User, current, password)
			if err != nil {
				serverError(w, r, pages, text, attempt, err)
				return
			}
			if !changed {
				logger.Warn("password change failed", "user", session.User, "client", client)
				showForm(http.StatusUnprocessableEntity, framework.FieldErrors{"current": text.Text(wrongPassword)})
				return
			}
			fresh, err := sessions.Start(r.Context(), session.User)
			if err == nil {
				err = attempt.Succeeded(r.Context())
			}
			if err == nil {
				fresh.Flashes = []string{passwordChanged} // an ID: the page translates it
				err = sessions.Save(w, r, fresh)
			}
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			logger.Info("password changed", "user", session.User, "client", client)
			framework.SeeOther(w, r, "/account")
		})),
	}.WithMethodNotAllowed(http.HandlerFunc(pages.MethodNotAllowed))
}
