package views

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
	"example.com/miniweb/locales"
	"example.com/miniweb/throttle"
	"example.com/miniweb/users"
)

// maxUsernameBytes is the longest user name, in bytes of UTF-8, that
// [Login] accepts: 256.
const maxUsernameBytes = 256

// loginFailed is the catalogue's ID of the one message for every failed
// login: an unknown user, a wrong password, an empty or an overlong
// field. One message for all reveals nothing about which user names
// exist.
const loginFailed = "LoginFailed"

// Login serves the login form on GET and HEAD and checks the submitted
// credentials on POST. Success starts a new session and redirects with 303
// See Other to the form's next field, a local path, or to /home
// (Post/Redirect/Get). Failure re-renders the form with 422 Unprocessable
// Content (RFC 9110 §15.5.21), the user name kept and the password not,
// and one message for every failure, in the request's language
// ([locales.Catalogue.For]). After too many failures for the
// user name or the client address (counted by attempts), every attempt,
// right password or not, gets 429 Too Many Requests with Retry-After
// (RFC 6585 §4) until the throttle lets it through. A malformed body gets 400, 413
// or 415 from [framework.ReadForm]. Other methods get 405 with Allow:
// GET, HEAD, OPTIONS, POST (RFC 9110 §15.5.6).
//
// authenticate checks a password, as [users.Store.Authenticate] does; its
// error, such as a database that is down, gets the 500 page.
// The credentials are read from the urlencoded body only; where a field
// is repeated, the first value counts. Each success and failure is
// logged with the user name and client address, never the password.
func Login(authenticate func(ctx context.Context, username, password string) (bool, error), attempts *throttle.Throttle,
	pages *framework.Pages, sessions *framework.Sessions, catalogue *locales.Catalogue, logger *slog.Logger) http.Handler {
	return framework.Methods{
		http.MethodGet: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next := "/home"
			if r.URL.RawQuery != "" {
				next = localPath(r.URL.Query().Get("next"), next)
			}
			pages.Render(w, r, http.StatusOK, "login.html", pongo2.Context{"next": next})
		}),
		http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			form, err := framework.ReadForm(w, r)
			if err != nil {
				http.Error(w, err.Error(), framework.FormErrorStatus(err))
				return
			}
			username, password := form.Get("username"), form.Get("password")
			next := localPath(form.Get("next"), "/home")
			client := clientAddress(r)
			text := catalogue.For(r)
			failure := text.Text(loginFailed)
			// showForm shows the form again, with the user name kept, the
			// password not, and message.
			showForm := func(status int, message string) {
				pages.Render(w, r, status, "login.html", pongo2.Context{
					"username": username,
					"next":     next,
					"error":    message,
				})
			}
			failed := func() {
				logger.Warn("login failed", loggedName(username), "client", client)
				showForm(http.StatusUnprocessableEntity, failure)
			}

			// Any failure, valid input or not, shows the same message, so
			// that no answer tells an attacker more than another. Invalid
			// input costs no password hash and counts against the client
			// alone: the throttle then never holds an overlong user name.
			if username == "" || password == "" || len(username) > maxUsernameBytes || len(password) > users.MaxPasswordBytes {
				retryAfter, err := attempts.TryClient(r.Context(), client)
				switch {
				case err != nil:
					pages.ServerError(w, r, err)
				case retryAfter > 0:
					logger.Warn("login throttled", loggedName(username), "client", client)
					showForm(http.StatusTooManyRequests, retryLater(w, text, retryAfter))
				default:
					failed()
				}
				return
			}

			attempt, retryAfter, err := attempts.Try(r.Context(), users.Normalize(username), client)
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			if attempt == nil {
				logger.Warn("login throttled", "user", username, "client", client)
				showForm(http.StatusTooManyRequests, retryLater(w, text, retryAfter))
				return
			}
			ok, err := authenticate(r.Context(), username, password)
			if err != nil {
				serverError(w, r, pages, text, attempt, err)
				return
			}
			if !ok {
				failed()
				return
			}

			if err := attempt.Succeeded(r.Context()); err != nil {
				pages.ServerError(w, r, err)
				return
			}
			err = startSession(w, r, sessions, users.Normalize(username))
			if err == nil {
				err = sessions.AddFlash(w, r, loggedIn)
			}
			if err != nil {
				pages.ServerError(w, r, err)
				return
			}
			logger.Info("login", "user", username, "client", client)
			framework.SeeOther(w, r, next)
		}),
	}.WithMethodNotAllowed(http.HandlerFunc(pages.MethodNotAllowed))
}

