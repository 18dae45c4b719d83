package views

import (
	"net/http"
	"time"

	"example.com/miniweb/framework"
	"example.com/miniweb/locales"
)

// LanguageCookieLifetime is how long a browser keeps the language a
// visitor chose with the switch: 365 days.
const LanguageCookieLifetime = 365 * 24 * time.Hour

// Language switches the language of the pages, on POST from the switch in
// every page's footer. The form's lang field names a language of the
// catalogue, as it writes it ("en", "zh-Hans"); Language keeps it in the
// cookie [locales.CookieName] for [LanguageCookieLifetime], and redirects
// with 303 See Other to the form's next field, a local path, or to /. The
// choice then wins over Accept-Language ([locales.Catalogue.For]). It
// needs no session, so that a visitor who is not logged in can switch
// too, and the choice outlives login and logout, as Django keeps it in
// a cookie of its own. An unknown language gets 400, a malformed body
// 400, 413 or 415; other methods get the 405 page with Allow: OPTIONS,
// POST.
func Language(pages *framework.Pages, catalogue *locales.Catalogue) http.Handler {
	return framework.Methods{
		http.MethodPost: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			form, err := framework.ReadForm(w, r)
			if err != nil {
				http.Error(w, err.Error(), framework.FormErrorStatus(err))
				return
			}
			chosen := catalogue.Lookup(form.Get("lang"))
			if chosen == nil {
				http.Error(w, "400 bad request: the form's lang is not a language of this site", http.StatusBadRequest)
				return
			}
			path := framework.ScriptName(r)
			if path == "" {
				path = "/"
			}
			http.SetCookie(w, &http.Cookie{
				Name:     locales.CookieName,
				Value:    chosen.String(),
				Path:     path,
				MaxAge:   int(LanguageCookieLifetime.Seconds()),
				Secure:   framework.GuessScheme(r) == "https",
				HttpOnly: true,
				SameSite: http.SameSiteLaxMode,
			})
			framework.SeeOther(w, r, localPath(form.Get("next"), "/"))
		}),
	}.WithMethodNotAllowed(http.HandlerFunc(pages.MethodNotAllowed))
}
