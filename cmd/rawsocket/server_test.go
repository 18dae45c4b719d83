package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// clientTimeout bounds every read and write a test client makes, so that a
// broken server fails the test instead of hanging it. No test waits for it
// to pass.
const clientTimeout = 10 * time.Second

// lockedBuffer is a log destination that tests can read while the server
// writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestServer returns a server with default settings that logs to logs.
func newTestServer(logs io.Writer) *server {
	return newServer(slog.New(slog.NewTextHandler(logs, nil)))
}

// serveOn runs s.serve on listener until the test ends, then checks that it shut
// down cleanly, and returns listener's address.
func serveOn(t *testing.T, s *server, listener net.Listener) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, listener) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return listener.Addr().String()
}

// listen returns a listener on a free loopback port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return listener
}

// startServer serves s on a free loopback port until the test ends and
// returns its address.
func startServer(t *testing.T, s *server) string {
	t.Helper()
	return serveOn(t, s, listen(t))
}

// dial connects to addr with clientTimeout as the deadline for everything.
func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(clientTimeout))
	return conn.(*net.TCPConn)
}

// exchange sends raw to the server at addr, closes the sending side, and
// returns everything the server sends back until it closes.
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	conn := dial(t, addr)
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatalf("%.80q: write: %v", raw, err)
	}
	conn.CloseWrite()
	response, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("%.80q: read: %v", raw, err)
	}
	return string(response)
}

// readResponse parses raw with net/http as the response to a request with
// method and returns it with its body.
func readResponse(t *testing.T, raw, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("response %.200q: %v", raw, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("response %.200q: body: %v", raw, err)
	}
	return resp, string(body)
}

// statusOf returns the status code of a raw response, or 0 if there is none.
func statusOf(raw string) int {
	var status int
	fmt.Sscanf(raw, "HTTP/1.1 %d ", &status)
	return status
}

