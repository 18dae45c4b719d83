package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"example.com/miniweb/framework"
)

// The demo's program, built by TestMain.
var (
	// buildDir holds the programs that the tests build.
	buildDir string
	// binary is example.com/miniweb, built with the race detector when
	// the tests run with it, so that it checks the demo too.
	binary string
	// raceBuild reports whether binary was built with the race detector.
	raceBuild bool
)

// sessionKeys set the demo's session keys, in the hex form its
// environment takes. CGI and FastCGI refuse to start without them.
var sessionKeys = []string{
	"MINIWEB_HASH_KEY=" + strings.Repeat("11", framework.HashKeyBytes),
	"MINIWEB_BLOCK_KEY=" + strings.Repeat("22", framework.BlockKeyBytes),
}

// What the demo says, as a user reads it.
const (
	loginFailedMessage = "Invalid username or password."
	loggedOutMessage   = "You have been logged out."
)

// TestMain builds the demo with go build, once for every test, into a
// temporary directory, and removes it when the tests end.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	var err error
	buildDir, err = os.MkdirTemp("", "miniweb-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(buildDir)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, setting := range info.Settings {
			raceBuild = raceBuild || setting.Key == "-race" && setting.Value == "true"
		}
	}
	binary = filepath.Join(buildDir, "miniweb")
	if err := build(binary, raceBuild); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return m.Run()
}

// build builds example.com/miniweb into the file path, with the race
// detector if race is set. go test puts its own go command first in PATH.
func build(path string, race bool) error {
	args := []string{"build", "-o", path}
	if race {
		args = append(args, "-race")
	}
	output, err := exec.Command("go", append(args, "example.com/miniweb")...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("go %s example.com/miniweb: %v\n%s", strings.Join(args, " "), err, output)
	}
	return nil
}

// plainBinary returns the demo built without the race detector, for a
// test that measures the program itself: binary, or under -race a second
// build, made once.
var plainBinary = sync.OnceValues(func() (string, error) {
	if !raceBuild {
		return binary, nil
	}
	path := filepath.Join(buildDir, "miniweb-plain")
	return path, build(path, false)
})

// program returns the path of the program name, looked up in PATH and
// then at debianPath, where Debian's package of the same name installs
// it. It skips the test if the program is missing, unless the CI
// variable is set: CI must run the test, so then the test fails.
func program(t *testing.T, name, debianPath string) string {
	t.Helper()
	for _, file := range []string{name, debianPath} {
		if path, err := exec.LookPath(file); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "" {
		t.Skipf("%s is not installed (apt-get install %s); CI installs it", name, name)
	}
	t.Fatalf("%s is not installed, and CI must run this test", name)
	return ""
}

// demo is the demo's program, running as a server.
type demo struct {
	process *os.Process
	// address is where it serves HTTP, host:port, taken from its start-up
	// line; "" with -fcgi.
	address string
	// stop stops it as the test's cleanup does; it runs once.
	stop func()
}

// startDemo runs path with args, with only sessionKeys in its
// environment and a temporary working directory, where its SQLite
// database goes, and waits, up to a minute, for its start-up line on
// stdout. Without -fcgi, args get -addr 127.0.0.1:0, a free loopback
// port, which the start-up line names. When the test ends, the demo
// gets SIGTERM, as a service manager stops it, and must exit with
// status 0 within 30 seconds; if the test failed, the test logs what the
// demo wrote.
func startDemo(t *testing.T, path string, args ...string) *demo {
	t.Helper()
	return startDemoWith(t, path, nil, args...)
}

// startDemoWith is startDemo with env ("NAME=value") in its environment
// besides sessionKeys.
func startDemoWith(t *testing.T, path string, env []string, args ...string) *demo {
	t.Helper()
	fastCGI := false
	for _, arg := range args {
		fastCGI = fastCGI || arg == "-fcgi"
	}
	if !fastCGI {
		args = append(args, "-addr", "127.0.0.1:0")
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(slices.Clone(sessionKeys), env...)
	cmd.Dir = t.TempDir() // where its database, miniweb.db, goes
	output := &syncBuffer{}
	startup := &startupWriter{output: output, line: make(chan string, 1)}
	cmd.Stdout, cmd.Stderr = startup, output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	what := "miniweb " + strings.Join(args, " ")
	stop := sync.OnceFunc(func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Errorf("%s: SIGTERM: %v", what, err)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("%s after SIGTERM: %v, want exit status 0", what, err)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("%s: still running 30s after SIGTERM", what)
		}
		if t.Failed() {
			t.Logf("%s wrote (last 4 KiB):\n%s", what, tail(output.String(), 4<<10))
		}
	})
	t.Cleanup(stop)

	var line string
	select {
	case line = <-startup.line:
	case err := <-exited:
		exited <- err // for the cleanup
		t.Fatalf("%s exited before serving: %v", what, err)
	case <-time.After(time.Minute):
		t.Fatalf("%s: no start-up line after a minute", what)
	}
	d := &demo{process: cmd.Process, stop: stop}
	if !fastCGI {
		_, rest, ok := strings.Cut(line, "miniweb: serving http://")
		if !ok {
			t.Fatalf("%s: start-up line %q has no URL", what, line)
		}
		d.address, _, _ = strings.Cut(rest, "/")
	}
	return d
}

// syncBuffer is a bytes.Buffer that several goroutines may write to at
// once, as exec.Cmd and cgi.Handler write a program's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(b)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startupWriter is a program's stdout: it passes everything on to output,
// and sends the first line, the start-up line, on line. exec.Cmd writes
// to it from one goroutine.
type startupWriter struct {
	output *syncBuffer
	line   chan string // buffered, for one line
	first  []byte      // the first line, until it ends
	sent   bool
}

