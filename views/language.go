package views

import (
	"net/http"
	"slices"
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
// 400, 413 or 415; other methods get 405 with Allow: OPTIONS, POST.
func Language(catalogue *locales.Catalogue) http.Handler {
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
	}
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
//   - here, r's path and query below the mount, for the switch to come
//     back to.
//
// It sets Content-Language (RFC 9110 §8.5) to the language, and adds
// Accept-Language to Vary (§12.5.5), since the same URL answers in the
// language a request asks for.
func PageGlobals(catalogue *locales.Catalogue) framework.Globals {
	var languages []languageChoice
	for _, localizer := range catalogue.Languages() {
		languages = append(languages, languageChoice{Tag: localizer.String(), Name: localizer.Name()})
	}
	return func(w http.ResponseWriter, r *http.Request) pongo2.Context {
		text := catalogue.For(r)
		header := w.Header()
		header.Set("Content-Language", text.String())
		if !slices.Contains(header.Values("Vary"), "Accept-Language") {
			header.Add("Vary", "Accept-Language")
		}
		here := r.URL.Path
		if r.URL.RawQuery != "" {
			here += "?" + r.URL.RawQuery
		}
		return pongo2.Context{"t": text.Text, "lang": text.String(), "languages": languages, "here": here}
	}
}
