package views

import (
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/flosch/pongo2/v6"

	"example.com/miniweb/framework"
	"example.com/miniweb/locales"
	"example.com/miniweb/notes"
)

// notesPerPage is how many notes the list shows a page: 20.
const notesPerPage = 20

// maxNotesPage is the highest page number the list takes: 2^31, far past any
// user's notes, and low enough that the page's first note, page times
// notesPerPage, is an int everywhere. A higher one gets 400.
const maxNotesPage = 1 << 31

// The catalogue's IDs of the flash messages after a change to a note.
const (
	noteSaved   = "NoteSaved"
	noteDeleted = "NoteDeleted"
)

// Notes serves the logged-in user's notes, at the route table's entries
// "/notes" and "/notes/" (a subtree):
//
//	GET  /notes?page=N       the notes, newest first, 20 a page
//	GET  /notes/new          the form for a new note; POST saves it
//	GET  /notes/{id}         one note
//	GET  /notes/{id}/edit    the form to change it; POST saves it
//	POST /notes/{id}/delete  deletes it
//
// It reads the path as a WSGI application mounted at /notes would: it
// shifts "notes" off PATH_INFO onto SCRIPT_NAME with [framework.ShiftPath],
// as wsgiref.util.shift_path_info does, then shifts the next segment and
// dispatches on it. Links to notes are the new SCRIPT_NAME plus the rest,
// so they follow the mount ("/app/notes/12").
//
// A visitor without a session is sent to log in. A note that does not
// exist, belongs to someone else, or whose id is not a positive whole
// number ([framework.ParseID]) gets the same 404 page, so that an id
// reveals nothing. A page number that is not a positive whole number, or
// is over [maxNotesPage], gets 400, one past the last page 404. A title
// (required, at most [notes.MaxTitleRunes] characters) or body (at most
// [notes.MaxBodyRunes]) out of bounds shows the form again with 422 and
// the message next to the field. Saving an edit over a newer version of the note, changed
// meanwhile in another tab or by another device, shows the form again
// with 409 Conflict and both texts. Every change redirects with 303 See
// Other and a flash message. Messages are in the request's language
// ([locales.Catalogue.For]). Other methods get 405.
func Notes(store *notes.Store, pages *framework.Pages, sessions *framework.Sessions, catalogue *locales.Catalogue) http.Handler {
	loggedIn := framework.RequireUser(sessions, pages, "/login")
	notAllowed := http.HandlerFunc(pages.MethodNotAllowed)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// PATH_INFO "/notes/12/edit" below SCRIPT_NAME "/app": shift
		// "notes", giving the notes' own SCRIPT_NAME "/app/notes", then
		// "12", then "edit".
		_, base, pathInfo, _ := framework.ShiftPath(framework.ScriptName(r), r.URL.Path)
		segment, _, rest, _ := framework.ShiftPath(base, pathInfo)
		v := &notesView{store: store, pages: pages, sessions: sessions, text: catalogue.For(r), base: base}
		var methods framework.Methods
		switch {
		case segment == "" && rest == "": // "/notes" or "/notes/"
			methods = framework.Methods{http.MethodGet: http.HandlerFunc(v.list)}
		case segment == "new" && rest == "":
			methods = framework.Methods{http.MethodGet: http.HandlerFunc(v.newForm), http.MethodPost: http.HandlerFunc(v.create)}
		default:
			id, ok := framework.ParseID(segment)
			action, _, end, _ := framework.ShiftPath("", rest)
			switch {
			case !ok || end != "":
				// Not a note: no methods, so the 404 page.
			case rest == "":
				methods = framework.Methods{http.MethodGet: v.show(id)}
			case action == "edit":
				methods = framework.Methods{http.MethodGet: v.editForm(id), http.MethodPost: v.update(id)}
			case action == "delete":
				methods = framework.Methods{http.MethodPost: v.delete(id)}
			}
		}
		if methods == nil {
			pages.NotFound(w, r)
			return
		}
		for method, handler := range methods {
			methods[method] = loggedIn(handler) // after Methods: a wrong method is 405 for anyone
		}
		methods.WithMethodNotAllowed(notAllowed).ServeHTTP(w, r)
	})
}

// notesView serves one request for notes: base is the notes' SCRIPT_NAME,
// "/notes" or "/app/notes", which links to notes start with.
type notesView struct {
	store    *notes.Store
	pages    *framework.Pages
	sessions *framework.Sessions
	text     *locales.Localizer // the request's language
	base     string
}

// user returns the logged-in user's name; RequireUser made sure there is
// one.
func (v *notesView) user(w http.ResponseWriter, r *http.Request) (string, error) {
	session, err := v.sessions.Load(w, r)
	return session.User, err
}

// list shows a page of the user's notes.
func (v *notesView) list(w http.ResponseWriter, r *http.Request) {
	page := int64(1)
	if values, ok := r.URL.Query()["page"]; ok {
		n, valid := framework.ParseID(values[0])
		if !valid || n > maxNotesPage {
			http.Error(w, "400 bad request: page must be a positive whole number", http.StatusBadRequest)
			return
		}
		page = n
	}
	user, err := v.user(w, r)
	if err != nil {
		v.pages.ServerError(w, r, err)
		return
	}
	list, total, err := v.store.List(r.Context(), user, int(page), notesPerPage)
	if err != nil {
		v.pages.ServerError(w, r, err)
		return
	}
	if len(list) == 0 && page > 1 {
		v.pages.NotFound(w, r) // past the last page
		return
	}
	data := pongo2.Context{"notes": list, "notes_url": v.base, "page": page, "total": total}
	if page > 1 {
		data["previous"] = page - 1
	}
	if int(page)*notesPerPage < total {
		data["next"] = page + 1
	}
	v.pages.Render(w, r, http.StatusOK, "notes.html", data)
}