func (w *startupWriter) Write(b []byte) (int, error) {
	if !w.sent {
		w.first = append(w.first, b...)
		if line, _, ok := bytes.Cut(w.first, []byte("\n")); ok {
			w.sent = true
			w.line <- string(line)
		}
	}
	return w.output.Write(b)
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	return s[max(0, len(s)-n):]
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port
}

// startNginx runs nginx, the program at path, in the foreground, with its
// pid file, logs and temporary files in dir, and site, the blocks of its
// http section (upstream, server), which listen on port. It waits until
// nginx accepts connections on port, and stops it, master and workers,
// with SIGTERM when the test ends, showing its output and error log if the
// test failed.
func startNginx(t *testing.T, path, dir string, port int, site string) {
	t.Helper()
	config := fmt.Sprintf(`
daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path %[1]s/client_body;
	fastcgi_temp_path %[1]s/fastcgi;
	proxy_temp_path %[1]s/proxy;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
%[2]s
}
`, dir, site)
	configPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", configPath)
	output := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = output, output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGTERM, so that the master stops its workers too.
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			errorLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output:\n%s\nnginx error log:\n%s", output.String(), errorLog)
		}
	})
	waitForListener(t, fmt.Sprintf("127.0.0.1:%d", port))
}

// waitForListener waits, up to ten seconds, until address accepts an HTTP
// request.
func waitForListener(t *testing.T, address string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		conn, err := net.Dial("tcp", address)
		if err == nil {
			fmt.Fprintf(conn, "HEAD / HTTP/1.0\r\n\r\n")
			_, err = http.ReadResponse(bufio.NewReader(conn), nil)
			conn.Close()
			if err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing answers on %s: %v", address, err)
		}
	}
}

// loginFlow walks the demo served at base+mount through its whole flow,
// as a browser does: the form, a wrong password, the right one, the home
// page, logout and the home page again. The root package's TestLoginFlow
// walks the same flow in process.
func loginFlow(t *testing.T, base, mount string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{
		Jar:           jar,
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	// do sends a request, a POST of form unless form is nil, and checks
	// its status and that its body holds each of wantBody.
	do := func(what, method, path string, form url.Values, wantStatus int, wantBody ...string) *response {
		t.Helper()
		res := send(t, client, method, base+mount+path, form)
		if res.status != wantStatus {
			t.Errorf("%s: status = %d, want %d; body:\n%s", what, res.status, wantStatus, res.body)
		}
		for _, want := range wantBody {
			if !strings.Contains(res.body, want) {
				t.Errorf("%s: body does not contain %q; body:\n%s", what, want, res.body)
			}
		}
		return res
	}
	wantLocation := func(what string, res *response, want string) {
		t.Helper()
		if got := res.header.Get("Location"); got != want {
			t.Errorf("%s: Location = %q, want %q", what, got, want)
		}
	}

	do("GET /login", http.MethodGet, "/login", nil, http.StatusOK,
		`action="`+mount+`/login"`, `href="`+mount+`/static/style.css"`,
		`name="username"`, `name="password"`, `type="submit"`)

	res := do("POST /login with a wrong password", http.MethodPost, "/login", credentials("admin", "wrong-password"),
		http.StatusUnprocessableEntity, loginFailedMessage, `value="admin"`)
	if strings.Contains(res.body, "wrong-password") {
		t.Errorf("POST /login with a wrong password: the page echoes the password")
	}

	res = do("POST /login with the right password", http.MethodPost, "/login", credentials("admin", "secure123"), http.StatusSeeOther)
	wantLocation("POST /login", res, mount+"/home")
	var cookie *http.Cookie
	for _, line := range res.header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && c.Name == "session" {
			cookie = c
		}
	}
	wantPath := mount
	if wantPath == "" {
		wantPath = "/"
	}
	switch {
	case cookie == nil:
		t.Fatalf("POST /login: no session cookie in %q", res.header.Values("Set-Cookie"))
	case !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != wantPath || cookie.Secure:
		t.Errorf("session cookie = %s, want HttpOnly, SameSite=Lax, Path=%s and not Secure over plain HTTP", cookie, wantPath)
	case cookie.MaxAge <= 0 || cookie.MaxAge > int(framework.DefaultSessionLifetime.Seconds()):
		t.Errorf("session cookie Max-Age = %d, want within the lifetime %v", cookie.MaxAge, framework.DefaultSessionLifetime)
	}

	do("GET /home logged in", http.MethodGet, "/home", nil, http.StatusOK,
		"Welcome back, admin!", "This is your secret research base.", `action="`+mount+`/logout"`)

	res = do("POST /logout", http.MethodPost, "/logout", url.Values{}, http.StatusSeeOther)
	wantLocation("POST /logout", res, mount+"/login")

	do("GET /login after logout", http.MethodGet, "/login", nil, http.StatusOK, loggedOutMessage)
	res = do("GET /login a second time after logout", http.MethodGet, "/login", nil, http.StatusOK)
	if strings.Contains(res.body, loggedOutMessage) {
		t.Errorf("GET /login a second time after logout: the flash message shows again")
	}

	res = do("GET /home after logout", http.MethodGet, "/home", nil, http.StatusSeeOther)
	wantLocation("GET /home after logout", res, mount+"/login?next=/home")
}

// response is what a test reads of an HTTP response.
type response struct {
	status int
	header http.Header
	body   string
}

// send sends a request with client, a urlencoded POST of form unless
// form is nil, and reads the whole response.
func send(t *testing.T, client *http.Client, method, target string, form url.Values) *response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func credentials(username, password string) url.Values {
	return url.Values{"username": {username}, "password": {password}}
}
