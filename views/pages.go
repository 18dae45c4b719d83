package views

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
	"example.com/miniweb/locales"
	"example.com/miniweb/notes"
	"example.com/miniweb/users"
)

// varyAcceptLanguage is the Vary of every page, shared as the framework
// shares its header values.
var varyAcceptLanguage = []string{"Accept-Language"}

// returnPath returns the path, below the mount, that the language switch
// on the page that answers r sends the browser back to. For GET and HEAD,
// it is r's own path and query, as the client sent them. For another
// method, such as a form posted and shown again with its errors, a GET of
// r's path might not show the page, so it is the page the form was on:
// the Referer (RFC 9110 §10.1.3), which browsers send within the site
// (Referrer-Policy: same-origin), if it names this host and a path below
// the mount; otherwise "/".
func returnPath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if r.URL.RawQuery != "" {
			return r.URL.EscapedPath() + "?" + r.URL.RawQuery
		}
		return r.URL.EscapedPath()
	}
	referer, err := url.Parse(r.Referer())
	if err != nil || referer.Host != r.Host {
		return "/"
	}
	path, ok := strings.CutPrefix(referer.EscapedPath(), framework.ScriptName(r))
	if !ok || !strings.HasPrefix(path, "/") {
		return "/"
	}
	if referer.RawQuery != "" {
		path += "?" + referer.RawQuery
	}
	return path
}

// formLimits are the bounds that the forms' hints state, by name.
var formLimits = map[string]int{
	"MinUsername": users.MinUsernameRunes,
	"MaxUsername": users.MaxUsernameRunes,
	"MinPassword": users.MinPasswordRunes,
	"MaxTitle":    notes.MaxTitleRunes,
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
//   - limits, the bounds that the forms' hints state, from the stores
//     that enforce them: MinUsername, MaxUsername, MinPassword, MaxTitle;
//   - here, the path below the mount for the switch to come back to:
//     r's own for GET and HEAD, the form's page after a POST (see
//     returnPath).
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
		context := make(pongo2.Context, 10) // room for the page's own values
		context["t"], context["lang"], context["languages"] = text.Text, text.String(), languages
		context["limits"], context["here"] = formLimits, returnPath(r)
		return context
	}
}
