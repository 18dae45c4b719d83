package main

// Tests of the server under stress: real sockets on loopback, every loop
// bounded in count and in time, and no assertion on how long anything
// took.

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
	"net/url"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// listen serves server on a free loopback port and returns the address
// and a func that shuts the server down gracefully and waits for Serve to
// return. The test's cleanup calls that func too; it runs once.
func listen(t *testing.T, server *http.Server) (address string, shutdown func()) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	shutdown = sync.OnceFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if err := server.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v, want %v", err, http.ErrServerClosed)
		}
	})
	t.Cleanup(shutdown)
	return listener.Addr().String(), shutdown
}

// TestSlowloris opens connections that trickle a header section that never
// ends, and checks that the server cuts each one off at ReadHeaderTimeout
// while it still serves a normal client.
//
// The test shortens ReadHeaderTimeout to slowlorisHeaderTimeout and checks
// separately that newServer sets the production value. The slow clients
// write a byte every slowlorisPause, more often than the timeout: a
// timeout on each read would never fire, so only a deadline on the whole
// header section cuts them off.
func TestSlowloris(t *testing.T) {
	const (
		slowClients            = 20
		slowlorisHeaderTimeout = 500 * time.Millisecond
		slowlorisPause         = 100 * time.Millisecond
		// slowlorisBound is how long a slow client waits for the server to
		// hang up before the test fails: ten times the timeout.
		slowlorisBound = 10 * slowlorisHeaderTimeout
	)
	limits := newServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if limits.ReadHeaderTimeout != ReadHeaderTimeout {
		t.Errorf("newServer: ReadHeaderTimeout = %v, want %v", limits.ReadHeaderTimeout, ReadHeaderTimeout)
	}

	handler, logger, _ := newTestApp(t)
	server := newServer(handler, logger)
	server.ReadHeaderTimeout = slowlorisHeaderTimeout
	address, _ := listen(t, server)

	started := make(chan error, slowClients)
	results := make(chan error, slowClients)
	for range slowClients {
		go func() { results <- trickle(address, slowlorisPause, slowlorisBound, started) }()
	}
	for range slowClients {
		if err := <-started; err != nil {
			t.Fatalf("slow client: %v", err)
		}
	}

	// Every slow client has sent its first byte. A normal client is
	// served all the same.
	client := &http.Client{Timeout: slowlorisBound}
	res := do(t, client, http.MethodGet, "http://"+address+"/login", nil)
	wantStatus(t, "GET /login beside slow clients", res, http.StatusOK)
	t.Logf("GET /login answered while %d of %d slow clients were not yet cut off", slowClients-len(results), slowClients)

	for range slowClients {
		if err := <-results; err != nil {
			t.Errorf("slow client: %v", err)
		}
	}
}

// trickle connects to address and writes a request's header section one
// byte at a time, pause between bytes; the section never ends. Once the
// first byte is written it sends nil (or the error) on started. It returns
// nil when the server hangs up, with or without an answer, and an error if
// the connection is still open after bound.
//
// An answer, if any, must be 408 Request Timeout or 400 Bad Request:
// net/http hangs up in silence when the deadline passes among the header
// fields, but answers 400 when it passes within the request line, since
// bufio.Reader.ReadLine returns the part of the line it has without the
// error.
func trickle(address string, pause, bound time.Duration, started chan<- error) error {
	conn, err := net.Dial("tcp", address)
	if err != nil {
		started <- err
		return err
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(bound))
	header := []byte("GET /login HTTP/1.1\r\nHost: " + address + "\r\nX-Trickle: " + strings.Repeat("a", 1000))

	// A read ends when the server hangs up, answers, or bound passes.
	closed := make(chan error, 1)
	go func() { closed <- waitForHangUp(bufio.NewReader(conn), bound) }()

	_, err = conn.Write(header[:1])
	started <- err
	if err != nil {
		return err
	}
	ticker := time.NewTicker(pause)
	defer ticker.Stop()
	for _, b := range header[1:] {
		select {
		case err := <-closed:
			return err
		case <-ticker.C:
		}
		if _, err := conn.Write([]byte{b}); err != nil {
			break // the server hung up; the read says how
		}
	}
	return <-closed
}

