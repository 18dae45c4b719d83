package framework

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequireUser(t *testing.T) {
	pages, sessions, logs := newTestPages(t, testTemplates(), false)
	cookie, _ := saveCookie(t, sessions, "", "/", start(t, sessions, "ann"))
	handler := sessions.Middleware()(RequireUser(sessions, pages, "/login")(text("secret page")))
	tests := []struct {
		name         string
		target       string
		cookie       *http.Cookie
		down         bool // the generations store fails
		wantStatus   int
		wantLocation string
		wantBody     string
	}{
		{name: "logged in", target: "/account", cookie: cookie, wantStatus: http.StatusOK, wantBody: "secret page"},
		{name: "visitor", target: "/account", wantStatus: http.StatusSeeOther, wantLocation: "/login?next=/account"},
		{name: "visitor, with a query", target: "/notes?page=2&x=a%20b", wantStatus: http.StatusSeeOther,
			wantLocation: "/login?next=/notes%3Fpage%3D2%26x%3Da%2520b"},
		{name: "store down", target: "/account", cookie: cookie, down: true, wantStatus: http.StatusInternalServerError, wantBody: serverErrorMarker},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.down {
				sessions.generations = failingGenerations{}
			}
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if tc.cookie != nil {
				r.AddCookie(tc.cookie)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, r)
			if rec.Code != tc.wantStatus || rec.Header().Get("Location") != tc.wantLocation || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Errorf("GET %s: %d to %q, body %.60q; want %d to %q, body with %q",
					tc.target, rec.Code, rec.Header().Get("Location"), rec.Body, tc.wantStatus, tc.wantLocation, tc.wantBody)
			}
		})
	}
	if !strings.Contains(logs.String(), "store down") {
		t.Errorf("log lacks the store's error:\n%s", logs)
	}
}
