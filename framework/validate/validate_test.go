package validate

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// check serves one request through Handler(handler) and returns the
// violations reported.
func check(method string, handler http.HandlerFunc) []string {
	var violations []string
	report := func(r *http.Request, violation string) { violations = append(violations, violation) }
	Handler(report)(handler).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/", nil))
	return violations
}

// TestRules runs one handler that breaks each rule, and one that keeps
// it, and checks that the rule fires for the first only.
func TestRules(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		handler http.HandlerFunc
		want    string // part of the one violation expected, or "" for none
	}{
		{name: "good page", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "hello")
		}},
		{name: "nothing written", handler: func(w http.ResponseWriter, r *http.Request) {}},
		{name: "WriteHeader twice", want: "after the response started", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			w.WriteHeader(http.StatusNotFound)
		}},
		{name: "code below 100", want: "outside 100-999", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(42)
		}},
		{name: "code above 999", want: "outside 100-999", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(1000)
		}},
		{name: "1xx then final", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNoContent)
		}},
		{name: "body for HEAD, as a GET handler writes it", method: http.MethodHead, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "hello")
		}},
		{name: "body for HEAD, wrong length", method: http.MethodHead, want: "Content-Length 4", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "4")
			io.WriteString(w, "hello")
		}},
		{name: "HEAD without body", method: http.MethodHead, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "5")
		}},
		{name: "body for 204", want: "status 204", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusNoContent)
			io.WriteString(w, "x")
		}},
		{name: "body for 304", want: "status 304", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusNotModified)
			io.WriteString(w, "x")
		}},
		{name: "Content-Length too large", want: "Content-Length 10", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "hello")
		}},
		{name: "Content-Length right", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		}},
		{name: "no Content-Type", want: "no Content-Type", handler: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello")
		}},
		{name: "hop-by-hop header", want: "hop-by-hop header Connection", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "keep-alive")
			w.WriteHeader(http.StatusNoContent)
		}},
		{name: "Connection: close, net/http's way to close", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusNoContent)
		}},
		{name: "Connection: Close, in any case", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "Close")
			w.WriteHeader(http.StatusNoContent)
		}},
		{name: "another hop-by-hop header", want: "hop-by-hop header Upgrade", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Upgrade", "h2c")
			w.WriteHeader(http.StatusNoContent)
		}},
		{name: "invalid header name", want: "invalid header name", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Bad Name"] = []string{"x"}
			w.WriteHeader(http.StatusNoContent)
		}},
		{name: "invalid header value", want: "invalid value", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header()["X-Bad"] = []string{"a\r\nSet-Cookie: x=1"}
			w.WriteHeader(http.StatusNoContent)
		}},
		{name: "redirect without Location", want: "redirect 303 without Location", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusSeeOther)
		}},
		{name: "redirect with Location", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/home", http.StatusSeeOther)
		}},
		{name: "405 without Allow", want: "405 without Allow", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no", http.StatusMethodNotAllowed)
		}},
		{name: "405 with Allow", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "no", http.StatusMethodNotAllowed)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			got := check(method, tc.handler)
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("%s: violations %q, want none", tc.name, got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
				t.Errorf("%s: violations %q, want one that says %q", tc.name, got, tc.want)
			}
		})
	}
}

// TestInvalidCodeBecomes500 checks that a code net/http would panic on
// reaches the client as 500.
func TestInvalidCodeBecomes500(t *testing.T) {
	recorder := httptest.NewRecorder()
	handler := Handler(func(*http.Request, string) {})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(42) }))
	handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/", nil))
	if recorder.Code != http.StatusInternalServerError {
		t.Errorf("WriteHeader(42): status = %d, want %d", recorder.Code, http.StatusInternalServerError)
	}
}

func ExampleHandler() {
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusSeeOther) // a redirect, but to where?
	})
	report := func(r *http.Request, violation string) {
		fmt.Println(r.Method, r.URL.Path+":", violation)
	}
	Handler(report)(broken).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/go", nil))
	// Output:
	// GET /go: redirect 303 without Location
}