func TestServerRoutes(t *testing.T) {
	form := "Content-Type: application/x-www-form-urlencoded\r\n"
	tests := []struct {
		name      string
		raw       string
		want      int
		wantBody  []string
		wantAllow string
		// wantClose is set for a request the server refuses to read on:
		// it closes the connection after the answer, whatever the
		// request asked.
		wantClose bool
	}{
		{name: "home", raw: get("/", ""), want: http.StatusOK,
			wantBody: []string{"Home", "This page came from a raw socket server."}},
		{name: "hello with no name", raw: get("/hello", ""), want: http.StatusOK,
			wantBody: []string{"Hello, world!"}},
		{name: "hello in Chinese", raw: get("/hello?name=%E4%BD%A0", ""), want: http.StatusOK,
			wantBody: []string{"Hello, 你!", "<code>name</code> = <code>你</code>"}},
		{name: "hello with plus and markup", raw: get("/hello?name=%3Cb%3E+%26&x=1", ""), want: http.StatusOK,
			wantBody: []string{"Hello, &lt;b&gt; &amp;!", "<code>x</code> = <code>1</code>"}},
		{name: "hello with invalid UTF-8", raw: get("/hello?name=%FF", ""), want: http.StatusOK,
			wantBody: []string{"Hello, \uFFFD!"}},
		{name: "hello in absolute-form", raw: get("http://example.com/hello?name=x", ""), want: http.StatusOK,
			wantBody: []string{"Hello, x!"}},
		{name: "login form", raw: get("/login", ""), want: http.StatusOK,
			wantBody: []string{`<form method="post" action="/login">`, `name="username"`, `name="password"`, `type="submit"`}},
		{name: "login success", raw: "POST /login HTTP/1.1\r\nHost: x\r\n" + form + "Content-Length: 33\r\n\r\nusername=admin&password=secure123",
			want: http.StatusOK, wantBody: []string{"Welcome back, admin!"}},
		{name: "login with wrong password", raw: "POST /login HTTP/1.1\r\nHost: x\r\n" + form + "Content-Length: 33\r\n\r\nusername=admin&password=secure124",
			want: http.StatusUnprocessableEntity, wantBody: []string{"Invalid username or password.", "<form"}},
		{name: "login with wrong user", raw: "POST /login HTTP/1.1\r\nHost: x\r\n" + form + "Content-Length: 33\r\n\r\nusername=admix&password=secure123",
			want: http.StatusUnprocessableEntity, wantBody: []string{"Invalid username or password."}},
		{name: "login with empty body", raw: "POST /login HTTP/1.1\r\nHost: x\r\n" + form + "\r\n",
			want: http.StatusUnprocessableEntity, wantBody: []string{"Invalid username or password."}},
		{name: "login with JSON", raw: "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
			want: http.StatusUnsupportedMediaType},
		{name: "login with bad escape", raw: "POST /login HTTP/1.1\r\nHost: x\r\n" + form + "Content-Length: 12\r\n\r\nusername=%zz",
			want: http.StatusBadRequest},
		{name: "POST home", raw: "POST / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusMethodNotAllowed, wantAllow: "GET, HEAD"},
		{name: "DELETE hello", raw: "DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusMethodNotAllowed, wantAllow: "GET, HEAD"},
		{name: "PUT login", raw: "PUT /login HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusMethodNotAllowed, wantAllow: "GET, HEAD, POST"},
		{name: "unknown path", raw: get("/nowhere", ""), want: http.StatusNotFound, wantBody: []string{"/nowhere"}},
		{name: "path is not decoded", raw: get("/%68ello", ""), want: http.StatusNotFound},
		{name: "unknown method", raw: "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusNotImplemented, wantClose: true},
		{name: "malformed", raw: "GET / HTTP/1.1\r\nHost : x\r\n\r\n", want: http.StatusBadRequest, wantClose: true},
	}
	addr := startServer(t, newTestServer(io.Discard))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := exchange(t, addr, tc.raw)
			resp, body := readResponse(t, raw, "GET")
			if resp.StatusCode != tc.want {
				t.Errorf("%.80q: status = %d, want %d", tc.raw, resp.StatusCode, tc.want)
			}
			if resp.ContentLength != int64(len(body)) {
				t.Errorf("%.80q: Content-Length = %d, want %d, the body's length in bytes", tc.raw, resp.ContentLength, len(body))
			}
			if got, want := strings.Index(raw, "\r\n\r\n")+4+len(body), len(raw); got != want {
				t.Errorf("%.80q: header section and body are %d bytes, response is %d", tc.raw, got, want)
			}
			wantHeader := map[string]string{
				"Content-Type": "text/html; charset=utf-8",
				"Server":       "rawsocket",
				"Allow":        tc.wantAllow,
			}
			for name, want := range wantHeader {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("%.80q: %s = %q, want %q", tc.raw, name, got, want)
				}
			}
			// The connection closes after the answer when the request
			// asked for that, as net/http reads it, or could not be read.
			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(tc.raw)))
			if err != nil {
				t.Fatalf("%.80q: http.ReadRequest: %v", tc.raw, err)
			}
			if want := req.Close || tc.wantClose; resp.Close != want {
				t.Errorf("%.80q: response says Connection: close = %v, want %v", tc.raw, resp.Close, want)
			}
			for _, want := range tc.wantBody {
				if !strings.Contains(body, want) {
					t.Errorf("%.80q: body does not contain %q:\n%s", tc.raw, want, body)
				}
			}
		})
	}
}

