package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cgiChildVariable, set in the environment, makes the test binary act as
// the demo started as a CGI script, for TestCGI.
const cgiChildVariable = "MINIWEB_TEST_CGI_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(cgiChildVariable) != "" {
		if err := run(context.Background(), nil, os.Getenv, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "miniweb:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestCGI runs the demo as a CGI script, one process a request, the way a
// web server runs it: net/http/cgi.Handler starts the test binary with the
// CGI environment, here at SCRIPT_NAME /cgi-bin/miniweb.
func TestCGI(t *testing.T) {
	const scriptName = "/cgi-bin/miniweb"
	env := []string{cgiChildVariable + "=1"}
	for name, value := range testKeys {
		env = append(env, name+"="+value)
	}
	var stderr strings.Builder
	handler := &cgi.Handler{Path: os.Args[0], Root: scriptName, Env: env, Stderr: &syncWriter{w: &stderr}}
	server := httptest.NewServer(handler)
	defer server.Close()

	loginFlow(t, server.URL, scriptName)
	if t.Failed() {
		t.Logf("the CGI children's standard error:\n%s", stderr.String())
	}
}

// TestCGIRequiresKeys checks that the demo will not run as a CGI script
// with random session keys, which would log everyone out on each request.
func TestCGIRequiresKeys(t *testing.T) {
	_, err := parseConfig(nil, testGetenv(map[string]string{"GATEWAY_INTERFACE": "CGI/1.1"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), hashKeyVariable) {
		t.Errorf("parseConfig as CGI without keys: error = %v, want one that names %s", err, hashKeyVariable)
	}
	_, err = parseConfig([]string{"-fcgi", "127.0.0.1:0"}, testGetenv(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), hashKeyVariable) {
		t.Errorf("parseConfig -fcgi without keys: error = %v, want one that names %s", err, hashKeyVariable)
	}
}

// TestFastCGIBehindNginx runs the demo with -fcgi on a unix socket behind a
// real nginx on a loopback port, and walks the login flow through nginx.
// CI installs nginx; elsewhere the test skips when it is missing.
func TestFastCGIBehindNginx(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx, err = exec.LookPath("/usr/sbin/nginx")
	}
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("nginx is not installed (apt-get install nginx); CI installs it")
		}
		t.Fatal("nginx is not installed, and CI must run this test")
	}
	dir := t.TempDir()
	socket := filepath.Join(dir, "miniweb.sock")

	ctx, cancel := context.WithCancel(context.Background())
	stdout := &lineWriter{lines: make(chan string, 1)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-fcgi", socket, "-mount", "/app"}, testGetenv(testKeys), stdout, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run -fcgi after cancel: %v", err)
		}
	}()
	select {
	case <-stdout.lines:
	case err := <-done:
		t.Fatalf("run -fcgi returned before serving: %v", err)
	}

	port := freePort(t)
	config := fmt.Sprintf(`
daemon off;
master_process off;
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
	server {
		listen 127.0.0.1:%[2]d;
		location /app/ {
			include /etc/nginx/fastcgi_params;
			fastcgi_pass unix:%[3]s;
		}
	}
}
`, dir, port, socket)
	configPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", configPath)
	var nginxOutput strings.Builder
	cmd.Stdout, cmd.Stderr = &nginxOutput, &nginxOutput
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			errorLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output:\n%s\nnginx error log:\n%s", nginxOutput.String(), errorLog)
		}
	}()
	address := fmt.Sprintf("127.0.0.1:%d", port)
	waitForListener(t, address)

	loginFlow(t, "http://"+address, "/app")
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
