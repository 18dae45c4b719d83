package framework

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestSecurityHeaders(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
	}{
		{name: "200", handler: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }, wantStatus: http.StatusOK},
		{name: "404 from http.NotFound", handler: http.NotFound, wantStatus: http.StatusNotFound},
		{name: "http.Error", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, wantStatus: http.StatusInternalServerError},
		{name: "redirect", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/home", http.StatusSeeOther)
		}, wantStatus: http.StatusSeeOther},
	}
	wantHeaders := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": ContentSecurityPolicy,
		"Referrer-Policy":         ReferrerPolicy,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			SecurityHeaders()(tc.handler).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("%s: status = %d, want %d", tc.name, rec.Code, tc.wantStatus)
			}
			for name, want := range wantHeaders {
				if got := rec.Result().Header.Values(name); len(got) != 1 || got[0] != want {
					t.Errorf("%s: %s = %q, want [%q]", tc.name, name, got, want)
				}
			}
		})
	}
}