func TestServerHead(t *testing.T) {
	addr := startServer(t, newTestServer(io.Discard))
	for _, target := range []string{"/", "/hello?name=%E4%BD%A0", "/login", "/nowhere"} {
		t.Run(target, func(t *testing.T) {
			getResp, getBody := readResponse(t, exchange(t, addr, get(target, "")), "GET")
			raw := exchange(t, addr, "HEAD "+target+" HTTP/1.1\r\nHost: x\r\n\r\n")
			headResp, _ := readResponse(t, raw, "HEAD")
			if !strings.HasSuffix(raw, "\r\n\r\n") {
				t.Errorf("HEAD %s: response has a body: %q", target, raw)
			}
			if headResp.StatusCode != getResp.StatusCode {
				t.Errorf("HEAD %s: status = %d, want %d as for GET", target, headResp.StatusCode, getResp.StatusCode)
			}
			if headResp.ContentLength != int64(len(getBody)) {
				t.Errorf("HEAD %s: Content-Length = %d, want %d as for GET", target, headResp.ContentLength, len(getBody))
			}
		})
	}
}

func TestServerDate(t *testing.T) {
	s := newTestServer(io.Discard)
	// RFC 9110 §5.6.7's example, given in another time zone.
	s.now = func() time.Time {
		return time.Date(1994, time.November, 6, 9, 49, 37, 0, time.FixedZone("CET", 3600))
	}
	resp, _ := readResponse(t, exchange(t, startServer(t, s), get("/", "")), "GET")
	if got, want := resp.Header.Get("Date"), "Sun, 06 Nov 1994 08:49:37 GMT"; got != want {
		t.Errorf("GET /: Date = %q, want %q", got, want)
	}
}

func TestServerLog(t *testing.T) {
	var logs lockedBuffer
	addr := startServer(t, newTestServer(&logs))
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{name: "ok", raw: get("/hello", ""), want: "method=GET path=/hello status=200"},
		{name: "not found", raw: get("/nowhere", ""), want: "method=GET path=/nowhere status=404"},
		{name: "unknown method", raw: "BREW /pot HTTP/1.1\r\n\r\n", want: "method=BREW path=/pot status=501"},
		{name: "garbage", raw: "\x16\x03\x01\x00\r\n\r\n", want: "method=- path=- status=400"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := strings.Count(logs.String(), "\n")
			exchange(t, addr, tc.raw)
			lines := strings.Split(strings.TrimSuffix(logs.String(), "\n"), "\n")
			if len(lines) != before+1 {
				t.Fatalf("%.80q: %d log lines, want 1:\n%s", tc.raw, len(lines)-before, logs.String())
			}
			if last := lines[len(lines)-1]; !strings.Contains(last, tc.want) {
				t.Errorf("%.80q: log line = %q, want it to contain %q", tc.raw, last, tc.want)
			}
		})
	}
}

// notifyListener wraps the connections it accepts so that each Read the
// server makes is reported on reads with the number of bytes it returned.
type notifyListener struct {
	net.Listener
	reads chan int
}

func (l notifyListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return notifyConn{conn, l.reads}, nil
}

type notifyConn struct {
	net.Conn
	reads chan<- int
}

func (c notifyConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.reads <- n
	return n, err
}

// TestServerSlowWriter sends a request one byte at a time over a real
// connection and waits, after each byte, until the server has read it, so
// every byte arrives in a read of its own.
func TestServerSlowWriter(t *testing.T) {
	raw := "GET /hello?name=%E4%BD%A0 HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n"
	reads := make(chan int, len(raw)+10)
	addr := serveOn(t, newTestServer(io.Discard), notifyListener{listen(t), reads})
	conn := dial(t, addr)
	for i := range len(raw) {
		if _, err := conn.Write([]byte{raw[i]}); err != nil {
			t.Fatal(err)
		}
		if n := <-reads; n != 1 {
			t.Fatalf("byte %d: server read %d bytes, want 1", i, n)
		}
	}
	conn.CloseWrite() // no more requests: the server closes after this one
	response, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := readResponse(t, string(response), "GET")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Hello, 你!") {
		t.Errorf("%q one byte at a time: status = %d, body = %q; want %d and a greeting", raw, resp.StatusCode, body, http.StatusOK)
	}
}

