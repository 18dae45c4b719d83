package baseline

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/gorilla/securecookie"

	"example.com/miniweb/locales"
)

func TestHandler(t *testing.T) {
	hashKey, blockKey := bytes.Repeat([]byte{1}, 64), bytes.Repeat([]byte{2}, 32)
	catalogue, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	handler, err := Handler(os.DirFS("../../templates"), catalogue, hashKey, blockKey)
	if err != nil {
		t.Fatal(err)
	}
	codec := securecookie.New(hashKey, blockKey).SetSerializer(securecookie.JSONEncoder{})
	value, err := codec.Encode("session", Session{User: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		path       string
		cookie     string
		wantStatus int
		wantBody   string
	}{
		{name: "login form", path: "/login", wantStatus: http.StatusOK, wantBody: `name="password"`},
		{name: "home without a session", path: "/home", wantStatus: http.StatusSeeOther},
		{name: "home with a forged session", path: "/home", cookie: "forged", wantStatus: http.StatusSeeOther},
		{name: "home with a session", path: "/home", cookie: value, wantStatus: http.StatusOK, wantBody: "Welcome back, admin!"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "session", Value: tc.cookie})
			}
			recorder := httptest.NewRecorder()
			handler.ServeHTTP(recorder, r)
			if recorder.Code != tc.wantStatus {
				t.Errorf("GET %s: status = %d, want %d", tc.path, recorder.Code, tc.wantStatus)
			}
			if !bytes.Contains(recorder.Body.Bytes(), []byte(tc.wantBody)) {
				t.Errorf("GET %s: body does not contain %q", tc.path, tc.wantBody)
			}
		})
	}
}
