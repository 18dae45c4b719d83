package framework

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// seen is what a handler behind Mount saw of its request.
type seen struct {
	scriptName string // ScriptName(r)
	pathInfo   string // r.URL.Path, WSGI's PATH_INFO
	rawPath    string // r.URL.RawPath
	url        string // MountedPath(r, "/login")
}

// recordingHandler returns a handler that stores what it sees in *got
// and answers 200 OK.
func recordingHandler(got *seen) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*got = seen{
			scriptName: ScriptName(r),
			pathInfo:   r.URL.Path,
			rawPath:    r.URL.RawPath,
			url:        MountedPath(r, "/login"),
		}
	})
}

func TestMount(t *testing.T) {
	var got seen
	single := Mount("/app", recordingHandler(&got))
	nested := Mount("/a", Mount("/b", recordingHandler(&got)))
	tests := []struct {
		name       string
		handler    http.Handler
		target     string
		wantStatus int
		want       seen // zero when the handler must not be called
	}{
		{name: "path below", handler: single, target: "/app/login", wantStatus: http.StatusOK,
			want: seen{scriptName: "/app", pathInfo: "/login", url: "/app/login"}},
		{name: "prefix itself", handler: single, target: "/app", wantStatus: http.StatusOK,
			want: seen{scriptName: "/app", pathInfo: "/", url: "/app/login"}},
		{name: "prefix with slash", handler: single, target: "/app/", wantStatus: http.StatusOK,
			want: seen{scriptName: "/app", pathInfo: "/", url: "/app/login"}},
		{name: "query string kept out of the path", handler: single, target: "/app/login?next=/home", wantStatus: http.StatusOK,
			want: seen{scriptName: "/app", pathInfo: "/login", url: "/app/login"}},
		{name: "escaped slash keeps RawPath", handler: single, target: "/app/a%2Fb", wantStatus: http.StatusOK,
			want: seen{scriptName: "/app", pathInfo: "/a/b", rawPath: "/a%2Fb", url: "/app/login"}},
		{name: "escaped letter", handler: single, target: "/app/caf%C3%A9", wantStatus: http.StatusOK,
			want: seen{scriptName: "/app", pathInfo: "/café", url: "/app/login"}},
		{name: "same letters", handler: single, target: "/apple", wantStatus: http.StatusNotFound},
		{name: "other path", handler: single, target: "/other", wantStatus: http.StatusNotFound},
		{name: "root", handler: single, target: "/", wantStatus: http.StatusNotFound},
		{name: "shorter", handler: single, target: "/ap", wantStatus: http.StatusNotFound},
		{name: "nested", handler: nested, target: "/a/b/x", wantStatus: http.StatusOK,
			want: seen{scriptName: "/a/b", pathInfo: "/x", url: "/a/b/login"}},
		{name: "nested prefix itself", handler: nested, target: "/a/b", wantStatus: http.StatusOK,
			want: seen{scriptName: "/a/b", pathInfo: "/", url: "/a/b/login"}},
		{name: "nested outer only", handler: nested, target: "/a", wantStatus: http.StatusNotFound},
		{name: "nested same letters", handler: nested, target: "/a/bc", wantStatus: http.StatusNotFound},
		{name: "nested wrong order", handler: nested, target: "/b/a/x", wantStatus: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got = seen{}
			rec := httptest.NewRecorder()
			tc.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.target, nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("GET %s: status = %d, want %d", tc.target, rec.Code, tc.wantStatus)
			}
			if got != tc.want {
				t.Errorf("GET %s: handler saw %+v, want %+v", tc.target, got, tc.want)
			}
		})
	}
}

// TestMountLeavesRequest checks that Mount does not change the request it
// was given, which net/http forbids handlers to do: middleware outside
// Mount, such as a logger, must still see the path the client sent.
func TestMountLeavesRequest(t *testing.T) {
	handler := Mount("/app", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, target := range []string{"/app", "/app/", "/app/login", "/app/a%2Fb"} {
		t.Run(target, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, target, nil)
			before := *r.URL
			handler.ServeHTTP(httptest.NewRecorder(), r)
			if *r.URL != before {
				t.Errorf("GET %s: request URL after Mount = %+v, want %+v", target, *r.URL, before)
			}
		})
	}
}

// TestMountRawPath checks that whenever Mount calls its handler, the
// escaped path still decodes to the path, so that r.URL.EscapedPath is
// consistent with r.URL.Path.
func TestMountRawPath(t *testing.T) {
	targets := []string{
		"/app/a%2Fb", "/app/a%2fb/c", "/app/%2F", "/app%2Fx", "/%61pp", "/%61pp/login",
		"/app/caf%C3%A9", "/app/a%20b", "/app/%2e%2e/x",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			called := false
			handler := Mount("/app", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				unescaped, err := url.PathUnescape(r.URL.EscapedPath())
				if err != nil || unescaped != r.URL.Path {
					t.Errorf("GET %s: EscapedPath %q decodes to %q, %v; want Path %q",
						target, r.URL.EscapedPath(), unescaped, err, r.URL.Path)
				}
				if !strings.HasPrefix(r.URL.Path, "/") {
					t.Errorf("GET %s: PATH_INFO = %q, want a leading slash", target, r.URL.Path)
				}
			}))
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
			if !called && rec.Code != http.StatusNotFound {
				t.Errorf("GET %s: handler not called, status = %d, want %d", target, rec.Code, http.StatusNotFound)
			}
		})
	}
}

