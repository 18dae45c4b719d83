package views

import (
	"net/http"
	"net/url"
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
