package views

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.com/miniweb/framework"
	"example.com/miniweb/notes"
	"example.com/miniweb/throttle"
)

// logInAs logs in to site as user and returns the session cookie.
func (site *testSite) logInAs(t *testing.T, user, password string) *http.Cookie {
	t.Helper()
	login := Login(site.accounts.Authenticate, throttle.New(site.database, "test", time.Now), site.pages, site.sessions, site.catalogue, site.logger)
	rec := site.serve(login, http.MethodPost, "/login", url.Values{"username": {user}, "password": {password}})
	cookies := rec.Result().Cookies()
	if rec.Code != http.StatusSeeOther || len(cookies) != 1 {
		t.Fatalf("logging in as %s: %d, cookies %v", user, rec.Code, cookies)
	}
	return cookies[0]
}

// notesSite is a test site with the notes view mounted at mount ("" for
// the root), the users admin and bob logged in, and one note of each.
type notesSite struct {
	*testSite
	handler       http.Handler
	mount         string
	admin, bob    *http.Cookie
	adminNote     int64
	bobNote       int64
	notes         *notes.Store
	adminNotePath string
}

func newNotesSite(t *testing.T, mount string) *notesSite {
	t.Helper()
	site := newTestSite(t)
	if err := site.accounts.Create(t.Context(), "bob", "bob's long password"); err != nil {
		t.Fatal(err)
	}
	store := notes.NewStore(site.database)
	var handler http.Handler = Notes(store, site.pages, site.sessions, site.catalogue)
	if mount != "" {
		handler = framework.Mount(mount, handler)
	}
	s := &notesSite{testSite: site, handler: handler, mount: mount, notes: store,
		admin: site.logInAs(t, "admin", "secure123"), bob: site.logInAs(t, "bob", "bob's long password")}
	var err error
	if s.adminNote, err = store.Create(t.Context(), "admin", "Admin's note", "line one\nline <two>"); err != nil {
		t.Fatal(err)
	}
	if s.bobNote, err = store.Create(t.Context(), "bob", "Bob's note", "bob's text"); err != nil {
		t.Fatal(err)
	}
	s.adminNotePath = "/notes/" + strconv.FormatInt(s.adminNote, 10)
	return s
}

