package framework

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// accessRecord runs handler behind AccessLog for r and returns the one
// record it logs, decoded from slog's JSON.
func accessRecord(t *testing.T, handler http.Handler, r *http.Request) map[string]any {
	t.Helper()
	var logs bytes.Buffer
	AccessLog(slog.New(slog.NewJSONHandler(&logs, nil)))(handler).ServeHTTP(httptest.NewRecorder(), r)
	lines := strings.Split(strings.TrimSuffix(logs.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("%s %s: %d log lines, want 1:\n%s", r.Method, r.URL, len(lines), logs.String())
	}
	var record map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &record); err != nil {
		t.Fatalf("%s %s: log line %s: %v", r.Method, r.URL, lines[0], err)
	}
	return record
}

func TestAccessLog(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		remoteAddr string
		target     string
		handler    http.HandlerFunc
		want       map[string]any // JSON numbers decode as float64
	}{
		{name: "implicit 200", method: http.MethodGet, remoteAddr: "192.0.2.7:54321", target: "/path?x=1",
			handler: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) },
			want:    map[string]any{"client": "192.0.2.7", "method": "GET", "path": "/path", "query": "x=1", "status": 200.0, "bytes": 5.0}},
		{name: "no body", method: http.MethodGet, remoteAddr: "192.0.2.7:54321", target: "/",
			handler: func(w http.ResponseWriter, r *http.Request) {},
			want:    map[string]any{"client": "192.0.2.7", "method": "GET", "path": "/", "query": nil, "status": 200.0, "bytes": 0.0}},
		{name: "explicit status", method: http.MethodPost, remoteAddr: "192.0.2.7:54321", target: "/new",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				w.Write([]byte("made"))
				w.Write([]byte(" it"))
			},
			want: map[string]any{"method": "POST", "path": "/new", "status": 201.0, "bytes": 7.0}},
		{name: "first status counts", method: http.MethodGet, remoteAddr: "192.0.2.7:54321", target: "/",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusSeeOther)
				w.WriteHeader(http.StatusInternalServerError)
			},
			want: map[string]any{"status": 303.0, "bytes": 0.0}},
		{name: "interim 103 then 200", method: http.MethodGet, remoteAddr: "192.0.2.7:54321", target: "/",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				w.Write([]byte("ok"))
			},
			want: map[string]any{"status": 200.0}},
		{name: "not found", method: http.MethodGet, remoteAddr: "192.0.2.7:54321", target: "/nowhere",
			handler: http.NotFound,
			want:    map[string]any{"path": "/nowhere", "status": 404.0, "bytes": float64(len(notFoundBody))}},
		{name: "HEAD sends no body", method: http.MethodHead, remoteAddr: "192.0.2.7:54321", target: "/",
			handler: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) },
			want:    map[string]any{"method": "HEAD", "status": 200.0, "bytes": 0.0}},
		{name: "IPv6 client", method: http.MethodGet, remoteAddr: "[2001:db8::1]:443", target: "/",
			handler: func(w http.ResponseWriter, r *http.Request) {},
			want:    map[string]any{"client": "2001:db8::1"}},
		{name: "client without port", method: http.MethodGet, remoteAddr: "@", target: "/",
			handler: func(w http.ResponseWriter, r *http.Request) {},
			want:    map[string]any{"client": "@"}},
		{name: "escaped path kept escaped", method: http.MethodGet, remoteAddr: "192.0.2.7:1", target: "/a%20b%0Ac?q=%22x%22",
			handler: func(w http.ResponseWriter, r *http.Request) {},
			want:    map[string]any{"path": "/a%20b%0Ac", "query": "q=%22x%22"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			r.RemoteAddr = tc.remoteAddr
			record := accessRecord(t, tc.handler, r)
			if record["level"] != "INFO" || record["msg"] != "request" {
				t.Errorf("%s %s: level %v, msg %v, want INFO, request", tc.method, tc.target, record["level"], record["msg"])
			}
			for key, want := range tc.want {
				if got := record[key]; got != want {
					t.Errorf("%s %s: %s = %v, want %v (record %v)", tc.method, tc.target, key, got, want, record)
				}
			}
			if duration, ok := record["duration"].(float64); !ok || duration < 0 || duration > float64(time.Minute) {
				t.Errorf("%s %s: duration = %v, want nanoseconds between 0 and a minute", tc.method, tc.target, record["duration"])
			}
		})
	}
}

// TestAccessLogUnderFastCGI checks that a request without RequestURI, as
// net/http/fcgi and net/http/cgi build them, still logs its path.
func TestAccessLogUnderFastCGI(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/login?next=/home", nil)
	r.RequestURI = ""
	record := accessRecord(t, http.NotFoundHandler(), r)
	if record["path"] != "/login" || record["query"] != "next=/home" {
		t.Errorf("POST without RequestURI: path %v, query %v, want /login, next=/home", record["path"], record["query"])
	}
}

// TestAccessLogOneLine checks that no request target, however built, makes
// AccessLog's text record span a second line that could pass for another
// request.
func TestAccessLogOneLine(t *testing.T) {
	for _, query := range []string{"a\r\nb", "x\nlevel=INFO msg=request path=/admin", "a\u2028b\u0085c", `a"b`} {
		var logs bytes.Buffer
		// http.Server would refuse these targets; a request made in code,
		// or by another server in front, need not.
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = query
		AccessLog(slog.New(slog.NewTextHandler(&logs, nil)))(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), r)
		line, ok := strings.CutSuffix(logs.String(), "\n")
		if !ok || strings.ContainsAny(line, "\r\n\u2028\u0085") {
			t.Errorf("query %q: log %q, want one line", query, logs.String())
		}
	}
}

// TestAccessLogDisabled checks that a logger that discards Info records
// nothing and the response still goes through.
func TestAccessLogDisabled(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rec := httptest.NewRecorder()
	AccessLog(logger)(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if logs.Len() != 0 || rec.Code != http.StatusNotFound {
		t.Errorf("logger at Warn: log %q, status %d; want nothing logged and %d", logs.String(), rec.Code, http.StatusNotFound)
	}
}

// TestAccessLogFlush checks that a handler behind AccessLog can still
// flush through http.ResponseController.
func TestAccessLogFlush(t *testing.T) {
	rec := httptest.NewRecorder()
	handler := AccessLog(slog.New(slog.DiscardHandler))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
