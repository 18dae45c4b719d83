package views

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
	"example.com/miniweb/locales"
	"example.com/miniweb/throttle"
	"example.com/miniweb/users"
)

// fieldMessage returns the message, in text's language, shown next to
// the field of the sign-up or password form that [users.CheckUsername],
// [users.CheckPassword] or [users.Store.Create] refused with err.
func fieldMessage(text *locales.Localizer, err error) string {
	switch {
	case errors.Is(err, users.ErrUsernameLength):
		return text.Text("UsernameLength", "Min", users.MinUsernameRunes, "Max", users.MaxUsernameRunes)
	case errors.Is(err, users.ErrUsernameCharacters):
		return text.Text("UsernameCharacters")
	case errors.Is(err, users.ErrTaken):
		return text.Text("UsernameTaken")
	case errors.Is(err, users.ErrPasswordShort):
		return text.Text("PasswordShort", "Min", users.MinPasswordRunes)
	case errors.Is(err, users.ErrPasswordLong):
		return text.Text("PasswordLong", "Max", users.MaxPasswordBytes)
	case errors.Is(err, users.ErrPasswordCommon):
		return text.Text("PasswordCommon")
	}
	return err.Error() // a check this switch does not know yet: the tests catch it
}

// passwordsDiffer is the catalogue's ID of the message under a
// confirmation that does not match the password.
const passwordsDiffer = "PasswordsDiffer"

// Register serves the sign-up form on GET and HEAD and creates an account
// on POST. The form's fields are username, password and confirm. Input
// that [users.CheckUsername] or [users.CheckPassword] refuses, a
// confirmation that differs and a name that is taken each re-render the
// form with 422 Unprocessable Content and a message next to the field,
// the user name kept and the passwords not. Success logs the new user in
// with a new session and redirects with 303 See Other to /home.
//
// Registration cannot hide that a name exists: "That username is taken."
// says so. Every attempt that passes the checks, success or not, counts
// against the client and the name in attempts, so that no client can
// probe names or fill the database faster than the throttle allows: past
// it, 429 with Retry-After. Input the checks refuse costs nothing and
// is not counted: it neither probes a name nor makes an account. A busy
// store gets 503 with Retry-After, uncounted too. A malformed body gets
// 400, 413 or 415; other methods 405.
func Register(accounts *users.Store, attempts *throttle.Throttle, pages *framework.Pages,
	sessions *framework.Sessions, catalogue *locales.Catalogue, logger *slog.Logger) http.Handler {
	return framework.Methods{
		http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			pages.Render(w, r, http.StatusOK, "register.html", nil)
		}),
		http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			form, err := framework.ReadForm(w, r)
			if err != nil {
				http.Error(w, err.Error(), framework.FormErrorStatus(err))
				return
			}
			username, password := form.Get("username"), form.Get("password")
			client := clientAddress(r)
			text := catalogue.For(r)
			showForm := func(status int, errs framework.FieldErrors) {
				pages.Render(w, r, status, "register.html", pongo2.Context{"username": username, "errors": errs})
			}

			errs := framework.FieldErrors{}
			if err := users.CheckUsername(username); err != nil {
				errs["username"] = fieldMessage(text, err)
			}
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

			attempt, retryAfter, err := attempts.Try(r.Context(), users.Normalize(username), client)
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			if attempt == nil {
				logger.Warn("sign-up throttled", "user", username, "client", client)
				showForm(http.StatusTooManyRequests, framework.FieldErrors{"username": retryLater(w, text, retryAfter)})
				return
			}
			err = accounts.Create(r.Context(), username, password)
			if errors.Is(err, users.ErrTaken) {
				showForm(http.StatusUnprocessableEntity, framework.FieldErrors{"username": fieldMessage(text, err)})
				return
			}
			if err == nil {
				err = startSession(w, r, sessions, users.Normalize(username))
			}
			if err != nil {
				serverError(w, r, pages, text, attempt, err)
				return
			}
			logger.Info("sign-up", "user", username, "client", client)
			framework.SeeOther(w, r, "/home")
		}),
	}.WithMethodNotAllowed(http.HandlerFunc(pages.MethodNotAllowed))
}
