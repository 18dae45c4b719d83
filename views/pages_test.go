package views

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/miniweb/framework"
	"example.com/miniweb/locales"
)

// TestReturnPath checks where the switch on a page sends the browser
// back to.
func TestReturnPath(t *testing.T) {
	tests := []struct {
		name, method, target, referer, scriptName, want string
	}{
		{"a GET with a query", http.MethodGet, "/notes?page=2", "", "", "/notes?page=2"},
		{"HEAD", http.MethodHead, "/home", "", "", "/home"},
		{"an escaped ? stays escaped", http.MethodGet, "/a%3Fb", "", "", "/a%3Fb"},
		{"an escaped path", http.MethodGet, "/%E7%AC%94%E8%AE%B0", "", "", "/%E7%AC%94%E8%AE%B0"},
		{"a form shown again", http.MethodPost, "/account", "http://example.com/account", "", "/account"},
		{"a form from a page with a query", http.MethodPost, "/login", "http://example.com/login?next=/notes", "", "/login?next=/notes"},
		{"a form under a mount", http.MethodPost, "/notes/5/edit", "http://example.com/app/notes/5/edit", "/app", "/notes/5/edit"},
		{"a Referer outside the mount", http.MethodPost, "/login", "http://example.com/other/login", "/app", "/"},
		{"a Referer of another site", http.MethodPost, "/login", "https://evil.example/login", "", "/"},
		{"no Referer", http.MethodPost, "/notes/5/delete", "", "", "/"},
		{"a malformed Referer", http.MethodPost, "/login", "http://example.com/%zz", "", "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			if tc.referer != "" {
				r.Header.Set("Referer", tc.referer)
			}
			if tc.scriptName != "" {
				// Mount puts SCRIPT_NAME in the request's context.
				framework.Mount(tc.scriptName, http.HandlerFunc(func(w http.ResponseWriter, mounted *http.Request) {
					r = mounted
				})).ServeHTTP(httptest.NewRecorder(), withPrefix(r, tc.scriptName))
			}
			if got := returnPath(r); got != tc.want {
				t.Errorf("%s %s, Referer %q: returnPath = %q, want %q", tc.method, tc.target, tc.referer, got, tc.want)
			}
		})
	}
}

// withPrefix returns r as a client of an application mounted at prefix
// sends it: with prefix in front of its path.
func withPrefix(r *http.Request, prefix string) *http.Request {
	prefixed := r.Clone(r.Context())
	prefixed.URL.Path = prefix + r.URL.Path
	prefixed.RequestURI = prefix + r.RequestURI
	return prefixed
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
