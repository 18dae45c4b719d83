package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// fieldsOf returns field lines, starting with "Host: x", whose lengths
// without CRLF add up to n bytes. Each line is at most 8000 bytes, and n
// must leave at least 20 bytes for the last one.
func fieldsOf(n int) string {
	var b strings.Builder
	b.WriteString("Host: x\r\n")
	n -= len("Host: x")
	for i := 0; n > 0; i++ {
		name := fmt.Sprintf("X-Fill-%d: ", i)
		size := min(n, 8000)
		b.WriteString(name + strings.Repeat("a", size-len(name)) + "\r\n")
		n -= size
	}
	return b.String()
}

// hardeningTests lists requests for every rule of hardening.go: the
// limits, the Host rules, the absolute-form, and the checks on versions,
// methods, targets, field lines and Content-Length. Each comes with the
// status the server answers it with.
func hardeningTests() []parseTest {
	longTarget := "/" + strings.Repeat("a", defaultMaxTargetBytes-1)
	longField := "X-Long: " + strings.Repeat("a", defaultMaxFieldBytes-len("X-Long: "))
	manyFields := "Host: x\r\n" + strings.Repeat("X-Field: y\r\n", defaultMaxFields-1)
	return []parseTest{
		// Requests the server accepts: the edges of each rule.
		{name: "leading zeros in Content-Length", raw: withLength("003", "abc"), want: http.StatusOK},
		{name: "HTTP/1.0 without Host", raw: "GET / HTTP/1.0\r\n\r\n", want: http.StatusOK},
		{name: "HTTP/1.2 served as HTTP/1.1", raw: "GET / HTTP/1.2\r\nHost: x\r\n\r\n", want: http.StatusOK},
		{name: "absolute-form", raw: "GET http://example.com/hello?name=x HTTP/1.1\r\nHost: other\r\n\r\n", want: http.StatusOK},
		{name: "absolute-form without path", raw: "GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", want: http.StatusOK},
		{name: "absolute-form upper-case https with port", raw: "GET HTTPS://example.com:443/ HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusOK},
		{name: "absolute-form IPv6", raw: "GET http://[::1]:8000/ HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusOK},
		{name: "IPv6 Host", raw: "GET / HTTP/1.1\r\nHost: [::1]:8000\r\n\r\n", want: http.StatusOK},
		{name: "empty Host", raw: "GET / HTTP/1.1\r\nHost:\r\n\r\n", want: http.StatusOK},
		{name: "Host with empty port", raw: "GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n", want: http.StatusOK},
		{name: "obs-text in value", raw: get("/", "X-Name: caf\xc3\xa9\r\n"), want: http.StatusOK},
		{name: "known method the routes refuse", raw: "DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusOK},
		{name: "percent-encoded UTF-8 target", raw: get("/hello?name=%E4%BD%A0", ""), want: http.StatusOK},
		{name: "characters browsers leave unencoded", raw: get("/a|b?{c}=^&d=[e]", ""), want: http.StatusOK},
		{name: "target at limit", raw: get(longTarget, ""), want: http.StatusOK},
		{name: "field line at limit", raw: get("/", longField+"\r\n"), want: http.StatusOK},
		{name: "header section at limit", raw: "GET / HTTP/1.1\r\n" + fieldsOf(defaultMaxHeaderBytes) + "\r\n", want: http.StatusOK},
		{name: "fields at limit", raw: "GET / HTTP/1.1\r\n" + manyFields + "\r\n", want: http.StatusOK},
		{name: "body at limit", raw: withLength(fmt.Sprint(defaultMaxBodyBytes), strings.Repeat("a", defaultMaxBodyBytes)), want: http.StatusOK},

		// 400 Bad Request: a malformed request line (RFC 9112 §3).
		{name: "empty method", raw: " / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "lower-case version", raw: "GET / http/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "version with two-digit minor", raw: "GET / HTTP/1.10\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "version with two-digit major", raw: "GET / HTTP/10.0\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "version without minor", raw: "GET / HTTP/2\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "method with a delimiter", raw: "GE(T / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "NUL in method", raw: "G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "NUL in target", raw: get("/\x00", ""), want: http.StatusBadRequest},
		{name: "control character in target", raw: get("/\x1b[1m", ""), want: http.StatusBadRequest},
		{name: "DEL in target", raw: get("/\x7f", ""), want: http.StatusBadRequest},
		{name: "fragment in target", raw: get("/#top", ""), want: http.StatusBadRequest},
		{name: "non-ASCII in target", raw: get("/hello?name=\xe4\xbd\xa0", ""), want: http.StatusBadRequest},
		{name: "bad percent-encoding", raw: get("/%zz", ""), want: http.StatusBadRequest},
		{name: "truncated percent-encoding", raw: get("/hello?name=%4", ""), want: http.StatusBadRequest},
		{name: "relative target", raw: get("hello", ""), want: http.StatusBadRequest},
		{name: "asterisk-form", raw: "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "authority-form", raw: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", want: http.StatusBadRequest},
		{name: "absolute-form with another scheme", raw: get("ftp://example.com/", ""), want: http.StatusBadRequest},
		{name: "absolute-form without slashes", raw: get("http:/x", ""), want: http.StatusBadRequest},
		{name: "absolute-form with empty host", raw: get("http:///x", ""), want: http.StatusBadRequest},
		{name: "absolute-form with port only", raw: get("http://:80/x", ""), want: http.StatusBadRequest},
		{name: "absolute-form with userinfo", raw: get("http://user@example.com/", ""), want: http.StatusBadRequest},
		{name: "absolute-form with bad port", raw: get("http://example.com:8x/", ""), want: http.StatusBadRequest},

		// 400 Bad Request: malformed field lines (RFC 9112 §5).
		{name: "space before colon", raw: "GET / HTTP/1.1\r\nHost : x\r\n\r\n", want: http.StatusBadRequest},
		{name: "tab before colon", raw: "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "obs-fold", raw: get("/", "X-A: b\r\n c\r\n"), want: http.StatusBadRequest},
		{name: "obs-fold with tab", raw: get("/", "X-A: b\r\n\tc\r\n"), want: http.StatusBadRequest},
		{name: "whitespace before first field", raw: "GET / HTTP/1.1\r\n Host: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "field line without colon", raw: get("/", "X-A b\r\n"), want: http.StatusBadRequest},
		{name: "empty field name", raw: get("/", ": b\r\n"), want: http.StatusBadRequest},
		{name: "delimiter in field name", raw: get("/", "X(A: b\r\n"), want: http.StatusBadRequest},
		{name: "non-ASCII in field name", raw: get("/", "X-\xc3\xa9: b\r\n"), want: http.StatusBadRequest},
		{name: "NUL in field name", raw: get("/", "X-\x00: b\r\n"), want: http.StatusBadRequest},
		{name: "NUL in field value", raw: get("/", "X-A: a\x00b\r\n"), want: http.StatusBadRequest},
		{name: "control character in field value", raw: get("/", "X-A: a\x01b\r\n"), want: http.StatusBadRequest},
		{name: "DEL in field value", raw: get("/", "X-A: a\x7fb\r\n"), want: http.StatusBadRequest},

		// 400 Bad Request: Host (RFC 9112 §3.2).
		{name: "missing Host", raw: "GET / HTTP/1.1\r\n\r\n", want: http.StatusBadRequest},
		{name: "two Host fields", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", want: http.StatusBadRequest},
		{name: "two Host fields in HTTP/1.0", raw: "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", want: http.StatusBadRequest},
		{name: "Host with a space", raw: "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", want: http.StatusBadRequest},
		{name: "Host with userinfo", raw: "GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n", want: http.StatusBadRequest},
		{name: "Host with path", raw: "GET / HTTP/1.1\r\nHost: example.com/x\r\n\r\n", want: http.StatusBadRequest},
		{name: "Host with bad port", raw: "GET / HTTP/1.1\r\nHost: example.com:80a\r\n\r\n", want: http.StatusBadRequest},
		{name: "Host with two colons", raw: "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", want: http.StatusBadRequest},
		{name: "Host with percent-encoding", raw: "GET / HTTP/1.1\r\nHost: %41\r\n\r\n", want: http.StatusBadRequest},
		{name: "Host with port only", raw: "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", want: http.StatusBadRequest},
		{name: "unclosed IPv6 Host", raw: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", want: http.StatusBadRequest},
		{name: "IPv4 in brackets", raw: "GET / HTTP/1.1\r\nHost: [127.0.0.1]\r\n\r\n", want: http.StatusBadRequest},
		{name: "IPv6 Host with zone", raw: "GET / HTTP/1.1\r\nHost: [fe80::1%25en0]\r\n\r\n", want: http.StatusBadRequest},
		{name: "invalid Host in HTTP/1.0", raw: "GET / HTTP/1.0\r\nHost: a b\r\n\r\n", want: http.StatusBadRequest},

		// 400 Bad Request: Content-Length (RFC 9110 §8.6, RFC 9112 §6.3).
		{name: "Content-Length with plus", raw: withLength("+5", "hello"), want: http.StatusBadRequest},
		{name: "negative Content-Length", raw: withLength("-5", "hello"), want: http.StatusBadRequest},
		{name: "hex Content-Length", raw: withLength("0x5", "hello"), want: http.StatusBadRequest},
		{name: "Content-Length with inner space", raw: withLength("5 5", "hello"), want: http.StatusBadRequest},
		{name: "Content-Length with underscore", raw: withLength("1_0", "0123456789"), want: http.StatusBadRequest},
		{name: "empty Content-Length", raw: withLength("", ""), want: http.StatusBadRequest},
		{name: "Content-Length list", raw: withLength("5, 5", "hello"), want: http.StatusBadRequest},
		{name: "overflowing Content-Length", raw: withLength("99999999999999999999", ""), want: http.StatusBadRequest},

		// 413, 414 and 431: over a limit.
		{name: "body over limit", raw: withLength(fmt.Sprint(defaultMaxBodyBytes+1), ""), want: http.StatusRequestEntityTooLarge},
		{name: "target over limit", raw: get(longTarget+"a", ""), want: http.StatusRequestURITooLong},
		{name: "request line far over limit", raw: get("/"+strings.Repeat("a", 3*defaultMaxTargetBytes), ""), want: http.StatusRequestURITooLong},
		{name: "field line over limit", raw: get("/", longField+"a\r\n"), want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "header section over limit", raw: "GET / HTTP/1.1\r\n" + fieldsOf(defaultMaxHeaderBytes+1) + "\r\n", want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "fields over limit", raw: get("/", strings.Repeat("X-Field: y\r\n", defaultMaxFields)), want: http.StatusRequestHeaderFieldsTooLarge},

		// 501 Not Implemented: methods and transfer codings (RFC 9110 §9.1, RFC 9112 §6.1).
		{name: "unknown method", raw: "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusNotImplemented},
		{name: "lower-case method", raw: "get / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusNotImplemented},

		// 505 HTTP Version Not Supported (RFC 9110 §15.6.6).
		{name: "HTTP/2.0", raw: "GET / HTTP/2.0\r\nHost: x\r\n\r\n", want: http.StatusHTTPVersionNotSupported},
		{name: "HTTP/2 preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", want: http.StatusHTTPVersionNotSupported},
		{name: "HTTP/0.9", raw: "GET / HTTP/0.9\r\nHost: x\r\n\r\n", want: http.StatusHTTPVersionNotSupported},
		{name: "HTTP/3.0", raw: "GET / HTTP/3.0\r\nHost: x\r\n\r\n", want: http.StatusHTTPVersionNotSupported},
	}
}

// TestServerLimits sends a request over each limit, and one at it, over a
// real connection with short timeouts.
func TestServerLimits(t *testing.T) {
	s := newTestServer(io.Discard)
	s.headerTimeout = 50 * time.Millisecond
	s.bodyTimeout = 50 * time.Millisecond
	addr := startServer(t, s)
	body := strings.Repeat("a", defaultMaxBodyBytes)
	tests := []struct {
		name  string
		raw   string
		stall bool // leave the connection open after raw, so the server times out
		want  int
	}{
		{name: "stalled request line", raw: "GET / HT", stall: true, want: http.StatusRequestTimeout},
		{name: "stalled header section", raw: "GET / HTTP/1.1\r\nHost: x\r\n", stall: true, want: http.StatusRequestTimeout},
		{name: "stalled body", raw: withLength("10", "abc"), stall: true, want: http.StatusRequestTimeout},
		{name: "body at limit", raw: withLength(fmt.Sprint(len(body)), body), want: http.StatusMethodNotAllowed},
		{name: "body over limit", raw: withLength(fmt.Sprint(len(body)+1), body+"a"), want: http.StatusRequestEntityTooLarge},
		{name: "body far over limit, unread", raw: withLength("1000000", strings.Repeat(body, 4)), want: http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var raw string
			if tc.stall {
				conn := dial(t, addr)
				io.WriteString(conn, tc.raw)
				response, _ := io.ReadAll(conn)
				raw = string(response)
			} else {
				raw = exchange(t, addr, tc.raw)
			}
			if got := statusOf(raw); got != tc.want {
				t.Errorf("%.80q: status = %d, want %d", tc.raw, got, tc.want)
			}
		})
	}
}

// TestServerIdle checks that a connection that sends nothing is closed
// without a response when the header timeout passes.
func TestServerIdle(t *testing.T) {
	s := newTestServer(io.Discard)
	s.headerTimeout = 50 * time.Millisecond
	conn := dial(t, startServer(t, s))
	response, err := io.ReadAll(conn)
	if err != nil || len(response) != 0 {
		t.Errorf("idle connection: got %q, %v; want nothing and EOF", response, err)
	}
}

// TestServerHeaderTimeoutFromStart checks that a first request's header
// timeout runs from the connection's start, not from its first byte: a
// client that sends one byte just before the timeout gains no time. In a
// synctest bubble, over net.Pipe, the clock is exact.
func TestServerHeaderTimeoutFromStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(io.Discard)
		s.headerTimeout = 300 * time.Millisecond
		server, client := net.Pipe()
		go s.serveConn(t.Context(), server)
		start := time.Now()
		time.Sleep(s.headerTimeout - 50*time.Millisecond)
		io.WriteString(client, "G")
		response, _ := io.ReadAll(client)
		if got := statusOf(string(response)); got != http.StatusRequestTimeout {
			t.Errorf("one byte, then nothing: status = %d, want %d", got, http.StatusRequestTimeout)
		}
		if took := time.Since(start); took != s.headerTimeout {
			t.Errorf("one byte just before the header timeout: answered after %v, want %v", took, s.headerTimeout)
		}
	})
}

// TestServerNextHeaderTimeout checks the header timeout of a kept-alive
// connection's next request: the request may start late in the idle
// timeout, and its header timeout runs from its first byte.
func TestServerNextHeaderTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestServer(io.Discard)
		s.headerTimeout, s.idleTimeout = 300*time.Millisecond, time.Second
		server, client := net.Pipe()
		go s.serveConn(t.Context(), server)
		io.WriteString(client, get("/", ""))
		responses := bufio.NewReader(client)
		first, err := http.ReadResponse(responses, nil)
		if err != nil || first.StatusCode != http.StatusOK {
			t.Fatalf("the first request: %v, %v; want %d", first, err, http.StatusOK)
		}
		io.Copy(io.Discard, first.Body)
		first.Body.Close()

		time.Sleep(s.idleTimeout - 100*time.Millisecond) // idle, but within the idle timeout
		start := time.Now()
		io.WriteString(client, "G")
		response, _ := io.ReadAll(responses)
		if got := statusOf(string(response)); got != http.StatusRequestTimeout {
			t.Errorf("the next request's first byte, then nothing: status = %d, want %d", got, http.StatusRequestTimeout)
		}
		if took := time.Since(start); took != s.headerTimeout {
			t.Errorf("the next request's first byte, then nothing: answered after %v, want the header timeout, %v", took, s.headerTimeout)
		}
	})
}

// TestServerBodyTimeout checks that a request's body may arrive after
// the header timeout, within the body timeout, whether its length is
// given or chunked, and that a body slower than that gets 408.
func TestServerBodyTimeout(t *testing.T) {
	tests := []struct {
		name       string
		header     string
		body       string
		wait       time.Duration
		wantStatus int
	}{
		{"Content-Length, within the body timeout", "Content-Length: 29\r\n", "username=admin&password=wrong", 300 * time.Millisecond, http.StatusUnprocessableEntity},
		{"chunked, within the body timeout", "Transfer-Encoding: chunked\r\n", "1d\r\nusername=admin&password=wrong\r\n0\r\n\r\n", 300 * time.Millisecond, http.StatusUnprocessableEntity},
		{"Content-Length, past the body timeout", "Content-Length: 29\r\n", "username=admin&password=wrong", 2 * time.Second, http.StatusRequestTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newTestServer(io.Discard)
				s.headerTimeout, s.bodyTimeout = 100*time.Millisecond, time.Second
				server, client := net.Pipe()
				go s.serveConn(t.Context(), server)
				io.WriteString(client, "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"+
					"Content-Type: application/x-www-form-urlencoded\r\n"+tc.header+"\r\n")
				time.Sleep(tc.wait)
				go io.WriteString(client, tc.body) // the server may have stopped reading
				response, _ := io.ReadAll(client)
				if got := statusOf(string(response)); got != tc.wantStatus {
					t.Errorf("the body %v after the header: status = %d, want %d", tc.wait, got, tc.wantStatus)
				}
			})
		})
	}
}

// TestServerExpectContinue checks that a client that sends Expect:
// 100-continue gets 100 Continue before it sends a body the server will
// read, given by length or chunked, and the final answer at once for a
// body over the limit, which it then need not send.
func TestServerExpectContinue(t *testing.T) {
	const form = "username=admin&password=secure123"
	tests := []struct {
		name         string
		framing      string // the header fields that give the body's length
		body         string // sent after 100 Continue
		wantContinue bool
		wantStatus   int
	}{
		{"Content-Length", "Content-Length: 33\r\n", form, true, http.StatusOK},
		{"chunked", "Transfer-Encoding: chunked\r\n", "21\r\n" + form + "\r\n0\r\n\r\n", true, http.StatusOK},
		{"over the body limit", "Content-Length: " + fmt.Sprint(defaultMaxBodyBytes+1) + "\r\n", "", false, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := dial(t, startServer(t, newTestServer(io.Discard)))
			io.WriteString(conn, "POST /login HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"+
				"Content-Type: application/x-www-form-urlencoded\r\n"+tc.framing+"\r\n")
			br := bufio.NewReader(conn)
			if tc.wantContinue {
				want := "HTTP/1.1 100 Continue\r\n\r\n"
				got := make([]byte, len(want))
				if _, err := io.ReadFull(br, got); err != nil || string(got) != want {
					t.Fatalf("Expect: 100-continue: got %q, %v; want %q", got, err, want)
				}
				io.WriteString(conn, tc.body)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("POST /login with Expect: 100-continue: status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
		})
	}
}
