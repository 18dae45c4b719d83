package framework

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/flosch/pongo2/v6"
)

// Pages renders the application's pongo2 templates: Django-like (and so
// Jinja-like) templates with {% extends %} and {% block %}, and HTML
// autoescaping on for every {{ value }}.
//
// Every template sees, besides the data a handler passes:
//   - url, the function [MountedPath]: {{ url("/login") }};
//   - user, the logged-in user's name, or "";
//   - flashes, the session's flash messages, shown once;
//   - whatever the application's [Globals] return, such as the demo's
//     t, which renders a message in the request's language.
type Pages struct {
	fsys     fs.FS
	sessions *Sessions
	logger   *slog.Logger
	reload   bool
	globals  Globals

	mu        sync.Mutex                  // guards templates while reload is on
	templates map[string]*pongo2.Template // by file name, "login.html"
}

// Globals returns the values that every template sees when it renders
// for r, besides url, user and flashes: functions such as a translator,
// and values such as the page's language. It returns a new map for each
// call, which Pages adds the page's own values to; make it with room for
// them. It may set header fields that
// describe every page to w, such as Content-Language (RFC 9110 §8.5).
// Pages calls it for each template it renders, so twice when a page
// fails and the 500 page replaces it: it must set its fields, not add to
// them. The plain-text answer for a 500 page that fails too drops
// Content-Language, since its text is English.
type Globals func(w http.ResponseWriter, r *http.Request) pongo2.Context

// NewPages compiles every *.html template at the top of fsys (not in its
// subdirectories), so that a template error stops the program at start-up
// with the file and line in the message. With reload false, the compiled
// templates serve every request. With reload true, for development, each
// render compiles the templates again from fsys, so edits show on the
// next request. sessions supplies the user and flashes; globals, if not
// nil, adds the application's values to every page; logger records
// render errors, and under [Recover], panics.
func NewPages(fsys fs.FS, sessions *Sessions, globals Globals, logger *slog.Logger, reload bool) (*Pages, error) {
	p := &Pages{fsys: fsys, sessions: sessions, globals: globals, logger: logger, reload: reload}
	if err := p.compile(); err != nil {
		return nil, err
	}
	return p, nil
}

// compile parses every template afresh into a new template set.
// pongo2's TemplateSet.FromFile is not safe for concurrent use (pongo2
// issue #322), so compile runs at start-up or under p.mu.
func (p *Pages) compile() error {
	names, err := fs.Glob(p.fsys, "*.html")
	if err != nil {
		return fmt.Errorf("framework: listing templates: %w", err)
	}
	if len(names) == 0 {
		return fmt.Errorf("framework: no *.html templates found")
	}
	set := pongo2.NewSet("pages", fsLoader{p.fsys})
	// set.Options.TrimBlocks and LStripBlocks stay off: pongo2 v6 applies
	// them by rewriting the template's tokens on every execution, a data
	// race when two requests render the same page.
	templates := make(map[string]*pongo2.Template, len(names))
	for _, name := range names {
		template, err := set.FromFile(name)
		if err != nil {
			return fmt.Errorf("framework: compiling template: %w", err)
		}
		templates[name] = template
	}
	p.templates = templates
	return nil
}

// execute renders the template called name with the globals, then user
// and flashes, then data, each winning over the ones before, and last the
// function url, compiling all templates again first when reload is on.
func (p *Pages) execute(w http.ResponseWriter, r *http.Request, name, user string, flashes []string, data pongo2.Context) ([]byte, error) {
	var templates map[string]*pongo2.Template
	if p.reload {
		p.mu.Lock()
		err := p.compile()
		templates = p.templates
		p.mu.Unlock()
		if err != nil {
			return nil, err
		}
	} else {
		templates = p.templates // compiled once, never written again
	}
	template, ok := templates[name]
	if !ok {
		return nil, fmt.Errorf("framework: no template %q", name)
	}
	var context pongo2.Context
	if p.globals != nil {
		context = p.globals(w, r) // a map of the call's own, which the page's values go into
	}
	if context == nil {
		context = make(pongo2.Context, len(data)+3)
	}
	context["user"], context["flashes"] = user, flashes
	context.Update(data)
	context["url"] = func(path string) string { return MountedPath(r, path) }
	return template.ExecuteBytes(context) // renders into a buffer of its own
}