// waitForHangUp reads the server's side of a connection whose request
// never ends. It returns nil once the server has closed the connection,
// after a 400 or 408 response if any, and an error if the read deadline
// passes first or the response has another status.
func waitForHangUp(r *bufio.Reader, bound time.Duration) error {
	stillOpen := func(err error) bool {
		var netErr net.Error
		return errors.As(err, &netErr) && netErr.Timeout()
	}
	res, err := http.ReadResponse(r, nil)
	switch {
	case stillOpen(err):
		return fmt.Errorf("connection still open after %v: the server waits for the header section", bound)
	case err != nil:
		return nil // EOF or reset: the server hung up in silence.
	case res.StatusCode != http.StatusRequestTimeout && res.StatusCode != http.StatusBadRequest:
		return fmt.Errorf("status = %d, want %d, %d or a closed connection", res.StatusCode, http.StatusRequestTimeout, http.StatusBadRequest)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if _, err := r.ReadByte(); stillOpen(err) || err == nil {
		return fmt.Errorf("status %d, then the connection stays open (%v)", res.StatusCode, err)
	}
	return nil
}

// TestLoad runs 64 clients at once against a server configured as in
// production, each making one of the demo's requests in a loop until it has
// made loadRequests or loadDuration has passed. No request may fail or get
// a status other than its own, and once the server has shut down and the
// clients closed their connections, no goroutine may be left over.
//
// Wrong passwords get 422, or 429 once the login throttle refuses them.
func TestLoad(t *testing.T) {
	const (
		loadRequests = 200 // per client
		loadDuration = 2 * time.Second
	)
	// Goroutines counted once the app is built (its database has one of
	// its own) and before the server starts; those of earlier tests that
	// still end can only lower the count.
	handler, logger, log := newTestApp(t)
	baseline := runtime.NumGoroutine()
	address, shutdown := listen(t, newServer(handler, logger))
	base := "http://" + address
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport:     transport,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	// Log in once, before any wrong password; every client reuses the
	// session.
	res := do(t, client, http.MethodPost, base+"/login", credentials("admin", "secure123"))
	wantStatus(t, "POST /login with the right password", res, http.StatusSeeOther)
	session := sessionCookie(t, res)

	// Each client makes one kind of request. A password check takes
	// tens of milliseconds, and far more under the race detector, so
	// fewer clients send passwords: the others keep the server busy.
	type loadRequest struct {
		name       string
		clients    int // how many clients make this request
		method     string
		path       string
		form       url.Values
		session    bool // send the session cookie
		wantStatus []int
	}
	requests := []loadRequest{
		{name: "form", clients: 20, method: http.MethodGet, path: "/login", wantStatus: []int{http.StatusOK}},
		{name: "wrong password", clients: 4, method: http.MethodPost, path: "/login", form: credentials("admin", "wrong-password"),
			wantStatus: []int{http.StatusUnprocessableEntity, http.StatusTooManyRequests}},
		{name: "home", clients: 20, method: http.MethodGet, path: "/home", session: true, wantStatus: []int{http.StatusOK}},
		{name: "stylesheet", clients: 20, method: http.MethodGet, path: "/static/style.css", wantStatus: []int{http.StatusOK}},
	}
	loadClients := 0
	for _, tc := range requests {
		loadClients += tc.clients
	}
	transport.MaxIdleConnsPerHost = loadClients

	var (
		mu       sync.Mutex
		made     int                // requests
		counts   = map[string]int{} // "name status" → responses
		failures []string           // the first few
		failed   int                // requests that failed
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if failed++; len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	// request makes one request of kind tc and records the outcome.
	request := func(tc loadRequest) {
		mu.Lock()
		made++
		mu.Unlock()
		what := tc.method + " " + tc.path + " (" + tc.name + ")"
		var body io.Reader
		if tc.form != nil {
			body = strings.NewReader(tc.form.Encode())
		}
		req, err := http.NewRequest(tc.method, base+tc.path, body)
		if err != nil {
			fail("%s: %v", what, err)
			return
		}
		if tc.form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if tc.session {
			req.AddCookie(session)
		}
		res, err := client.Do(req)
		if err != nil {
			fail("%s: %v", what, err)
			return
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil {
			fail("%s: reading the body: %v", what, err)
		}
		if !slices.Contains(tc.wantStatus, res.StatusCode) {
			fail("%s: status = %d, want one of %v", what, res.StatusCode, tc.wantStatus)
		}
		mu.Lock()
		counts[tc.name+" "+strconv.Itoa(res.StatusCode)]++
		mu.Unlock()
	}
	deadline := time.Now().Add(loadDuration)
	var wg sync.WaitGroup
	for _, tc := range requests {
		for range tc.clients {
			wg.Go(func() {
				for n := 0; n < loadRequests && time.Now().Before(deadline); n++ {
					request(tc)
				}
			})
		}
	}
	wg.Wait()
	shutdown()
	transport.CloseIdleConnections()

	t.Logf("%d clients made %d requests; responses by request and status: %v", loadClients, made, counts)
	if failed > 0 {
		t.Errorf("%d of %d requests failed; the first:\n%s", failed, made, strings.Join(failures, "\n"))
	}
	if t.Failed() {
		t.Logf("server log (last 4 KiB):\n%s", tail(log.String(), 4<<10))
	}

	// The connections' goroutines end soon after the connections close,
	// not at once: poll, bounded.
	settle := time.NewTimer(5 * time.Second)
	defer settle.Stop()
	ticker := time.NewTicker(10 * time.Millisecond)
	defer ticker.Stop()
	goroutines := runtime.NumGoroutine()
	for waiting := true; waiting && goroutines > baseline; goroutines = runtime.NumGoroutine() {
		select {
		case <-ticker.C:
		case <-settle.C:
			waiting = false
		}
	}
	if goroutines > baseline {
		var stacks strings.Builder
		pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		t.Errorf("after shutdown: %d goroutines, want at most %d as before the server started; goroutines:\n%s",
			goroutines, baseline, stacks.String())
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	return s[max(0, len(s)-n):]
}

// TestGracefulShutdown cancels run's context, as SIGTERM does through
// signal.NotifyContext, while a POST /login is in flight: its handler is
// reading the body. The request completes; new connections are refused
// from the start of the shutdown, and after run has returned.
//
// The client sends Expect: 100-continue, and the server answers 100
// Continue when the handler first reads the body, so the test knows that
// the request is in flight without sleeping.
func TestGracefulShutdown(t *testing.T) {
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
	}{
		{name: "wrong password", form: credentials("admin", "wrong-password"), wantStatus: http.StatusUnprocessableEntity},
		{name: "right password", form: credentials("admin", "secure123"), wantStatus: http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			line, cancel, done := startRun(t, []string{"-addr", "127.0.0.1:0"}, testGetenv(t, testKeys), &syncWriter{w: &stderr})
			address := servingAddress(t, line)

			conn, err := net.Dial("tcp", address)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(ShutdownTimeout))
			body := tc.form.Encode()
			fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\n"+
				"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"+
				"Expect: 100-continue\r\n\r\n", address, len(body))
			reader := bufio.NewReader(conn)
			interim, err := http.ReadResponse(reader, nil)
			if err != nil {
				t.Fatalf("POST /login with Expect: 100-continue: %v", err)
			}
			if interim.StatusCode != http.StatusContinue {
				t.Fatalf("POST /login with Expect: 100-continue: status = %d, want %d", interim.StatusCode, http.StatusContinue)
			}

			cancel()
			// Shutdown closes the listener before it waits for requests.
			waitForRefusal(t, address)
			select {
			case err := <-done:
				t.Errorf("run returned (%v) with a request in flight", err)
			default:
			}

			io.WriteString(conn, body)
			res, err := http.ReadResponse(reader, nil)
			if err != nil {
				t.Fatalf("POST /login in flight during shutdown: %v", err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != tc.wantStatus {
				t.Errorf("POST /login (%s) in flight during shutdown: status = %d, want %d", tc.name, res.StatusCode, tc.wantStatus)
			}

			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run after cancel: %v, want nil", err)
				}
			case <-time.After(2 * ShutdownTimeout):
				t.Fatalf("run did not return after the request in flight completed")
			}
			if conn, err := net.Dial("tcp", address); err == nil {
				conn.Close()
				t.Errorf("dial %s after run returned: connected, want refused", address)
			}
			if t.Failed() {
				t.Logf("run's log:\n%s", stderr.String())
			}
		})
	}
}

// waitForRefusal waits, up to ten seconds, until address refuses
// connections.
func waitForRefusal(t *testing.T, address string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	ticker := time.NewTicker(5 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		conn, err := net.DialTimeout("tcp", address, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections", address)
		}
	}
}