// TestServerMalformedFlood sends 1000 malformed requests, each on its own
// connection, four at a time, then checks that the server still answers.
func TestServerMalformedFlood(t *testing.T) {
	var malformed []parseTest
	for _, tc := range slices.Concat(parseTests(), hardeningTests(), chunkedTests()) {
		if tc.want != http.StatusOK && !tc.stall && tc.raw != "" && len(tc.raw) < 1000 {
			malformed = append(malformed, tc)
		}
	}
	addr := startServer(t, newTestServer(io.Discard))
	const requests, workers = 1000, 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < requests; i += workers {
				tc := malformed[i%len(malformed)]
				if got := statusOf(exchange(t, addr, tc.raw)); got != tc.want {
					t.Errorf("request %d, %s, %.80q: status = %d, want %d", i, tc.name, tc.raw, got, tc.want)
				}
			}
		})
	}
	wg.Wait()
	if got := statusOf(exchange(t, addr, get("/", ""))); got != http.StatusOK {
		t.Errorf("GET / after %d malformed requests: status = %d, want %d", requests, got, http.StatusOK)
	}
}

// TestServerSlowClients connects 50 clients that send part of a request
// and stall, then checks that a normal request is answered while they are
// still mid-request: they finish afterwards and are answered too. With
// -sequential the normal request would wait behind them.
func TestServerSlowClients(t *testing.T) {
	s := newTestServer(io.Discard)
	s.headerTimeout = 5 * time.Second // longer than the test takes; it never passes
	addr := startServer(t, s)

	const clients = 50
	slow := make([]*net.TCPConn, clients)
	for i := range slow {
		slow[i] = dial(t, addr)
		if _, err := io.WriteString(slow[i], "GET /hello?name=slow HTTP/1.1\r\nHost: x\r\n"); err != nil {
			t.Fatal(err)
		}
	}

	if got := statusOf(exchange(t, addr, get("/", ""))); got != http.StatusOK {
		t.Fatalf("GET / with %d slow clients: status = %d, want %d", clients, got, http.StatusOK)
	}

	for i, conn := range slow {
		io.WriteString(conn, "\r\n")
		conn.CloseWrite() // no more requests: the server closes after this one
		response, err := io.ReadAll(conn)
		if err != nil || statusOf(string(response)) != http.StatusOK {
			t.Errorf("slow client %d: got %.40q, %v; want %d", i, response, err, http.StatusOK)
		}
	}
}

// TestServerSequential checks that with -sequential one stalled client
// holds up the next: the server logs the stalled client's 408 before it
// answers the client that came second.
func TestServerSequential(t *testing.T) {
	var logs lockedBuffer
	s := newTestServer(&logs)
	s.sequential = true
	s.headerTimeout = 50 * time.Millisecond
	addr := startServer(t, s)

	stalled := dial(t, addr)
	io.WriteString(stalled, "GET /stalled HTTP/1.1\r\n")
	go func() {
		// Close once answered, so the server's lingering close ends at once.
		io.ReadAll(stalled)
		stalled.Close()
	}()
	if got := statusOf(exchange(t, addr, get("/", ""))); got != http.StatusOK {
		t.Errorf("GET / behind a stalled client: status = %d, want %d", got, http.StatusOK)
	}
	stalledLine := strings.Index(logs.String(), "path=/stalled status=408")
	nextLine := strings.Index(logs.String(), "path=/ status=200")
	if stalledLine < 0 || nextLine < stalledLine {
		t.Errorf("log does not show the stalled client's 408 before the next client's 200:\n%s", logs.String())
	}
}