// Render renders the template called name with data and writes it as the
// response, with status and Content-Type text/html. It renders into a
// buffer first, so a template error sends a clean 500 page (and logs the
// error) instead of half a page under the status asked for. data may be
// nil; its keys win over user, flashes and the globals, but not over url.
//
// The page shows the session's flash messages once: Render takes them
// with [Sessions.Flashes], which writes the session back without them
// through a Set-Cookie header.
func (p *Pages) Render(w http.ResponseWriter, r *http.Request, status int, name string, data pongo2.Context) {
	session, err := p.sessions.Load(w, r)
	if err != nil {
		p.ServerError(w, r, err)
		return
	}
	flashes, err := p.sessions.Flashes(w, r) // from the session just loaded
	if err != nil {
		p.ServerError(w, r, err)
		return
	}
	body, err := p.execute(w, r, name, session.User, flashes, data)
	if err != nil {
		// The 500 page drops the Set-Cookie that took the flashes: they
		// stay for the next page that renders.
		p.ServerError(w, r, fmt.Errorf("rendering %s: %w", name, err))
		return
	}
	writeHTML(w, r, status, body)
}

// NotFound answers 404 Not Found (RFC 9110 §15.5.5) with the page
// 404.html. It has the signature of [http.NotFound], so that
// http.HandlerFunc(pages.NotFound) can go to [Routes.WithNotFound].
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request) {
	p.Render(w, r, http.StatusNotFound, "404.html", nil)
}

// MethodNotAllowed answers 405 Method Not Allowed (RFC 9110 §15.5.6)
// with the page 405.html. It has the signature of an [http.HandlerFunc],
// so that http.HandlerFunc(pages.MethodNotAllowed) can go to
// [Methods.WithMethodNotAllowed], which sets Allow first.
func (p *Pages) MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	p.Render(w, r, http.StatusMethodNotAllowed, "405.html", nil)
}

// ServerError logs err and answers 500 Internal Server Error
// (RFC 9110 §15.6.1) with the page 500.html. The client sees no detail of
// err. Call it before the response has started.
func (p *Pages) ServerError(w http.ResponseWriter, r *http.Request, err error) {
	p.logger.Error("serving request", "method", r.Method, "path", r.URL.Path, "error", err)
	p.internalServerError(w, r)
}

// internalServerError answers 500 with the page 500.html, or with plain
// text if that page itself fails. It first drops the headers set for the
// response that failed and that would be false of the error page; the
// security headers stay.
func (p *Pages) internalServerError(w http.ResponseWriter, r *http.Request) {
	for _, name := range []string{
		"Set-Cookie", "Location", "Retry-After", "Cache-Control", "Content-Disposition",
		"Content-Encoding", "Content-Length", "Content-Type", "ETag", "Last-Modified",
	} {
		w.Header().Del(name)
	}
	body, err := p.execute(w, r, "500.html", "", nil, nil)
	if err != nil {
		p.logger.Error("rendering page", "template", "500.html", "error", err)
		w.Header().Del("Content-Language") // the text below is English, whatever the globals said
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, r, http.StatusInternalServerError, body)
}

// Header values of every page, shared as [SecurityHeaders] shares its own.
var (
	htmlContentType = []string{"text/html; charset=utf-8"}
	noStore         = []string{"no-store"}
)

// writeHTML sends body as an HTML response with status and Cache-Control:
// no-store; in answer to HEAD, it sends the same header and no body.
func writeHTML(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	header := w.Header() // shared values: see nosniff in securityheaders.go
	header["Content-Type"] = htmlContentType
	header["Content-Length"] = []string{strconv.Itoa(len(body))}
	// Pages show a user's data: no cache, shared or the browser's
	// back-forward one, may keep them past logout (RFC 9111 §5.2.2.5).
	header["Cache-Control"] = noStore
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// fsLoader loads pongo2 templates from an fs.FS. pongo2's own FSLoader
// joins names with path/filepath (pongo2 issue #373), which breaks on
// Windows, where fs.FS names still use forward slashes; fsLoader uses
// package path.
type fsLoader struct {
	fsys fs.FS
}

// Abs resolves name, as written in {% extends %} or {% include %} in the
// template base, to a name in the file system.
func (l fsLoader) Abs(base, name string) string {
	return path.Join(path.Dir(base), strings.TrimPrefix(name, "/"))
}

// Get returns the contents of the template called name. It reads the
// whole file and closes it, since pongo2 never closes what Get returns.
func (l fsLoader) Get(name string) (io.Reader, error) {
	contents, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(contents), nil
}
