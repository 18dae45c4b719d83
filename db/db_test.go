package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"example.com/miniweb/db"
	"example.com/miniweb/internal/testdb"
)

func TestOpenMigrates(t *testing.T) {
	for name, url := range testdb.Engines() {
		t.Run(name, func(t *testing.T) {
			database, err := db.Open(t.Context(), url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer database.Close()
			if string(database.Dialect) != name {
				t.Errorf("Open: dialect %q, want %q", database.Dialect, name)
			}
			var users int
			if err := database.QueryRowContext(t.Context(), "SELECT count(*) FROM users").Scan(&users); err != nil {
				t.Fatalf("the users table after Open: %v", err)
			}
		})
	}
}

// TestConnectionLimits checks that each engine's pool is bounded, so that
// a flood of requests waits for a connection instead of opening more.
func TestConnectionLimits(t *testing.T) {
	want := map[string]int{"sqlite": db.MaxSQLiteConnections, "postgres": db.MaxPostgresConnections}
	for name, url := range testdb.Engines() {
		t.Run(name, func(t *testing.T) {
			database, err := db.Open(t.Context(), url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer database.Close()
			if got := database.Stats().MaxOpenConnections; got != want[name] {
				t.Errorf("%s: at most %d connections, want %d", name, got, want[name])
			}
		})
	}
}

// TestOpenTwice checks that opening a migrated database again applies
// nothing and keeps its rows, as a restart does.
func TestOpenTwice(t *testing.T) {
	url := testdb.SQLiteURL(t)
	first, err := db.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.ExecContext(t.Context(),
		"INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3)", "ann", "hash", 1); err != nil {
		t.Fatal(err)
	}
	first.Close()
	second, err := db.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer second.Close()
	var name string
	if err := second.QueryRowContext(t.Context(), "SELECT username FROM users").Scan(&name); err != nil || name != "ann" {
		t.Errorf("after a second Open: user %q, %v; want ann", name, err)
	}
}

// TestSQLiteSettings checks the connection settings the package doc
// promises: WAL, foreign keys and the busy timeout.
func TestSQLiteSettings(t *testing.T) {
	database, err := db.Open(t.Context(), testdb.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "5000",
	} {
		var got string
		if err := database.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

// TestOpenDefaultFile checks that Open("") makes miniweb.db in the working
// directory.
func TestOpenDefaultFile(t *testing.T) {
	t.Chdir(t.TempDir())
	database, err := db.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	database.Close()
	if _, err := os.Stat(db.DefaultSQLiteFile); err != nil {
		t.Errorf("Open(\"\"): %v, want the file %s", err, db.DefaultSQLiteFile)
	}
}

// TestOpenErrors checks that a database that cannot be opened or reached
// is a clear error, not a panic or a hang.
func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want string
	}{
		{name: "SQLite file in a missing directory", url: "sqlite:" + filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), want: "db: connecting to the sqlite database"},
		{name: "PostgreSQL that does not listen", url: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2", want: "db: connecting to the postgres database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			database, err := db.Open(t.Context(), tc.url)
			if err == nil {
				database.Close()
				t.Fatalf("Open(%q): no error", tc.url)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open(%q): %v, want an error that starts %q", tc.url, err, tc.want)
			}
		})
	}
}

// TestIsUniqueViolation checks the one error the stores branch on, on
// both engines, under concurrent inserts of one name.
func TestIsUniqueViolation(t *testing.T) {
	for name, url := range testdb.Engines() {
		t.Run(name, func(t *testing.T) {
			database, err := db.Open(t.Context(), url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer database.Close()
			const writers = 20
			errs := make(chan error, writers)
			var wg sync.WaitGroup
			for range writers {
				wg.Go(func() {
					_, err := database.ExecContext(context.Background(),
						"INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3)", "ann", "hash", 1)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			inserted := 0
			for err := range errs {
				switch {
				case err == nil:
					inserted++
				case !db.IsUniqueViolation(err):
					t.Errorf("insert of a taken name: %v, want a unique violation", err)
				}
			}
			if inserted != 1 {
				t.Errorf("%d concurrent inserts of one name: %d succeeded, want 1", writers, inserted)
			}
			if db.IsUniqueViolation(errors.New("other")) || db.IsUniqueViolation(nil) {
				t.Error("IsUniqueViolation of another error: true")
			}
		})
	}
}

// TestOpenTogether starts several instances on one fresh PostgreSQL
// database at once, as a deployment does: they take turns at the
// migrations, and every one starts.
func TestOpenTogether(t *testing.T) {
	url := testdb.PostgresURL(t)
	const instances = 4
	errs := make(chan error, instances)
	var wg sync.WaitGroup
	for range instances {
		wg.Go(func() {
			database, err := db.Open(context.Background(), url)
			if err == nil {
				database.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Open of one of %d instances at once: %v", instances, err)
		}
	}
}

// TestQueryOften checks that QueryRowOften and QueryOften answer as
// QueryRowContext and QueryContext do, from four times as many goroutines
// at once as SQLite's pool has connections, keeping one statement a query
// on SQLite and none on PostgreSQL; that a query the engine refuses is an
// error and is not kept; and that after Close they fail.
func TestQueryOften(t *testing.T) {
	for name, url := range testdb.Engines() {
		t.Run(name, func(t *testing.T) {
			database, err := db.Open(t.Context(), url(t))
			if err != nil {
				t.Fatal(err)
			}
			const query = "SELECT count(*) FROM users WHERE username <> $1"
			var wg sync.WaitGroup
			for range 4 * db.MaxSQLiteConnections {
				wg.Go(func() {
					var users int
					if err := database.QueryRowOften(t.Context(), query, "nobody").Scan(&users); err != nil || users != 0 {
						t.Errorf("QueryRowOften: %d users, %v; want 0", users, err)
					}
					rows, err := database.QueryOften(t.Context(), query, "nobody")
					if err != nil {
						t.Errorf("QueryOften: %v", err)
						return
					}
					rows.Close()
				})
			}
			wg.Wait()
			if got, want := database.KeptStatements(), map[string]int{"sqlite": 1, "postgres": 0}[name]; got != want {
				t.Errorf("%d statements kept, want %d", got, want)
			}
			var users int
			if err := database.QueryRowOften(t.Context(), "SELECT FROM WHERE").Scan(&users); err == nil {
				t.Error("QueryRowOften(a malformed query): no error")
			}
			if got, want := database.KeptStatements(), map[string]int{"sqlite": 1, "postgres": 0}[name]; got != want {
				t.Errorf("after a malformed query, %d statements kept, want %d", got, want)
			}
			if err := database.Close(); err != nil {
				t.Fatal(err)
			}
			if err := database.QueryRowOften(context.Background(), query, "nobody").Scan(&users); err == nil {
				t.Error("QueryRowOften after Close: no error, want one")
			}
		})
	}
}
