package e2e

import (
	"fmt"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestCGI runs the demo as a CGI script, one process a request, the way a
// web server runs it: net/http/cgi.Handler starts the demo's binary with
// the CGI environment, here at SCRIPT_NAME /cgi-bin/miniweb.
func TestCGI(t *testing.T) {
	const scriptName = "/cgi-bin/miniweb"
	var stderr syncBuffer
	handler := &cgi.Handler{Path: binary, Root: scriptName, Dir: t.TempDir(), Env: sessionKeys, Stderr: &stderr}
	server := httptest.NewServer(handler)
	defer server.Close()

	loginFlow(t, server.URL, scriptName)
	if t.Failed() {
		t.Logf("the CGI children's standard error:\n%s", stderr.String())
	}
}

// TestFastCGIBehindNginx runs the demo's binary with -fcgi on a unix
// socket behind a real nginx on a loopback port, its workers running as
// another user than the demo, as in production, and walks the login flow
// through nginx.
// CI installs nginx; elsewhere the test skips when it is missing.
func TestFastCGIBehindNginx(t *testing.T) {
	nginx := program(t, "nginx", "/usr/sbin/nginx")
	// The workers run as nobody: they must reach the socket through dir,
	// which t.TempDir would put below a directory only root can enter.
	dir, err := os.MkdirTemp("", "miniweb-fastcgi-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(dir, "miniweb.sock")
	startDemo(t, binary, "-fcgi", socket, "-mount", "/app")

	port := freePort(t)
	startNginx(t, nginx, dir, port, fmt.Sprintf(`
	server {
		listen 127.0.0.1:%d;
		location /app/ {
			include /etc/nginx/fastcgi_params;
			fastcgi_pass unix:%s;
		}
	}`, port, socket))
	address := fmt.Sprintf("127.0.0.1:%d", port)

	loginFlow(t, "http://"+address, "/app")
}
