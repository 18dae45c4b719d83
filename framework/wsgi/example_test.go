package wsgi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"example.com/miniweb/framework"
	"example.com/miniweb/framework/wsgi"
)

func ExampleEnviron() {
	handler := framework.Mount("/app", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		environ := wsgi.Environ(r)
		for _, name := range []string{"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT", "HTTP_ACCEPT", "wsgi.url_scheme"} {
			fmt.Printf("%s=%s\n", name, environ[name])
		}
	}))
	r := httptest.NewRequest(http.MethodGet, "http://example.org:8080/app/hello?name=ada", nil)
	r.Header.Set("Accept", "text/html")
	handler.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// REQUEST_METHOD=GET
	// SCRIPT_NAME=/app
	// PATH_INFO=/hello
	// QUERY_STRING=name=ada
	// SERVER_NAME=example.org
	// SERVER_PORT=8080
	// HTTP_ACCEPT=text/html
	// wsgi.url_scheme=http
}

func ExampleRequestURL() {
	handler := framework.Mount("/app", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(wsgi.ApplicationURL(r))
		fmt.Println(wsgi.RequestURL(r, true))
		fmt.Println(wsgi.RequestURL(r, false))
	}))
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "http://example.org/app/login?next=%2Fhome", nil))
	// Output:
	// http://example.org/app
	// http://example.org/app/login?next=%2Fhome
	// http://example.org/app/login
}

func ExampleIsHopByHop() {
	for _, name := range []string{"Connection", "keep-alive", "Content-Type"} {
		fmt.Println(name, wsgi.IsHopByHop(name))
	}
	// Output:
	// Connection true
	// keep-alive true
	// Content-Type false
}

func ExamplePathInfo() {
	handler := framework.Mount("/app", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("PATH_INFO:", wsgi.PathInfo(r))
	}))
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/app/home?tab=1", nil))
	// Output:
	// PATH_INFO: /home
}
