// Package testdb starts the throwaway databases that tests run against:
// a fresh SQLite file, or a fresh PostgreSQL cluster made with initdb and
// pg_ctl in a temporary directory, listening on a free loopback port. Both
// are real engines, never mocks. Tests that need PostgreSQL skip when its
// programs are missing, unless the CI environment variable is set, in
// which case they fail: CI installs Debian's postgresql package.
package testdb

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

// Engines returns, by name ("sqlite", "postgres"), a function that makes
// a fresh database of that engine for a test and returns its URL:
// SQLiteURL and PostgresURL. Tests that run on both engines range over it.
func Engines() map[string]func(testing.TB) string {
	return map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL}
}

// SQLiteURL returns the URL of a new SQLite database file in a directory
// that t removes when it ends: a real file, so that locking between
// connections is the one production sees.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
}

// PostgresURL starts a new PostgreSQL cluster for t, stopped and removed
// when t ends, and returns the postgres:// URL of its database "postgres".
// It takes about a second. Run as root, as CI does, the server runs as the
// user "postgres", since initdb refuses root.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return StartPostgres(t).URL
}

// Postgres is a throwaway PostgreSQL cluster that a test started.
type Postgres struct {
	// URL is the postgres:// URL of its database "postgres".
	URL string
	// run runs one of PostgreSQL's programs on the cluster.
	run  func(t testing.TB, name string, args ...string)
	data string // the data directory
	log  string // the server's log file
	// options are the server's settings, for pg_ctl start.
	options string
}

// StartPostgres starts a new PostgreSQL cluster for t, as [PostgresURL]
// does, and returns it, so that the test can stop and start it again.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required under CI: %v", err)
		}
		t.Skipf("PostgreSQL is not installed (apt-get install postgresql): %v", err)
	}
	dir, err := os.MkdirTemp("", "miniweb-postgres-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	credential, err := serverCredential(dir)
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	p := &Postgres{
		URL:     fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		data:    filepath.Join(dir, "data"),
		log:     filepath.Join(dir, "server.log"),
		options: fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off", port, dir),
	}
	p.run = func(t testing.TB, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: credential}
		if output, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, output)
		}
	}
	p.run(t, "initdb", "--pgdata", p.data, "--username", "postgres", "--auth", "trust", "--encoding", "UTF8", "--no-sync")
	p.Start(t)
	t.Cleanup(func() { p.Stop(t) })
	return p
}

// Start starts the cluster's server and waits until it accepts
// connections.
func (p *Postgres) Start(t testing.TB) {
	t.Helper()
	p.run(t, "pg_ctl", "--pgdata", p.data, "--log", p.log, "--options", p.options, "--wait", "start")
}

// Stop stops the cluster's server at once, as a crash or an outage does;
// it is no error if it is not running.
func (p *Postgres) Stop(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(p.data, "postmaster.pid")); err != nil {
		return // not running
	}
	p.run(t, "pg_ctl", "--pgdata", p.data, "--mode", "immediate", "--wait", "stop")
}

// postgresBin returns the directory of initdb and pg_ctl: the one on PATH,
// or Debian's /usr/lib/postgresql/VERSION/bin, the newest there.
var postgresBin = sync.OnceValues(func() (string, error) {
	if path, err := exec.LookPath("pg_ctl"); err == nil {
		if resolved, err := filepath.EvalSymlinks(path); err == nil {
			return filepath.Dir(resolved), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) == 0 {
		return "", fmt.Errorf("no pg_ctl on PATH or in /usr/lib/postgresql/*/bin")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
})

// serverCredential returns the credential to run the server with: none
// for a user other than root, and the user "postgres", made the owner of
// dir, for root.
func serverCredential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	account, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, the server needs the user postgres: %w", err)
	}
	uid, _ := strconv.ParseUint(account.Uid, 10, 32)
	gid, _ := strconv.ParseUint(account.Gid, 10, 32)
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}