// TestServerShutdown checks that cancelling the context stops new
// connections but lets one already in progress finish.
func TestServerShutdown(t *testing.T) {
	listener := listen(t)
	addr := listener.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- newTestServer(io.Discard).serve(ctx, listener) }()

	conn := dial(t, addr)
	io.WriteString(conn, "GET / HTTP/1.1\r\n")
	// Make sure the server has accepted conn before shutting down: a
	// second connection is accepted only after the first.
	if got := statusOf(exchange(t, addr, get("/", ""))); got != http.StatusOK {
		t.Fatalf("GET /: status = %d, want %d", got, http.StatusOK)
	}
	cancel()

	io.WriteString(conn, "Host: x\r\n\r\n")
	response, err := io.ReadAll(conn) // the server closes after it, though HTTP/1.1 keeps alive
	conn.Close()
	if err != nil || statusOf(string(response)) != http.StatusOK || !strings.Contains(string(response), "Connection: close") {
		t.Errorf("request in progress at shutdown: got %.80q, %v; want %d with Connection: close", response, err, http.StatusOK)
	}
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("dial after shutdown: connected, want an error")
	}
}

// TestServerShutdownTimeout checks that serve gives up waiting for a
// connection that outlives the shutdown timeout.
func TestServerShutdownTimeout(t *testing.T) {
	s := newTestServer(io.Discard)
	s.shutdownTimeout = 10 * time.Millisecond
	listener := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, listener) }()

	conn := dial(t, listener.Addr().String())
	io.WriteString(conn, "GET / HTTP/1.1\r\n")
	if got := statusOf(exchange(t, listener.Addr().String(), get("/", ""))); got != http.StatusOK {
		t.Fatalf("GET /: status = %d, want %d", got, http.StatusOK)
	}
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "shutdown timed out") {
		t.Errorf("serve with a stalled connection = %v, want a shutdown timeout error", err)
	}
	conn.Close()
}

func TestAppendResponse(t *testing.T) {
	now := time.Date(2026, time.January, 2, 3, 4, 5, 0, time.UTC)
	resp := response{status: statusMethodNotAllowed, allow: "GET, HEAD", body: "你"}
	tests := []struct {
		name      string
		head      bool
		keepAlive bool
		proto     string
		want      string
	}{
		{name: "HTTP/1.1, kept alive", keepAlive: true, proto: "HTTP/1.1", want: "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/html; charset=utf-8\r\n" +
			"Content-Length: 3\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nServer: rawsocket\r\n" +
			"Allow: GET, HEAD\r\n\r\n你"},
		{name: "HTTP/1.0, kept alive", keepAlive: true, proto: "HTTP/1.0", want: "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/html; charset=utf-8\r\n" +
			"Content-Length: 3\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nServer: rawsocket\r\n" +
			"Allow: GET, HEAD\r\nConnection: keep-alive\r\n\r\n你"},
		{name: "GET", want: "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/html; charset=utf-8\r\n" +
			"Content-Length: 3\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nServer: rawsocket\r\n" +
			"Allow: GET, HEAD\r\nConnection: close\r\n\r\n你"},
		{name: "HEAD", head: true, want: "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/html; charset=utf-8\r\n" +
			"Content-Length: 3\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nServer: rawsocket\r\n" +
			"Allow: GET, HEAD\r\nConnection: close\r\n\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Appended after bytes already there, as the next response
			// of a connection is appended to the memory of the last.
			got := appendResponse([]byte("old"), resp, tc.head, tc.keepAlive, tc.proto, now)
			if string(got) != "old"+tc.want {
				t.Errorf("appendResponse(%+v, head=%t, keepAlive=%t, %s):\n got %q\nwant %q", resp, tc.head, tc.keepAlive, tc.proto, got, "old"+tc.want)
			}
		})
	}
}

