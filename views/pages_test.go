package views

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/miniweb/locales"
)

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