func TestNotes(t *testing.T) {
	for _, mount := range []string{"", "/app"} {
		t.Run("mount="+mount, func(t *testing.T) {
			site := newNotesSite(t, mount)
			bobNote := "/notes/" + strconv.FormatInt(site.bobNote, 10)
			note := site.adminNotePath
			tests := []struct {
				name         string
				method       string
				path         string
				form         url.Values
				anonymous    bool
				wantStatus   int
				wantLocation string // after the mount, for 303
				wantBody     string
			}{
				{name: "list", method: http.MethodGet, path: "/notes", wantStatus: http.StatusOK, wantBody: "Admin&#39;s note"},
				{name: "list with slash", method: http.MethodGet, path: "/notes/", wantStatus: http.StatusOK, wantBody: mount + note},
				{name: "list, page 1", method: http.MethodGet, path: "/notes?page=1", wantStatus: http.StatusOK},
				{name: "list, page past the end", method: http.MethodGet, path: "/notes?page=2", wantStatus: http.StatusNotFound},
				{name: "list, page 0", method: http.MethodGet, path: "/notes?page=0", wantStatus: http.StatusBadRequest},
				{name: "list, page -1", method: http.MethodGet, path: "/notes?page=-1", wantStatus: http.StatusBadRequest},
				{name: "list, page x", method: http.MethodGet, path: "/notes?page=x", wantStatus: http.StatusBadRequest},
				{name: "list, page overflowing", method: http.MethodGet, path: "/notes?page=99999999999999999999", wantStatus: http.StatusBadRequest},
				{name: "list, the last page number allowed", method: http.MethodGet, path: "/notes?page=" + strconv.Itoa(maxNotesPage), wantStatus: http.StatusNotFound},
				{name: "list, a page number past maxNotesPage", method: http.MethodGet, path: "/notes?page=" + strconv.Itoa(maxNotesPage+1), wantStatus: http.StatusBadRequest},
				{name: "list, anonymous", method: http.MethodGet, path: "/notes", anonymous: true,
					wantStatus: http.StatusSeeOther, wantLocation: "/login?next=/notes"},
				{name: "list, POST", method: http.MethodPost, path: "/notes", wantStatus: http.StatusMethodNotAllowed},
				{name: "list, POST anonymous", method: http.MethodPost, path: "/notes", anonymous: true, wantStatus: http.StatusMethodNotAllowed},
				{name: "new form", method: http.MethodGet, path: "/notes/new", wantStatus: http.StatusOK, wantBody: `action="` + mount + `/notes/new"`},
				{name: "create", method: http.MethodPost, path: "/notes/new", form: url.Values{"title": {"Shopping"}, "body": {"milk"}},
					wantStatus: http.StatusSeeOther, wantLocation: "/notes/"},
				{name: "create without title", method: http.MethodPost, path: "/notes/new", form: url.Values{"title": {""}, "body": {"milk"}},
					wantStatus: http.StatusUnprocessableEntity, wantBody: "Give the note a title."},
				{name: "create with a long title", method: http.MethodPost, path: "/notes/new",
					form:       url.Values{"title": {strings.Repeat("é", notes.MaxTitleRunes+1)}, "body": {""}},
					wantStatus: http.StatusUnprocessableEntity, wantBody: "A title has at most 120 characters."},
				{name: "create with a title at the limit", method: http.MethodPost, path: "/notes/new",
					form:       url.Values{"title": {strings.Repeat("é", notes.MaxTitleRunes)}, "body": {""}},
					wantStatus: http.StatusSeeOther, wantLocation: "/notes/"},
				{name: "create with a long body", method: http.MethodPost, path: "/notes/new",
					form:       url.Values{"title": {"t"}, "body": {strings.Repeat("a", notes.MaxBodyRunes+1)}},
					wantStatus: http.StatusUnprocessableEntity, wantBody: "A note has at most 10000 characters."},
				{name: "create with a body over the form limit", method: http.MethodPost, path: "/notes/new",
					form:       url.Values{"title": {"t"}, "body": {strings.Repeat("a", framework.MaxFormBytes)}},
					wantStatus: http.StatusRequestEntityTooLarge},
				{name: "show", method: http.MethodGet, path: note, wantStatus: http.StatusOK, wantBody: "line one\nline &lt;two&gt;"},
				{name: "show, HEAD", method: http.MethodHead, path: note, wantStatus: http.StatusOK},
				{name: "show another user's", method: http.MethodGet, path: bobNote, wantStatus: http.StatusNotFound},
				{name: "show a missing note", method: http.MethodGet, path: "/notes/999999", wantStatus: http.StatusNotFound},
				{name: "show, id 0", method: http.MethodGet, path: "/notes/0", wantStatus: http.StatusNotFound},
				{name: "show, id 007", method: http.MethodGet, path: "/notes/007", wantStatus: http.StatusNotFound},
				{name: "show, id x", method: http.MethodGet, path: "/notes/x", wantStatus: http.StatusNotFound},
				{name: "show, id overflowing", method: http.MethodGet, path: "/notes/9223372036854775808", wantStatus: http.StatusNotFound},
				{name: "show, trailing slash", method: http.MethodGet, path: note + "/", wantStatus: http.StatusNotFound},
				{name: "show, DELETE", method: http.MethodDelete, path: note, wantStatus: http.StatusMethodNotAllowed},
				{name: "unknown action", method: http.MethodGet, path: note + "/print", wantStatus: http.StatusNotFound},
				{name: "below an action", method: http.MethodGet, path: note + "/edit/x", wantStatus: http.StatusNotFound},
				{name: "edit form", method: http.MethodGet, path: note + "/edit", wantStatus: http.StatusOK, wantBody: `name="version" value="1"`},
				{name: "edit another user's", method: http.MethodGet, path: bobNote + "/edit", wantStatus: http.StatusNotFound},
				{name: "save another user's", method: http.MethodPost, path: bobNote + "/edit",
					form: url.Values{"title": {"mine"}, "body": {""}, "version": {"1"}}, wantStatus: http.StatusNotFound},
				{name: "save without version", method: http.MethodPost, path: note + "/edit",
					form: url.Values{"title": {"t"}, "body": {""}}, wantStatus: http.StatusBadRequest},
				{name: "save without title", method: http.MethodPost, path: note + "/edit",
					form: url.Values{"title": {""}, "body": {""}, "version": {"1"}}, wantStatus: http.StatusUnprocessableEntity},
				{name: "delete another user's", method: http.MethodPost, path: bobNote + "/delete", wantStatus: http.StatusNotFound},
				{name: "delete, GET", method: http.MethodGet, path: note + "/delete", wantStatus: http.StatusMethodNotAllowed},
				{name: "delete, anonymous", method: http.MethodPost, path: note + "/delete", anonymous: true,
					wantStatus: http.StatusSeeOther, wantLocation: "/login?next=" + note + "/delete"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					var cookies []*http.Cookie
					if !tc.anonymous {
						cookies = append(cookies, site.admin)
					}
					rec := site.serve(site.handler, tc.method, mount+tc.path, tc.form, cookies...)
					if rec.Code != tc.wantStatus {
						t.Fatalf("%s %s: status = %d, want %d\n%s", tc.method, mount+tc.path, rec.Code, tc.wantStatus, rec.Body)
					}
					if location := rec.Header().Get("Location"); tc.wantLocation != "" && !strings.HasPrefix(location, mount+tc.wantLocation) {
						t.Errorf("%s %s: Location = %q, want %q…", tc.method, mount+tc.path, location, mount+tc.wantLocation)
					}
					if !strings.Contains(rec.Body.String(), tc.wantBody) {
						t.Errorf("%s %s: body lacks %q:\n%s", tc.method, mount+tc.path, tc.wantBody, rec.Body)
					}
				})
			}
			// Bob's note survived every attempt of admin's.
			if note, err := site.notes.Get(t.Context(), "bob", site.bobNote); err != nil || note.Title != "Bob's note" {
				t.Errorf("bob's note after admin's attempts: %+v, %v", note, err)
			}
		})
	}
}

