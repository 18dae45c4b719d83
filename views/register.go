package views

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
	"example.com/miniweb/throttle"
	"example.com/miniweb/users"
)

// Messages shown next to the fields of the sign-up and password forms.
var fieldMessages = map[error]string{
	users.ErrUsernameLength: fmt.Sprintf("A username has %d to %d characters.",
		users.MinUsernameRunes, users.MaxUsernameRunes),
	users.ErrUsernameCharacters: "A username has letters, digits, and _ - . after the first character.",
	users.ErrTaken:              "That username is taken.",
	users.ErrPasswordShort:      fmt.Sprintf("A password has at least %d characters.", users.MinPasswordRunes),
	users.ErrPasswordLong:       fmt.Sprintf("A password has at most %d bytes.", users.MaxPasswordBytes),
	users.ErrPasswordCommon:     "That password is too common. Choose another.",
}

// passwordsDiffer is the message under a confirmation that does not
// match the password.
const passwordsDiffer = "The passwords do not match."

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
	sessions *framework.Sessions, logger *slog.Logger) http.Handler {
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
			showForm := func(status int, errs framework.FieldErrors) {
				pages.Render(w, r, status, "register.html", pongo2.Context{"username": username, "errors": errs})
			}

			errs := framework.FieldErrors{}
			if err := users.CheckUsername(username); err != nil {
				errs["username"] = fieldMessages[err]
			}
			if err := users.CheckPassword(password); err != nil {
				errs["password"] = fieldMessages[err]
			}
			if form.Get("confirm") != password {
				errs["confirm"] = passwordsDiffer
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
				showForm(http.StatusTooManyRequests, framework.FieldErrors{"username": retryLater(w, retryAfter)})
				return
			}
			err = accounts.Create(r.Context(), username, password)
			if errors.Is(err, users.ErrTaken) {
				showForm(http.StatusUnprocessableEntity, framework.FieldErrors{"username": fieldMessages[err]})
				return
			}
			if err == nil {
				err = startSession(w, r, sessions, users.Normalize(username))
			}
			if err != nil {
				serverError(w, r, pages, attempt, err)
				return
			}
			logger.Info("sign-up", "user", username, "client", client)
			framework.SeeOther(w, r, "/home")
		}),
	}
}
