// Package baseline is the yardstick for miniweb's benchmarks and load
// tests: the demo's login and home pages served by net/http, pongo2,
// securecookie and the demo's message catalogue alone, with none of the
// framework's routing, middleware or checks. The root package's benchmarks and cmd/baseline serve the same
// handler, so that both compare miniweb with the same bare code.
package baseline

import (
	"fmt"
	"io/fs"
	"net/http"

	"github.com/flosch/pongo2/v6"
	"github.com/gorilla/securecookie"

	"example.com/miniweb/locales"
)

// Session holds the fields of miniweb's session cookie that the home page
// shows; the cookie's other fields are ignored.
type Session struct {
	User    string   `json:"user"`
	Flashes []string `json:"flashes"`
}

// Handler returns a handler for GET /login, which renders login.html, and
// GET /home, which decodes miniweb's "session" cookie with keyPairs (a
// hash key and a block key, as for framework.NewSessions) and renders
// home.html, or redirects to /login without a valid cookie. templates
// holds the demo's templates; they are compiled once, here. The pages are
// in the request's language, from catalogue, as the demo's are: a bare
// bilingual site does the same work.
func Handler(templates fs.FS, catalogue *locales.Catalogue, keyPairs ...[]byte) (http.Handler, error) {
	set := pongo2.NewSet("baseline", pongo2.NewFSLoader(templates))
	login, err := set.FromFile("login.html")
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	home, err := set.FromFile("home.html")
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	codecs := securecookie.CodecsFromPairs(keyPairs...)
	for _, codec := range codecs {
		codec.(*securecookie.SecureCookie).SetSerializer(securecookie.JSONEncoder{})
	}
	url := func(path string) string { return path }
	var languages []map[string]string
	for _, localizer := range catalogue.Languages() {
		languages = append(languages, map[string]string{"Tag": localizer.String(), "Name": localizer.Name()})
	}
	// page returns the values both pages need besides user and flashes.
	page := func(w http.ResponseWriter, r *http.Request) pongo2.Context {
		text := catalogue.For(r)
		w.Header().Set("Content-Language", text.String())
		w.Header().Set("Vary", "Accept-Language")
		return pongo2.Context{"url": url, "t": text.Text, "lang": text.String(), "languages": languages, "here": r.URL.Path}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		context := page(w, r)
		context.Update(pongo2.Context{"user": "", "flashes": []string(nil), "next": "/home"})
		render(w, login, context)
	})
	mux.HandleFunc("GET /home", func(w http.ResponseWriter, r *http.Request) {
		var session Session
		cookie, err := r.Cookie("session")
		if err != nil || securecookie.DecodeMulti("session", cookie.Value, &session, codecs...) != nil || session.User == "" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		context := page(w, r)
		context.Update(pongo2.Context{"user": session.User, "flashes": session.Flashes})
		render(w, home, context)
	})
	return mux, nil
}

// render writes template, executed with context, as an HTML page.
func render(w http.ResponseWriter, template *pongo2.Template, context pongo2.Context) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := template.ExecuteWriter(context, w); err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
	}
}
