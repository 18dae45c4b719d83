package framework

import (
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

const (
	styleCSS = "body { color: black; }\n"
	appCSS   = "main { margin: 0 auto; }\n"
	// indexHTML is served at its own name: no redirect to the directory.
	indexHTML = "<p>index</p>\n"
)

// testStatic returns static files with names a site must not serve
// among them.
func testStatic() fstest.MapFS {
	return fstest.MapFS{
		"style.css":   {Data: []byte(styleCSS)},
		"css/app.css": {Data: []byte(appCSS)},
		"index.html":  {Data: []byte(indexHTML)},
		".env":        {Data: []byte("SECRET=hunter2\n")},
		".git/config": {Data: []byte("[core]\n")},
		"dir/.hidden": {Data: []byte("hidden\n")},
		"empty":       {Mode: fs.ModeDir | 0o755},
	}
}

func TestStaticFilesRoutes(t *testing.T) {
	routes, err := StaticFiles(testStatic(), "/static/")
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Keys(routes))
	want := []string{"/static/css/app.css", "/static/index.html", "/static/style.css"}
	if !slices.Equal(got, want) {
		t.Errorf("StaticFiles routes = %q, want %q", got, want)
	}
}

func TestStaticFilesServe(t *testing.T) {
	static, err := StaticFiles(testStatic(), "/static/")
	if err != nil {
		t.Fatal(err)
	}
	routes := Routes{"/": text("home")}
	maps.Copy(routes, static)

	const css = "text/css; charset=utf-8"
	tests := []struct {
		name       string
		method     string
		target     string // a raw request target, not cleaned
		header     map[string]string
		wantStatus int
		wantBody   string
		wantType   string // Content-Type, when the file is served
	}{
		{name: "file", method: http.MethodGet, target: "/static/style.css", wantStatus: http.StatusOK, wantBody: styleCSS, wantType: css},
		{name: "file in a directory", method: http.MethodGet, target: "/static/css/app.css", wantStatus: http.StatusOK, wantBody: appCSS, wantType: css},
		{name: "index.html", method: http.MethodGet, target: "/static/index.html", wantStatus: http.StatusOK, wantBody: indexHTML, wantType: "text/html; charset=utf-8"},
		{name: "query string", method: http.MethodGet, target: "/static/style.css?v=2", wantStatus: http.StatusOK, wantBody: styleCSS, wantType: css},
		{name: "HEAD", method: http.MethodHead, target: "/static/style.css", wantStatus: http.StatusOK, wantBody: "", wantType: css},
		{name: "range", method: http.MethodGet, target: "/static/style.css", header: map[string]string{"Range": "bytes=0-3"},
			wantStatus: http.StatusPartialContent, wantBody: styleCSS[:4], wantType: css},
		{name: "POST", method: http.MethodPost, target: "/static/style.css", wantStatus: http.StatusMethodNotAllowed, wantBody: "405 method not allowed\n"},
		{name: "static directory", method: http.MethodGet, target: "/static/", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "static without slash", method: http.MethodGet, target: "/static", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "subdirectory", method: http.MethodGet, target: "/static/css/", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "empty directory", method: http.MethodGet, target: "/static/empty/", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "dot dot", method: http.MethodGet, target: "/static/../go.mod", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "dot dot to a served file", method: http.MethodGet, target: "/static/css/../style.css", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "escaped dot dot", method: http.MethodGet, target: "/static/%2e%2e/x", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "escaped slash", method: http.MethodGet, target: "/static/..%2fx", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "double slash", method: http.MethodGet, target: "/static//style.css", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "dot file", method: http.MethodGet, target: "/static/.env", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "dot directory", method: http.MethodGet, target: "/static/.git/config", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
		{name: "dot file in a directory", method: http.MethodGet, target: "/static/dir/.hidden", wantStatus: http.StatusNotFound, wantBody: notFoundBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			for name, value := range tc.header {
				r.Header.Set(name, value)
			}
			rec := httptest.NewRecorder()
			routes.ServeHTTP(rec, r)
			if rec.Code != tc.wantStatus {
				t.Errorf("%s %s: status = %d, want %d", tc.method, tc.target, rec.Code, tc.wantStatus)
			}
			if got := rec.Body.String(); got != tc.wantBody {
				t.Errorf("%s %s: body = %q, want %q", tc.method, tc.target, got, tc.wantBody)
			}
			if tc.wantType == "" {
				return
			}
			if got := rec.Header().Get("Content-Type"); got != tc.wantType {
				t.Errorf("%s %s: Content-Type = %q, want %q", tc.method, tc.target, got, tc.wantType)
			}
			if got := rec.Header().Get("Cache-Control"); got != StaticCacheControl {
				t.Errorf("%s %s: Cache-Control = %q, want %q", tc.method, tc.target, got, StaticCacheControl)
			}
			if tc.method == http.MethodHead {
				if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(len(styleCSS)); got != want {
					t.Errorf("%s %s: Content-Length = %q, want %q", tc.method, tc.target, got, want)
				}
			}
		})
	}
}

// TestStaticFilesOnDisk checks the same rules on a real directory, where
// a symbolic link could point outside it.
func TestStaticFilesOnDisk(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	for name, contents := range map[string]string{
		filepath.Join(dir, "style.css"):       styleCSS,
		filepath.Join(dir, ".env"):            "SECRET=hunter2\n",
		filepath.Join(outside, "secret.txt"):  "secret\n",
		filepath.Join(dir, "css", "app.css"):  appCSS,
		filepath.Join(dir, ".git", "config"):  "[core]\n",
		filepath.Join(dir, "dir", ".hidden"):  "hidden\n",
		filepath.Join(dir, "empty", ".keep"):  "",
		filepath.Join(dir, "notes", "a.txt"):  "a\n",
		filepath.Join(dir, "notes", ".b.txt"): "b\n",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(contents), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	routes, err := StaticFiles(os.DirFS(dir), "/static/")
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Keys(routes))
	want := []string{"/static/css/app.css", "/static/notes/a.txt", "/static/style.css"}
	if !slices.Equal(got, want) {
		t.Errorf("StaticFiles(%s) routes = %q, want %q", dir, got, want)
	}
}

func TestStaticFilesError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	routes, err := StaticFiles(os.DirFS(missing), "/static/")
	if err == nil {
		t.Fatalf("StaticFiles(%s) = %d routes, want an error", missing, len(routes))
	}
	if !strings.HasPrefix(err.Error(), "framework: ") {
		t.Errorf("StaticFiles(%s): error %q, want the prefix %q", missing, err, "framework: ")
	}
}

func TestStaticFilesPrefix(t *testing.T) {
	for _, prefix := range []string{"/static/", "/", "/assets/v2/"} {
		if _, err := StaticFiles(testStatic(), prefix); err != nil {
			t.Errorf("StaticFiles(%q): %v, want no error", prefix, err)
		}
	}
	for _, prefix := range []string{"/static", "static/", "", "static"} {
		if routes, err := StaticFiles(testStatic(), prefix); err == nil {
			t.Errorf("StaticFiles(%q) = %d routes, want an error: %q+\"style.css\" is no path", prefix, len(routes), prefix)
		}
	}
}