// TestNotesNotFoundLooksAlike checks that another user's note and a note
// that does not exist get the same page, but for the path each asked for,
// which the language switch sends back to.
func TestNotesNotFoundLooksAlike(t *testing.T) {
	site := newNotesSite(t, "")
	othersPath, missingPath := "/notes/"+strconv.FormatInt(site.bobNote, 10), "/notes/999999"
	others := site.serve(site.handler, http.MethodGet, othersPath, nil, site.admin)
	missing := site.serve(site.handler, http.MethodGet, missingPath, nil, site.admin)
	if others.Code != http.StatusNotFound ||
		strings.ReplaceAll(others.Body.String(), othersPath, "") != strings.ReplaceAll(missing.Body.String(), missingPath, "") {
		t.Errorf("another user's note: %d, want %d and the page a missing note gets", others.Code, http.StatusNotFound)
	}
}

// TestNotesEditFlow edits a note, sees the flash once, then saves a stale
// copy of the form: 409 with both texts, and nothing lost.
func TestNotesEditFlow(t *testing.T) {
	site := newNotesSite(t, "")
	edit := site.adminNotePath + "/edit"
	save := func(title string, version int, cookie *http.Cookie) *httptest.ResponseRecorder {
		form := url.Values{"title": {title}, "body": {title + "'s body"}, "version": {strconv.Itoa(version)}}
		return site.serve(site.handler, http.MethodPost, edit, form, cookie)
	}
	rec := save("First edit", 1, site.admin)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != site.adminNotePath {
		t.Fatalf("POST %s: %d to %q, want %d to %s", edit, rec.Code, rec.Header().Get("Location"), http.StatusSeeOther, site.adminNotePath)
	}
	cookie := rec.Result().Cookies()[0] // the session, with the flash
	for i, want := range []bool{true, false} {
		page := site.serve(site.handler, http.MethodGet, site.adminNotePath, nil, cookie)
		if got := strings.Contains(page.Body.String(), english(t, noteSaved)); got != want {
			t.Errorf("GET %s, %d after saving: flash shown = %v, want %v", site.adminNotePath, i+1, got, want)
		}
		if cookies := page.Result().Cookies(); len(cookies) == 1 {
			cookie = cookies[0]
		}
	}

	// A second tab still holds version 1.
	rec = save("Stale edit", 1, cookie)
	body := rec.Body.String()
	if rec.Code != http.StatusConflict {
		t.Fatalf("POST %s at version 1 after version 2: %d, want %d", edit, rec.Code, http.StatusConflict)
	}
	for _, want := range []string{"First edit", "Stale edit", `name="version" value="2"`, "was changed after you opened it"} {
		if !strings.Contains(body, want) {
			t.Errorf("409 page lacks %q:\n%s", want, body)
		}
	}
	if note, _ := site.notes.Get(t.Context(), "admin", site.adminNote); note.Title != "First edit" {
		t.Errorf("after the conflict: title %q, want the first edit's", note.Title)
	}
	// Saving the form again, at the version it now carries, wins.
	if rec := save("Stale edit", 2, cookie); rec.Code != http.StatusSeeOther {
		t.Errorf("POST %s at version 2: %d, want %d", edit, rec.Code, http.StatusSeeOther)
	}
}

// TestNotesPages checks the list's pages: 20 a page, newest first, with
// links to the next and previous pages.
func TestNotesPages(t *testing.T) {
	site := newNotesSite(t, "")
	for i := range 2 * notesPerPage {
		if _, err := site.notes.Create(t.Context(), "admin", fmt.Sprintf("note %02d", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		query   string
		want    []string
		notWant []string
	}{
		{query: "", want: []string{"note 39", `rel="next" href="/notes?page=2"`}, notWant: []string{"note 19", `rel="prev"`}},
		{query: "?page=2", want: []string{"note 19", `rel="prev" href="/notes?page=1"`, `rel="next" href="/notes?page=3"`}, notWant: []string{"note 39"}},
		{query: "?page=3", want: []string{"Admin&#39;s note", `rel="prev"`}, notWant: []string{`rel="next"`}},
	}
	for _, tc := range tests {
		rec := site.serve(site.handler, http.MethodGet, "/notes"+tc.query, nil, site.admin)
		for _, want := range tc.want {
			if !strings.Contains(rec.Body.String(), want) {
				t.Errorf("GET /notes%s: body lacks %q", tc.query, want)
			}
		}
		for _, notWant := range tc.notWant {
			if strings.Contains(rec.Body.String(), notWant) {
				t.Errorf("GET /notes%s: body has %q", tc.query, notWant)
			}
		}
	}
}