func TestMountPanics(t *testing.T) {
	tests := []struct {
		prefix    string
		wantPanic bool
	}{
		{prefix: "/app", wantPanic: false},
		{prefix: "/a/b", wantPanic: false},
		{prefix: "app", wantPanic: true},
		{prefix: "/app/", wantPanic: true},
		{prefix: "/", wantPanic: true},
		{prefix: "", wantPanic: true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.prefix), func(t *testing.T) {
			defer func() {
				value := recover()
				if (value != nil) != tc.wantPanic {
					t.Fatalf("Mount(%q): panic = %v, want panic %v", tc.prefix, value, tc.wantPanic)
				}
				if message, _ := value.(string); tc.wantPanic && !strings.HasPrefix(message, "framework: ") {
					t.Errorf("Mount(%q): panic = %v, want a message starting %q", tc.prefix, value, "framework: ")
				}
			}()
			Mount(tc.prefix, http.NotFoundHandler())
		})
	}
}

func TestMountedPath(t *testing.T) {
	tests := []struct {
		name   string
		mount  string // "" for the root
		target string
		path   string
		want   string
	}{
		{name: "root", target: "/", path: "/login", want: "/login"},
		{name: "root with query", target: "/", path: "/login?next=/home", want: "/login?next=/home"},
		{name: "mounted", mount: "/app", target: "/app/home", path: "/login", want: "/app/login"},
		{name: "mounted root page", mount: "/app", target: "/app", path: "/", want: "/app/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = MountedPath(r, tc.path)
			})
			if tc.mount != "" {
				handler = Mount(tc.mount, handler)
			}
			handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tc.target, nil))
			if got != tc.want {
				t.Errorf("GET %s, MountedPath(r, %q) = %q, want %q", tc.target, tc.path, got, tc.want)
			}
		})
	}
}

func TestScriptNameOutsideMount(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/login?x=1", nil)
	if got := ScriptName(r); got != "" {
		t.Errorf("GET /login?x=1: ScriptName = %q, want %q", got, "")
	}
}

func TestShiftPath(t *testing.T) {
	// The cases come from Python's wsgiref.util.shift_path_info, run on
	// environ {"SCRIPT_NAME": scriptName, "PATH_INFO": pathInfo}; ok false
	// stands for Python's None.
	tests := []struct {
		scriptName, pathInfo                      string
		wantSegment, wantScriptName, wantPathInfo string
		wantOK                                    bool
	}{
		{"/foo", "/bar/baz", "bar", "/foo/bar", "/baz", true},
		{"", "/", "", "/", "", true},
		{"/foo", "/", "", "/foo/", "", true},
		{"/foo/", "/", "", "/foo/", "", true},
		{"/a", "/x//./y/", "x", "/a/x", "/y/", true},
		{"/a", "/.", "", "/a", "", false},
		{"/a", "/./", "", "/a/", "", true},
		{"/a", "/..", "..", "", "", true},
		{"/a", "//x", "x", "/a/x", "", true},
		{"/a", "/b/", "b", "/a/b", "/", true},
		{"", "/x/.", "x", "/x", "/.", true},
		// Python returns None for an empty PATH_INFO and changes nothing.
		{"/a", "", "", "/a", "", false},
		// The documented deviation: Python gives SCRIPT_NAME "//x".
		{"/", "/x", "x", "/x", "", true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q+%q", tc.scriptName, tc.pathInfo), func(t *testing.T) {
			segment, scriptName, pathInfo, ok := ShiftPath(tc.scriptName, tc.pathInfo)
			if segment != tc.wantSegment || scriptName != tc.wantScriptName || pathInfo != tc.wantPathInfo || ok != tc.wantOK {
				t.Errorf("ShiftPath(%q, %q) = %q, %q, %q, %v; want %q, %q, %q, %v",
					tc.scriptName, tc.pathInfo, segment, scriptName, pathInfo, ok,
					tc.wantSegment, tc.wantScriptName, tc.wantPathInfo, tc.wantOK)
			}
		})
	}
}

