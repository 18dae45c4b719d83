package views

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"example.com/miniweb/locales"
)

// TestLanguage checks the switch's answers: the cookie and the redirect
// for a language of the site, 400 for any other, and a local next only.
func TestLanguage(t *testing.T) {
	site := newTestSite(t)
	handler := Language(site.pages, site.catalogue)
	tests := []struct {
		name         string
		form         url.Values
		wantStatus   int
		wantCookie   string // the lang cookie's value, "" for none
		wantLocation string
	}{
		{"Chinese", url.Values{"lang": {"zh-Hans"}, "next": {"/notes?page=2"}}, http.StatusSeeOther, "zh-Hans", "/notes?page=2"},
		{"English", url.Values{"lang": {"en"}, "next": {"/home"}}, http.StatusSeeOther, "en", "/home"},
		{"no next", url.Values{"lang": {"en"}}, http.StatusSeeOther, "en", "/"},
		{"next elsewhere", url.Values{"lang": {"en"}, "next": {"https://evil.example/"}}, http.StatusSeeOther, "en", "/"},
		{"a language the site lacks", url.Values{"lang": {"fr"}, "next": {"/"}}, http.StatusBadRequest, "", ""},
		{"the tag in another case", url.Values{"lang": {"ZH-HANS"}}, http.StatusBadRequest, "", ""},
		{"no language", url.Values{"next": {"/"}}, http.StatusBadRequest, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := site.serve(handler, http.MethodPost, "/language", tc.form)
			if rec.Code != tc.wantStatus || rec.Header().Get("Location") != tc.wantLocation {
				t.Errorf("POST /language %s: %d to %q, want %d to %q", tc.form.Encode(), rec.Code, rec.Header().Get("Location"), tc.wantStatus, tc.wantLocation)
			}
			var got string
			for _, cookie := range rec.Result().Cookies() {
				if cookie.Name == locales.CookieName {
					got = cookie.Value
				}
			}
			if got != tc.wantCookie {
				t.Errorf("POST /language %s: cookie %q, want %q", tc.form.Encode(), got, tc.wantCookie)
			}
		})
	}
	if rec := site.serve(handler, http.MethodGet, "/language", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /language: %d, want %d", rec.Code, http.StatusMethodNotAllowed)
	}
}

// TestReturnPath checks where the switch on a page sends the browser
// back to.
func TestReturnPath(t *testing.T) {
	tests := []struct {
		method, target, want string
	}{
		{http.MethodGet, "/notes?page=2", "/notes?page=2"},
		{http.MethodHead, "/home", "/home"},
		{http.MethodGet, "/a%3Fb", "/a%3Fb"}, // escaped as sent, not turned into a query
		{http.MethodGet, "/%E7%AC%94%E8%AE%B0", "/%E7%AC%94%E8%AE%B0"},
		{http.MethodPost, "/login", "/"},
		{http.MethodPost, "/notes/5/delete", "/"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		if got := returnPath(r); got != tc.want {
			t.Errorf("%s %s: returnPath = %q, want %q", tc.method, tc.target, got, tc.want)
		}
	}
}

// TestPageGlobals checks the header fields every page gets, set once
// however often the globals run, as they do twice for a page that fails.
func TestPageGlobals(t *testing.T) {
	catalogue, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	globals := PageGlobals(catalogue)
	r := httptest.NewRequest(http.MethodGet, "/login", nil)
	r.Header.Set("Accept-Language", "zh-TW")
	rec := httptest.NewRecorder()
	globals(rec, r)
	context := globals(rec, r)
	if got := rec.Header().Values("Vary"); strings.Join(got, ",") != "Accept-Language" {
		t.Errorf("Vary = %q, want Accept-Language once", got)
	}
	if got := rec.Header().Get("Content-Language"); got != "zh-Hans" {
		t.Errorf("Content-Language = %q, want zh-Hans", got)
	}
	if context["lang"] != "zh-Hans" || context["here"] != "/login" {
		t.Errorf("lang %v, here %v; want zh-Hans, /login", context["lang"], context["here"])
	}
	translate, ok := context["t"].(func(string, ...any) string)
	if !ok || translate("LogIn") != "登录" {
		t.Errorf("t is %T, want the Chinese Text", context["t"])
	}
}
