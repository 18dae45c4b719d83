package views

import (
	"net/http"
	"time"

	"github.com/flosch/pongo2/v6"

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

// varyAcceptLanguage is the Vary of every page, shared as the framework
// shares its header values.
var varyAcceptLanguage = []string{"Accept-Language"}

// returnPath returns the path, below the mount, that the language switch
// on the page that answers r sends the browser back to: r's own path and
// query, as the client sent them, for GET and HEAD; "/" for a page that
// answers another method, such as a form shown again after a POST, since
// a GET of its path might not show it.
func returnPath(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "/"
	}
	if r.URL.RawQuery != "" {
		return r.URL.EscapedPath() + "?" + r.URL.RawQuery
	}
	return r.URL.EscapedPath()
}

// languageChoice is a button of the language switch.
type languageChoice struct {
	Tag  string // "zh-Hans"
	Name string // the language's name in itself: "中文"
}

// PageGlobals returns the values that every page's template sees for a
// request r ([framework.Globals]):
//   - t, the function [locales.Localizer.Text] in r's language
//     ([locales.Catalogue.For]): {{ t("WelcomeBack", "Name", user) }};
//   - lang, the language's tag, for <html lang>: "zh-Hans";
//   - languages, every language of the catalogue, with Tag and Name, for
//     the switch in the footer;
//   - here, the path below the mount for the switch to come back to:
//     r's own for GET and HEAD, "/" otherwise (see returnPath).
//
// It sets Content-Language (RFC 9110 §8.5) to the language, and
// Vary: Accept-Language (§12.5.5), since the same URL answers in the
// language a request asks for. (Vary names no Cookie, which the choice of
// the switch lives in: every page is Cache-Control: no-store, so no cache
// keeps one to serve another request.)
func PageGlobals(catalogue *locales.Catalogue) framework.Globals {
	var languages []languageChoice
	for _, localizer := range catalogue.Languages() {
		languages = append(languages, languageChoice{Tag: localizer.String(), Name: localizer.Name()})
	}
	return func(w http.ResponseWriter, r *http.Request) pongo2.Context {
		text := catalogue.For(r)
		header := w.Header()
		header["Content-Language"] = []string{text.String()}
		header["Vary"] = varyAcceptLanguage // set, not added: see framework.Globals
		return pongo2.Context{"t": text.Text, "lang": text.String(), "languages": languages, "here": returnPath(r)}
	}
}
