package framework

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// logMessage returns the message of the one record in logs, written by a
// slog.TextHandler without the time, checking that it is a single line
// at level Info.
func logMessage(t *testing.T, logs *bytes.Buffer) string {
	t.Helper()
	line, ok := strings.CutSuffix(logs.String(), "\n")
	if !ok || strings.Contains(line, "\n") {
		t.Fatalf("log = %q, want exactly one line", logs)
	}
	quoted, ok := strings.CutPrefix(line, "level=INFO msg=")
	if !ok {
		t.Fatalf("log line %q, want level=INFO msg=…", line)
	}
	message, err := strconv.Unquote(quoted)
	if err != nil {
		message = quoted // the handler quotes only messages that need it
	}
	return message
}

// newTestLogger returns a logger that writes text records without the
// time to logs.
func newTestLogger(logs *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// clfLine matches a line of the Common Log Format, with the request line
// in quotes: client, identity, user, [time], "request line", status, bytes.
var clfLine = regexp.MustCompile(`^(\S+) - - \[([^]]+)\] "(.*)" (\d{3}) (\d+)$`)

func TestAccessLog(t *testing.T) {
	tests := []struct {
		name        string
		remoteAddr  string
		target      string
		handler     http.HandlerFunc
		wantClient  string
		wantRequest string
		wantStatus  string
		wantBytes   string
	}{
		{name: "implicit 200", remoteAddr: "192.0.2.7:54321", target: "/path?x=1",
			handler:    func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) },
			wantClient: "192.0.2.7", wantRequest: "GET /path?x=1 HTTP/1.1", wantStatus: "200", wantBytes: "5"},
		{name: "no body", remoteAddr: "192.0.2.7:54321", target: "/",
			handler:    func(w http.ResponseWriter, r *http.Request) {},
			wantClient: "192.0.2.7", wantRequest: "GET / HTTP/1.1", wantStatus: "200", wantBytes: "0"},
		{name: "explicit status", remoteAddr: "192.0.2.7:54321", target: "/new",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				w.Write([]byte("made"))
				w.Write([]byte(" it"))
			},
			wantClient: "192.0.2.7", wantRequest: "GET /new HTTP/1.1", wantStatus: "201", wantBytes: "7"},
		{name: "first status counts", remoteAddr: "192.0.2.7:54321", target: "/",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusSeeOther)
				w.WriteHeader(http.StatusInternalServerError)
			},
			wantClient: "192.0.2.7", wantRequest: "GET / HTTP/1.1", wantStatus: "303", wantBytes: "0"},
		{name: "not found", remoteAddr: "192.0.2.7:54321", target: "/nowhere",
			handler:    http.NotFound,
			wantClient: "192.0.2.7", wantRequest: "GET /nowhere HTTP/1.1", wantStatus: "404", wantBytes: strconv.Itoa(len(notFoundBody))},
		{name: "IPv6 client", remoteAddr: "[2001:db8::1]:443", target: "/",
			handler:    func(w http.ResponseWriter, r *http.Request) {},
			wantClient: "2001:db8::1", wantRequest: "GET / HTTP/1.1", wantStatus: "200", wantBytes: "0"},
		{name: "client without port", remoteAddr: "@", target: "/",
			handler:    func(w http.ResponseWriter, r *http.Request) {},
			wantClient: "@", wantRequest: "GET / HTTP/1.1", wantStatus: "200", wantBytes: "0"},
		{name: "escaped target kept escaped", remoteAddr: "192.0.2.7:1", target: "/a%20b?q=%22x%22",
			handler:    func(w http.ResponseWriter, r *http.Request) {},
			wantClient: "192.0.2.7", wantRequest: "GET /a%20b?q=%22x%22 HTTP/1.1", wantStatus: "200", wantBytes: "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			r.Proto = "HTTP/1.1"
			r.RemoteAddr = tc.remoteAddr
			before := time.Now().Truncate(time.Second)
			AccessLog(newTestLogger(&logs), tc.handler).ServeHTTP(httptest.NewRecorder(), r)
			after := time.Now()

			message := logMessage(t, &logs)
			fields := clfLine.FindStringSubmatch(message)
			if fields == nil {
				t.Fatalf("GET %s: log message %q is not in the Common Log Format", tc.target, message)
			}
			got := map[string]string{"client": fields[1], "request": fields[3], "status": fields[4], "bytes": fields[5]}
			want := map[string]string{"client": tc.wantClient, "request": tc.wantRequest, "status": tc.wantStatus, "bytes": tc.wantBytes}
			for _, field := range []string{"client", "request", "status", "bytes"} {
				if got[field] != want[field] {
					t.Errorf("GET %s: %s = %q, want %q (log %q)", tc.target, field, got[field], want[field], message)
				}
			}
			when, err := time.ParseInLocation("02/Jan/2006 15:04:05", fields[2], time.Local)
			if err != nil || when.Before(before) || when.After(after) {
				t.Errorf("GET %s: time [%s] (%v), want between %v and %v", tc.target, fields[2], err, before, after)
			}
		})
	}
}

// TestAccessLogOneLine checks that no request target, however built, makes
// AccessLog write a second line that could pass for another request.
func TestAccessLogOneLine(t *testing.T) {
	targets := []struct {
		name       string
		requestURI string
	}{
		{name: "CR LF", requestURI: "/a\r\nb"},
		{name: "escaped CR LF", requestURI: "/a%0d%0ab"},
		{name: "forged entry", requestURI: "/x HTTP/1.1\" 200 0\n127.0.0.1 - - [01/Jan/2026 00:00:00] \"GET /admin"},
		{name: "Unicode line separator", requestURI: "/a\u2028b\u0085c"},
		{name: "quote", requestURI: `/a"b`},
	}
	for _, tc := range targets {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			// http.Server would refuse these targets; a request made in
			// code, or by another server in front, need not.
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RequestURI = tc.requestURI
			AccessLog(newTestLogger(&logs), http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), r)
			message := logMessage(t, &logs)
			if strings.ContainsAny(message, "\r\n\u2028\u0085") {
				t.Errorf("target %q: log message %q contains a line break", tc.requestURI, message)
			}
			fields := clfLine.FindStringSubmatch(message)
			if fields == nil {
				t.Fatalf("target %q: log message %q is not in the Common Log Format", tc.requestURI, message)
			}
			if request, err := strconv.Unquote(`"` + fields[3] + `"`); err != nil || request != "GET "+tc.requestURI+" HTTP/1.1" {
				t.Errorf("target %q: request line %q unquotes to %q, %v", tc.requestURI, fields[3], request, err)
			}
		})
	}
}

// TestAccessLogFlush checks that a handler behind AccessLog can still
// flush through http.ResponseController.
func TestAccessLogFlush(t *testing.T) {
	rec := httptest.NewRecorder()
	handler := AccessLog(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush behind AccessLog: %v", err)
		}
	}))
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if !rec.Flushed {
		t.Error("Flush behind AccessLog: the recorder was not flushed")
	}
}

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
			SecurityHeaders(tc.handler).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
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
