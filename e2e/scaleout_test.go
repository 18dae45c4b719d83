package e2e

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"example.com/miniweb/internal/testdb"
)

// TestScaleOut runs two instances of the demo on one PostgreSQL database
// behind a real nginx that spreads requests over them in turn (an
// upstream, round robin), and checks that they act as one site: a logout
// through nginx revokes a copied session cookie on both instances, wrong
// passwords sent through nginx reach the per-user limit on the instances
// together, and both still refuse the revoked cookie after a restart.
func TestScaleOut(t *testing.T) {
	nginx := program(t, "nginx", "/usr/sbin/nginx")
	database := []string{"DATABASE_URL=" + testdb.PostgresURL(t)}
	instances := []*demo{startDemoWith(t, binary, database), startDemoWith(t, binary, database)}

	port := freePort(t)
	startNginx(t, nginx, t.TempDir(), port, fmt.Sprintf(`
	upstream miniweb {
		server %s;
		server %s;
	}
	server {
		listen 127.0.0.1:%d;
		location / {
			proxy_pass http://miniweb;
			proxy_set_header Host $http_host;
		}
	}`, instances[0].address, instances[1].address, port))
	site := fmt.Sprintf("http://127.0.0.1:%d", port)

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// Log in through nginx and keep a copy of the cookie, as a thief would.
	res := send(t, browser, http.MethodPost, site+"/login", credentials("admin", "secure123"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("POST /login through nginx: %d, want %d", res.status, http.StatusSeeOther)
	}
	copied := res.header.Get("Set-Cookie")
	copied, _, _ = strings.Cut(copied, ";")
	// home returns the status of GET /home at base with the copied cookie.
	home := func(base string) int {
		t.Helper()
		r, err := http.NewRequest(http.MethodGet, base+"/home", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Cookie", copied)
		res, err := http.DefaultTransport.RoundTrip(r) // no jar, no redirects: this cookie alone
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i, instance := range instances {
		if status := home("http://" + instance.address); status != http.StatusOK {
			t.Fatalf("GET /home on instance %d with the session: %d, want %d", i+1, status, http.StatusOK)
		}
	}

	// Log out through nginx: the copy no longer works on either instance.
	if res := send(t, browser, http.MethodPost, site+"/logout", nil); res.status != http.StatusSeeOther {
		t.Fatalf("POST /logout through nginx: %d, want %d", res.status, http.StatusSeeOther)
	}
	for i, instance := range instances {
		if status := home("http://" + instance.address); status != http.StatusSeeOther {
			t.Errorf("GET /home on instance %d with the copied cookie after logout: %d, want %d to the login page",
				i+1, status, http.StatusSeeOther)
		}
	}

	// Wrong passwords through nginx alternate between the instances, and
	// the per-user limit counts them together.
	for i := range 6 {
		want := http.StatusUnprocessableEntity
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if res := send(t, browser, http.MethodPost, site+"/login", credentials("ann", "wrong password")); res.status != want {
			t.Errorf("wrong password %d through nginx: %d, want %d", i+1, res.status, want)
		}
	}

	// Restart both: the revocation is in the database, not in them.
	for i, instance := range instances {
		instance.stop()
		instances[i] = startDemoWith(t, binary, database)
	}
	for i, instance := range instances {
		if status := home("http://" + instance.address); status != http.StatusSeeOther {
			t.Errorf("GET /home on restarted instance %d with the copied cookie: %d, want %d", i+1, status, http.StatusSeeOther)
		}
	}
}
