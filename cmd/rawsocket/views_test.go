package main

import (
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestRoutesMethods calls every view with every method the server knows
// and checks the status and the Allow header of 405 responses.
func TestRoutesMethods(t *testing.T) {
	tests := []struct {
		path    string
		allowed []string
		allow   string
	}{
		{path: "/", allowed: []string{"GET", "HEAD"}, allow: "GET, HEAD"},
		{path: "/hello", allowed: []string{"GET", "HEAD"}, allow: "GET, HEAD"},
		{path: "/login", allowed: []string{"GET", "HEAD", "POST"}, allow: "GET, HEAD, POST"},
	}
	routes := routes()
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"} {
				resp := routes[tc.path](&request{method: method, path: tc.path})
				want, wantAllow := http.StatusMethodNotAllowed, tc.allow
				for _, m := range tc.allowed {
					if m == method {
						// A POST without a form body is refused, but not for its method.
						want, wantAllow = http.StatusOK, ""
						if method == "POST" {
							want = http.StatusUnsupportedMediaType
						}
					}
				}
				if resp.status != want || resp.allow != wantAllow {
					t.Errorf("%s %s: status = %d, Allow = %q; want %d, %q", method, tc.path, resp.status, resp.allow, want, wantAllow)
				}
			}
		})
	}
	if len(routes) != len(tests) {
		t.Errorf("routes has %d paths, test covers %d", len(routes), len(tests))
	}
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		input   string
		want    []field
		wantErr bool
	}{
		{input: "", want: nil},
		{input: "name=world", want: []field{{"name", "world"}}},
		{input: "name=%E4%BD%A0", want: []field{{"name", "你"}}},
		{input: "a+b=c+d%2B", want: []field{{"a b", "c d+"}}},
		{input: "a=1&b=2&a=3", want: []field{{"a", "1"}, {"b", "2"}, {"a", "3"}}},
		{input: "&&a=1&", want: []field{{"a", "1"}}},
		{input: "flag&x=", want: []field{{"flag", ""}, {"x", ""}}},
		{input: "=v&e=a=b", want: []field{{"", "v"}, {"e", "a=b"}}},
		{input: "a=%zz", wantErr: true},
		{input: "%4=1", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.input, func(t *testing.T) {
			got, err := parseForm(tc.input)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseForm(%q) error = %v, want error: %t", tc.input, err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseForm(%q) = %q, want %q", tc.input, got, tc.want)
			}
		})
	}
}

func TestFormValue(t *testing.T) {
	form := []field{{"a", "1"}, {"b", "2"}, {"a", "3"}}
	tests := []struct {
		name string
		want string
	}{
		{name: "a", want: "1"},
		{name: "b", want: "2"},
		{name: "c", want: ""},
	}
	for _, tc := range tests {
		if got := formValue(form, tc.name); got != tc.want {
			t.Errorf("formValue(%q, %q) = %q, want %q", form, tc.name, got, tc.want)
		}
	}
}

// TestLoadTestPages checks that the servers docs/loadtest.sh sets beside
// cmd/rawsocket send the same page for GET /, byte for byte, so that the
// load test compares servers, not pages.
func TestLoadTestPages(t *testing.T) {
	want := index(&request{method: "GET", path: "/"}).body
	for _, path := range []string{"../../docs/loadtest/hello/main.go", "../../docs/loadtest/notes_server.py"} {
		source, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(source), want) {
			t.Errorf("%s does not send cmd/rawsocket's page for GET /:\n%s", path, want)
		}
	}
}