// TestStatusText checks the package's status codes against net/http's
// and their reason phrases against RFC 9110 §15, which renamed 413, 414
// and 422; net/http keeps the older names.
func TestStatusText(t *testing.T) {
	tests := []struct {
		status int
		want   int
		text   string
	}{
		{statusContinue, http.StatusContinue, "Continue"},
		{statusOK, http.StatusOK, "OK"},
		{statusBadRequest, http.StatusBadRequest, "Bad Request"},
		{statusNotFound, http.StatusNotFound, "Not Found"},
		{statusMethodNotAllowed, http.StatusMethodNotAllowed, "Method Not Allowed"},
		{statusRequestTimeout, http.StatusRequestTimeout, "Request Timeout"},
		{statusContentTooLarge, http.StatusRequestEntityTooLarge, "Content Too Large"},
		{statusURITooLong, http.StatusRequestURITooLong, "URI Too Long"},
		{statusUnsupportedMediaType, http.StatusUnsupportedMediaType, "Unsupported Media Type"},
		{statusUnprocessableContent, http.StatusUnprocessableEntity, "Unprocessable Content"},
		{statusRequestHeaderFieldsTooLarge, http.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large"},
		{statusNotImplemented, http.StatusNotImplemented, "Not Implemented"},
		{statusHTTPVersionNotSupported, http.StatusHTTPVersionNotSupported, "HTTP Version Not Supported"},
	}
	for _, tc := range tests {
		if tc.status != tc.want {
			t.Errorf("status %q = %d, want %d", tc.text, tc.status, tc.want)
		}
		if got := statusText(tc.status); got != tc.text {
			t.Errorf("statusText(%d) = %q, want %q", tc.status, got, tc.text)
		}
	}
	if got := statusText(299); got != "" {
		t.Errorf("statusText(299) = %q, want \"\"", got)
	}
}

// TestServerKeepAlive sends requests back to back on one connection,
// without waiting for the answers (pipelined), and checks that the
// answers come in order, that the connection stays open after each one
// it should, and that it closes after the one it should not.
func TestServerKeepAlive(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		closeEach  bool
		maxReqs    int   // 0 for the default
		want       []int // statuses, in order
		wantClosed bool  // whether the server closes, though the client keeps sending
	}{
		{name: "HTTP/1.1 pipelined", raw: get("/", "") + get("/hello?name=a", "") + get("/nowhere", ""),
			want: []int{http.StatusOK, http.StatusOK, http.StatusNotFound}},
		{name: "HTTP/1.1 closes on request", raw: get("/", "Connection: close\r\n") + get("/", ""),
			want: []int{http.StatusOK}, wantClosed: true},
		{name: "Connection options in any case, in a list", raw: get("/", "Connection: Upgrade, CLOSE\r\n") + get("/", ""),
			want: []int{http.StatusOK}, wantClosed: true},
		{name: "HTTP/1.0 closes by default", raw: "GET / HTTP/1.0\r\n\r\n" + get("/", ""),
			want: []int{http.StatusOK}, wantClosed: true},
		{name: "HTTP/1.0 with keep-alive", raw: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + get("/", ""),
			want: []int{http.StatusOK, http.StatusOK}},
		{name: "a malformed request ends the connection", raw: get("/", "") + "GET / HTTP/1.1\r\nHost : x\r\n\r\n" + get("/", ""),
			want: []int{http.StatusOK, http.StatusBadRequest}, wantClosed: true},
		{name: "a body is read before the next request", raw: withLength("3", "a=b") + get("/", ""),
			want: []int{http.StatusMethodNotAllowed, http.StatusOK}},
		{name: "the cap on requests", raw: strings.Repeat(get("/", ""), 4), maxReqs: 3,
			want: []int{http.StatusOK, http.StatusOK, http.StatusOK}, wantClosed: true},
		{name: "-close", raw: get("/", "") + get("/", ""), closeEach: true,
			want: []int{http.StatusOK}, wantClosed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(io.Discard)
			s.closeEach = tc.closeEach
			if tc.maxReqs != 0 {
				s.maxRequests = tc.maxReqs
			}
			conn := dial(t, startServer(t, s))
			if _, err := io.WriteString(conn, tc.raw); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(conn)
			for i, want := range tc.want {
				resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
				if err != nil {
					t.Fatalf("answer %d: %v", i+1, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				last := i == len(tc.want)-1
				if resp.StatusCode != want || resp.Close != (last && tc.wantClosed) {
					t.Errorf("answer %d: %d, Connection: close = %v; want %d, %v", i+1, resp.StatusCode, resp.Close, want, last && tc.wantClosed)
				}
			}
			// Without a half-close from the client, the server closes only
			// if it should; otherwise it waits for the next request.
			conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			_, err := br.ReadByte()
			if closed := errors.Is(err, io.EOF); closed != tc.wantClosed {
				t.Errorf("after the answers: read %v, closed = %v; want closed = %v", err, closed, tc.wantClosed)
			}
		})
	}
}

// TestServerIdleTimeout checks that a kept-alive connection that sends
// nothing more is closed after the idle timeout.
func TestServerIdleTimeout(t *testing.T) {
	s := newTestServer(io.Discard)
	s.idleTimeout = 50 * time.Millisecond
	conn := dial(t, startServer(t, s))
	io.WriteString(conn, get("/", ""))
	response, err := io.ReadAll(conn) // ends when the server closes, or at clientTimeout
	if err != nil || statusOf(string(response)) != http.StatusOK {
		t.Errorf("a request, then silence: %.40q, %v; want %d, then the server closing", response, err, http.StatusOK)
	}
}

// TestServerShutdownIdle checks that shutting down closes a kept-alive
// connection that waits for its next request, at once.
func TestServerShutdownIdle(t *testing.T) {
	listener := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- newTestServer(io.Discard).serve(ctx, listener) }()
	conn := dial(t, listener.Addr().String())
	io.WriteString(conn, get("/", ""))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
	if err != nil || resp.Close {
		t.Fatalf("first answer: %v, %v; want one that keeps the connection", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve with an idle connection: %v, want nil", err)
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("idle connection after shutdown: read %v, want EOF", err)
	}
}

// TestServerTransferEncoding sends requests with Transfer-Encoding over a
// raw connection, each followed by a GET that a request smuggler would
// hide in the body, and checks the status of the first answer and
// whether the server then closes: it must, after any request whose body's
// end it could not know, so that the hidden GET gets no answer.
func TestServerTransferEncoding(t *testing.T) {
	const hidden = "GET /hello?name=smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	tests := []struct {
		name       string
		raw        string
		want       int
		wantClosed bool
	}{
		{name: "chunked, then a second request", raw: chunkedPost("", "5\r\nhello\r\n0\r\n\r\n"), want: http.StatusMethodNotAllowed},
		{name: "Content-Length and chunked: the smuggling case",
			raw:  "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 46\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			want: http.StatusBadRequest, wantClosed: true},
		{name: "chunked not last", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
			want: http.StatusBadRequest, wantClosed: true},
		{name: "empty Transfer-Encoding with Content-Length", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\nContent-Length: 5\r\n\r\nhello",
			want: http.StatusBadRequest, wantClosed: true},
		{name: "chunked and identity", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
			want: http.StatusBadRequest, wantClosed: true},
		{name: "gzip then chunked", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
			want: http.StatusNotImplemented, wantClosed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := dial(t, startServer(t, newTestServer(io.Discard)))
			io.WriteString(conn, tc.raw+hidden)
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodPost})
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != tc.want || resp.Close != tc.wantClosed {
				t.Errorf("status %d, Connection: close = %v; want %d, %v", resp.StatusCode, resp.Close, tc.want, tc.wantClosed)
			}
			if !tc.wantClosed {
				// The second request is a request of its own: answered.
				second, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
				if err != nil || second.StatusCode != http.StatusOK {
					t.Errorf("the request after it: %v, %v; want %d", second, err, http.StatusOK)
				}
				return
			}
			if b, err := br.ReadByte(); !errors.Is(err, io.EOF) {
				t.Errorf("after the answer: read %q, %v; want the connection closed with no second answer", b, err)
			}
		})
	}
}
