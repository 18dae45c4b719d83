package framework

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRecover(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantPanic  any    // what ServeHTTP panics with, or nil
		wantStatus int    // when it does not panic
		wantBody   string // in the body, when it does not panic
		wantLog    string // in the log, or "" for no log
	}{
		{name: "no panic",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusTeapot)
				w.Write([]byte("short and stout"))
			},
			wantStatus: http.StatusTeapot, wantBody: "short and stout"},
		{name: "panic before writing",
			handler:    func(w http.ResponseWriter, r *http.Request) { panic("secret detail") },
			wantStatus: http.StatusInternalServerError, wantBody: serverErrorMarker, wantLog: "secret detail"},
		{name: "panic with an error",
			handler:    func(w http.ResponseWriter, r *http.Request) { panic(errors.New("secret detail")) },
			wantStatus: http.StatusInternalServerError, wantBody: serverErrorMarker, wantLog: "secret detail"},
		{name: "panic after setting a cookie",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.SetCookie(w, &http.Cookie{Name: "session", Value: "half-done"})
				panic("secret detail")
			},
			wantStatus: http.StatusInternalServerError, wantBody: serverErrorMarker, wantLog: "secret detail"},
		{name: "panic after writing",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("half a page")); panic("secret detail") },
			wantPanic: http.ErrAbortHandler, wantLog: "secret detail"},
		{name: "panic after WriteHeader",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK); panic("secret detail") },
			wantPanic: http.ErrAbortHandler, wantLog: "secret detail"},
		{name: "ErrAbortHandler passes through",
			handler:   func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) },
			wantPanic: http.ErrAbortHandler},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, _, logs := newTestPages(t, testTemplates(), false)
			rec, panicked := serveRecovering(Recover(pages)(tc.handler), httptest.NewRequest(http.MethodGet, "/boom", nil))
			if panicked != tc.wantPanic {
				t.Fatalf("GET /boom: panic = %v, want %v", panicked, tc.wantPanic)
			}
			if tc.wantPanic == nil {
				if rec.Code != tc.wantStatus {
					t.Errorf("GET /boom: status = %d, want %d", rec.Code, tc.wantStatus)
				}
				body := rec.Body.String()
				if !strings.Contains(body, tc.wantBody) {
					t.Errorf("GET /boom: body lacks %q:\n%s", tc.wantBody, body)
				}
				for _, leak := range []string{"secret", "goroutine", ".go:"} {
					if strings.Contains(body, leak) {
						t.Errorf("GET /boom: body contains %q:\n%s", leak, body)
					}
				}
				if cookies := rec.Result().Cookies(); tc.wantStatus == http.StatusInternalServerError && len(cookies) != 0 {
					t.Errorf("GET /boom: 500 with cookies %v, want none", cookies)
				}
			}
			if tc.wantLog == "" {
				if logs.Len() != 0 {
					t.Errorf("GET /boom: logged %q, want nothing", logs)
				}
				return
			}
			for _, want := range []string{"level=ERROR", "panic serving request", "path=/boom", tc.wantLog, "goroutine", "stack="} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("GET /boom: log lacks %q:\n%s", want, logs)
				}
			}
		})
	}
}

// serveRecovering serves r with handler and returns the response and
// what ServeHTTP panicked with, or nil.
func serveRecovering(handler http.Handler, r *http.Request) (rec *httptest.ResponseRecorder, panicked any) {
	rec = httptest.NewRecorder()
	defer func() { panicked = recover() }()
	handler.ServeHTTP(rec, r)
	return rec, nil
}