// busyRetryAfter is the Retry-After, in seconds, of the 503 that answers
// a request when every password check is taken: 2, the longest a check
// waits for one (users.MaxHashWait).
const busyRetryAfter = "2"

// serverError answers err, from a store during attempt, with 503 Service
// Unavailable and Retry-After (RFC 9110 §15.6.4) for [users.ErrBusy],
// which passes as soon as the flood does, with a plain-text message in
// text's language, and with the 500 page for
// anything else. A busy store got no answer about the password (or, in a
// password change, checked the current one but could not hash the new),
// so the attempt is cancelled: a flood from others costs the user none of
// their tries.
func serverError(w http.ResponseWriter, r *http.Request, pages *framework.Pages, text *locales.Localizer,
	attempt *throttle.Attempt, err error) {
	if errors.Is(err, users.ErrBusy) {
		if err := attempt.Cancel(r.Context()); err != nil {
			pages.ServerError(w, r, err)
			return
		}
		w.Header().Set("Retry-After", busyRetryAfter)
		w.Header().Set("Content-Language", text.String())
		http.Error(w, text.Text("TooManyLogins"), http.StatusServiceUnavailable)
		return
	}
	pages.ServerError(w, r, err)
}

// maxLoggedNameBytes is how much of a user name the log keeps: 64 bytes.
const maxLoggedNameBytes = 64

// loggedName returns the log attribute for a user name as typed: the name,
// or for one over maxLoggedNameBytes, its first bytes (whole characters)
// and its length, so that an overlong name cannot flood the log.
func loggedName(name string) slog.Attr {
	if len(name) <= maxLoggedNameBytes {
		return slog.String("user", name)
	}
	cut := maxLoggedNameBytes
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return slog.Group("user", slog.String("prefix", name[:cut]), slog.Int("bytes", len(name)))
}

// loggedIn is the catalogue's ID of the flash message on the page a login
// leads to.
const loggedIn = "LoggedIn"

// startSession starts a new session for user, the name as the store
// keeps it, and saves it in the cookie: a fresh session at every login and
// sign-up, so that no session ID chosen before survives it.
func startSession(w http.ResponseWriter, r *http.Request, sessions *framework.Sessions, user string) error {
	session, err := sessions.Start(r.Context(), user)
	if err != nil {
		return err
	}
	return sessions.Save(w, r, session)
}

// retryLater sets Retry-After (RFC 6585 §4) on w for a request the
// throttle refused, in whole seconds rounded up, at least 1, so that the
// bucket that refused is never promised back early (another bucket may
// still be empty then); and returns the message that tells the user when
// to try again, in text's language.
func retryLater(w http.ResponseWriter, text *locales.Localizer, retryAfter time.Duration) string {
	seconds := max(int(math.Ceil(retryAfter.Seconds())), 1)
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	return throttledMessage(text, seconds)
}

// throttledMessage tells a throttled user when to try again, in whole
// minutes rounded up, in text's language. Its words fit every throttled
// form: a login, a sign-up, a password change.
func throttledMessage(text *locales.Localizer, seconds int) string {
	return text.Text("TooManyAttempts", "Count", (seconds+59)/60)
}

// clientAddress returns the client the throttle counts for r: its IP
// address ([framework.ClientIP]), or for IPv6 its /64 network, which one
// subscriber usually holds whole.
func clientAddress(r *http.Request) string {
	ip := framework.ClientIP(r)
	address, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if address.Is6() && !address.Is4In6() {
		return netip.PrefixFrom(address, 64).Masked().String()
	}
	return address.Unmap().String()
}

// localPath returns next if it is a path on this site, such as "/home" or
// "/home?tab=1", and otherwise fallback. It refuses anything a browser
// could follow to another site: an absolute URL ("https://evil",
// "javascript:…"), a scheme-relative one ("//evil"), a backslash, which
// browsers read as a slash ("/\evil"), and control characters, which
// browsers drop ("/\t/evil").
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return fallback
	}
	if strings.ContainsFunc(next, func(c rune) bool { return c == '\\' || c < 0x20 || c == 0x7f }) {
		return fallback
	}
	parsed, err := url.Parse(next)
	if err != nil || parsed.Scheme != "" || parsed.Host != "" {
		return fallback
	}
	return next
}