func FuzzShiftPath(f *testing.F) {
	seeds := [][2]string{
		{"/foo", "/bar/baz"}, {"", "/"}, {"/foo/", "/"}, {"/a", "/x//./y/"}, {"/a", "/."},
		{"/a", "/.."}, {"/a", "//x"}, {"", "/x/."}, {"/", "/x"}, {"/a", ""}, {"/a", "x/y"},
		{".", "/x"}, {"..", "/.."},
	}
	for _, seed := range seeds {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, scriptName, pathInfo string) {
		segment, newScriptName, newPathInfo, ok := ShiftPath(scriptName, pathInfo)
		if !strings.HasPrefix(pathInfo, "/") {
			// PEP 3333 requires PATH_INFO to be empty or start with "/";
			// anything else is left alone.
			if ok || segment != "" || newScriptName != scriptName || newPathInfo != pathInfo {
				t.Fatalf("ShiftPath(%q, %q) = %q, %q, %q, %v; want nothing shifted",
					scriptName, pathInfo, segment, newScriptName, newPathInfo, ok)
			}
			return
		}
		// Each shift consumes at least the leading "/", so that a loop of
		// shifts ends.
		if len(newPathInfo) >= len(pathInfo) {
			t.Fatalf("ShiftPath(%q, %q): PATH_INFO grew or kept its length: %q", scriptName, pathInfo, newPathInfo)
		}
		if newPathInfo != "" && !strings.HasPrefix(newPathInfo, "/") {
			t.Fatalf("ShiftPath(%q, %q): new PATH_INFO %q does not start with a slash", scriptName, pathInfo, newPathInfo)
		}
		if strings.Contains(segment, "/") {
			t.Fatalf("ShiftPath(%q, %q): segment %q contains a slash", scriptName, pathInfo, segment)
		}
		if !ok && segment != "" {
			t.Fatalf("ShiftPath(%q, %q): ok false with segment %q", scriptName, pathInfo, segment)
		}
		if ok && segment != "" && segment != ".." && !strings.HasSuffix(newScriptName, segment) {
			t.Fatalf("ShiftPath(%q, %q): new SCRIPT_NAME %q does not end with segment %q", scriptName, pathInfo, newScriptName, segment)
		}
		if ok && !strings.Contains(pathInfo+"/", "/"+segment+"/") {
			t.Fatalf("ShiftPath(%q, %q): segment %q is not a segment of PATH_INFO", scriptName, pathInfo, segment)
		}
	})
}

// TestSeeOther checks, over a real connection, that SeeOther answers GET
// and HEAD with the same header fields, an empty body and the Location
// inside the mount.
func TestSeeOther(t *testing.T) {
	server := httptest.NewServer(Mount("/app", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SeeOther(w, r, "/login?next=/home")
	})))
	defer server.Close()
	client := server.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var headers []http.Header
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		res, body := roundTrip(t, client, method, server.URL+"/app/home")
		if res.StatusCode != http.StatusSeeOther || body != "" || res.Header.Get("Location") != "/app/login?next=/home" {
			t.Errorf("%s /app/home: %d, Location %q, body %q; want %d, /app/login?next=/home, none",
				method, res.StatusCode, res.Header.Get("Location"), body, http.StatusSeeOther)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s /app/home: Cache-Control = %q, want no-store", method, got)
		}
		res.Header.Del("Date")
		headers = append(headers, res.Header)
	}
	if !reflect.DeepEqual(headers[0], headers[1]) {
		t.Errorf("SeeOther: GET header %v, HEAD header %v, want the same", headers[0], headers[1])
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		text   string
		want   int64
		wantOK bool
	}{
		{"1", 1, true},
		{"42", 42, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false}, // one past int64
		{"99999999999999999999", 0, false},
		{"0", 0, false},
		{"007", 0, false},
		{"+7", 0, false},
		{"-7", 0, false},
		{"", 0, false},
		{"7a", 0, false},
		{"1_000", 0, false},
		{" 7", 0, false},
		{"٧", 0, false}, // an Arabic-Indic seven
	}
	for _, tc := range tests {
		if got, ok := ParseID(tc.text); got != tc.want || ok != tc.wantOK {
			t.Errorf("ParseID(%q) = %d, %v; want %d, %v", tc.text, got, ok, tc.want, tc.wantOK)
		}
	}
}

// FuzzParseID checks that ParseID accepts exactly the canonical decimal
// spellings of positive int64s: whatever it accepts, strconv formats back
// to the same text.
func FuzzParseID(f *testing.F) {
	for _, seed := range []string{"1", "42", "007", "+7", "9223372036854775807", "9223372036854775808", "", "0"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n, ok := ParseID(text)
		canonical := strconv.FormatInt(n, 10)
		if ok && (n <= 0 || canonical != text) {
			t.Errorf("ParseID(%q) = %d, true; want only canonical positive numbers", text, n)
		}
		if parsed, err := strconv.ParseInt(text, 10, 64); !ok && err == nil && parsed > 0 && strconv.FormatInt(parsed, 10) == text {
			t.Errorf("ParseID(%q) = false, but it is the canonical form of %d", text, parsed)
		}
	})
}