// newForm shows the form for a new note.
func (v *notesView) newForm(w http.ResponseWriter, r *http.Request) {
	v.pages.Render(w, r, http.StatusOK, "note_form.html", pongo2.Context{"notes_url": v.base})
}

// create saves a new note from the form.
func (v *notesView) create(w http.ResponseWriter, r *http.Request) {
	form, err := framework.ReadForm(w, r)
	if err != nil {
		http.Error(w, err.Error(), framework.FormErrorStatus(err))
		return
	}
	title, body := form.Get("title"), form.Get("body")
	if errs := checkNote(v.text, title, body); len(errs) > 0 {
		v.pages.Render(w, r, http.StatusUnprocessableEntity, "note_form.html",
			pongo2.Context{"notes_url": v.base, "title": title, "body": body, "errors": errs})
		return
	}
	user, err := v.user(w, r)
	if err != nil {
		v.pages.ServerError(w, r, err)
		return
	}
	id, err := v.store.Create(r.Context(), user, title, body)
	if err == nil {
		err = v.sessions.AddFlash(w, r, noteSaved)
	}
	if err != nil {
		v.pages.ServerError(w, r, err)
		return
	}
	framework.SeeOther(w, r, noteURL(id))
}

// show shows the note with id.
func (v *notesView) show(id int64) http.Handler {
	return v.withNote(id, func(w http.ResponseWriter, r *http.Request, note notes.Note) {
		v.pages.Render(w, r, http.StatusOK, "note.html", pongo2.Context{"note": note, "notes_url": v.base})
	})
}

// editForm shows the form to change the note with id, with its version.
func (v *notesView) editForm(id int64) http.Handler {
	return v.withNote(id, func(w http.ResponseWriter, r *http.Request, note notes.Note) {
		v.pages.Render(w, r, http.StatusOK, "note_form.html", pongo2.Context{
			"notes_url": v.base, "id": note.ID, "title": note.Title, "body": note.Body, "version": note.Version,
		})
	})
}

// update saves the form over the note with id, if the note is still at
// the version the form was loaded with.
func (v *notesView) update(id int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, err := framework.ReadForm(w, r)
		if err != nil {
			http.Error(w, err.Error(), framework.FormErrorStatus(err))
			return
		}
		version, ok := framework.ParseID(form.Get("version"))
		if !ok {
			http.Error(w, "400 bad request: the form's version is not a positive whole number", http.StatusBadRequest)
			return
		}
		title, body := form.Get("title"), form.Get("body")
		data := pongo2.Context{"notes_url": v.base, "id": id, "title": title, "body": body, "version": version}
		if errs := checkNote(v.text, title, body); len(errs) > 0 {
			data["errors"] = errs
			v.pages.Render(w, r, http.StatusUnprocessableEntity, "note_form.html", data)
			return
		}
		user, err := v.user(w, r)
		if err != nil {
			v.pages.ServerError(w, r, err)
			return
		}
		current, err := v.store.Update(r.Context(), user, id, version, title, body)
		switch {
		case errors.Is(err, notes.ErrNotFound):
			v.pages.NotFound(w, r)
			return
		case errors.Is(err, notes.ErrConflict):
			// Show both texts; saving again overwrites the newer version.
			data["current"], data["version"] = current, current.Version
			v.pages.Render(w, r, http.StatusConflict, "note_form.html", data)
			return
		case err == nil:
			err = v.sessions.AddFlash(w, r, noteSaved)
		}
		if err != nil {
			v.pages.ServerError(w, r, err)
			return
		}
		framework.SeeOther(w, r, noteURL(id))
	})
}

// delete deletes the note with id.
func (v *notesView) delete(id int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, err := v.user(w, r)
		if err == nil {
			err = v.store.Delete(r.Context(), user, id)
		}
		if errors.Is(err, notes.ErrNotFound) {
			v.pages.NotFound(w, r)
			return
		}
		if err == nil {
			err = v.sessions.AddFlash(w, r, noteDeleted)
		}
		if err != nil {
			v.pages.ServerError(w, r, err)
			return
		}
		framework.SeeOther(w, r, "/notes")
	})
}

// withNote returns a handler that loads the user's note with id and calls
// handle with it: the 404 page if the user has no such note.
func (v *notesView) withNote(id int64, handle func(http.ResponseWriter, *http.Request, notes.Note)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, err := v.user(w, r)
		var note notes.Note
		if err == nil {
			note, err = v.store.Get(r.Context(), user, id)
		}
		switch {
		case errors.Is(err, notes.ErrNotFound):
			v.pages.NotFound(w, r)
		case err != nil:
			v.pages.ServerError(w, r, err)
		default:
			handle(w, r, note)
		}
	})
}

// checkNote returns the messages, in text's language, for a title and
// body out of bounds.
func checkNote(text *locales.Localizer, title, body string) framework.FieldErrors {
	errs := framework.FieldErrors{}
	if title == "" {
		errs["title"] = text.Text("NoteTitleRequired")
	} else if utf8.RuneCountInString(title) > notes.MaxTitleRunes {
		errs["title"] = text.Text("NoteTitleTooLong", "Max", notes.MaxTitleRunes)
	}
	if utf8.RuneCountInString(body) > notes.MaxBodyRunes {
		errs["body"] = text.Text("NoteBodyTooLong", "Max", notes.MaxBodyRunes)
	}
	return errs
}

// noteURL returns the path of the note with id, below the mount.
func noteURL(id int64) string {
	return "/notes/" + strconv.FormatInt(id, 10)
}
