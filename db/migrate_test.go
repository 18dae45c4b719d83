package db

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"example.com/miniweb/internal/testdb"
)

// TestMigrationFails checks that a migration that fails stops with an
// error that says so, and leaves the database as the last one that
// succeeded left it: the failed migration's first statement, which ran,
// is rolled back with it.
func TestMigrationFails(t *testing.T) {
	database, err := Open(t.Context(), testdb.SQLiteURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	files := fstest.MapFS{
		"00001_users.sql": {Data: []byte("-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n")},
		"99998_good.sql":  {Data: []byte("-- +goose Up\nCREATE TABLE good (id INTEGER PRIMARY KEY);\n")},
		"99999_bad.sql": {Data: []byte("-- +goose Up\nCREATE TABLE half (id INTEGER PRIMARY KEY);\n" +
			"CREATE TABLE broken (id INTEGER PRIMARY KEY,;\n")},
	}
	err = database.migrate(context.Background(), files)
	if err == nil || !strings.Contains(err.Error(), "rolled back") || !strings.Contains(err.Error(), "99999_bad.sql") {
		t.Fatalf("migrate with a broken migration: %v, want an error that names it and says it was rolled back", err)
	}
	for table, want := range map[string]bool{"good": true, "half": false, "broken": false} {
		var n int
		err := database.QueryRowContext(t.Context(), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1", table).Scan(&n)
		if err != nil || (n == 1) != want {
			t.Errorf("after the failed migration: table %s exists = %v, %v; want %v", table, n == 1, err, want)
		}
	}
}
