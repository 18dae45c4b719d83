// Package db opens the demo's database and brings its schema up to date.
// One setting chooses the engine: SQLite, embedded in the process through
// modernc.org/sqlite (pure Go, so the demo still builds with no C
// compiler), stored in one file; or PostgreSQL through pgx's database/sql
// driver, for several instances that share their state.
//
// # Where the dialects differ
//
// The stores write one SQL text for both engines. These are the only
// differences, and this is the one place that knows them:
//   - Placeholders are $1, $2, … in both, $N standing for the Nth
//     argument, in any order in the text.
//   - Times are stored as Unix seconds in a BIGINT, which both read alike.
//   - Identity columns: SQLite's INTEGER PRIMARY KEY, PostgreSQL's
//     GENERATED ALWAYS AS IDENTITY. The migrations therefore come in two
//     sets, migrations/sqlite and migrations/postgres, kept in step.
//   - A unique-constraint violation is reported differently: see
//     [IsUniqueViolation].
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"example.com/miniweb/migrations"
)

// DefaultSQLiteFile is the SQLite database file that [Open] uses when it
// is given no URL: miniweb.db, in the working directory.
const DefaultSQLiteFile = "miniweb.db"

// BusyTimeout is how long an SQLite connection waits for another one's
// write lock before its statement fails with SQLITE_BUSY: 5 seconds.
const BusyTimeout = 5 * time.Second

// MaxSQLiteConnections bounds the connections to an SQLite database that
// one process opens at once: 8. A request that finds them all busy waits
// for one, within its context.
const MaxSQLiteConnections = 8

// MaxPostgresConnections bounds the connections to a PostgreSQL server
// that one process opens at once: 16, so that five instances stay within
// the server's default max_connections of 100 with room for the
// administrator. A request that finds them all busy waits for one, within
// its context.
const MaxPostgresConnections = 16

// Dialect names the SQL engine behind a [DB].
type Dialect string

// The engines [Open] knows.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database with its schema up to date: a [sql.DB], safe for
// concurrent use, the dialect of its engine, and, for SQLite, the
// statements that [DB.QueryRowOften] and [DB.QueryOften] keep.
type DB struct {
	*sql.DB
	Dialect Dialect

	mu         sync.Mutex
	statements map[string]*sql.Stmt // by query
}

// QueryRowOften runs query, a constant of the program that runs on many
// requests, as QueryRowContext does. On SQLite it runs through a statement
// prepared once a connection and kept until [DB.Close], since SQLite would
// parse the SQL anew each time, which costs it about as much as running a
// small query. On PostgreSQL it is QueryRowContext: pgx keeps a prepared
// statement a query on each connection by itself, and drops one that a
// change of the schema made stale, which a statement kept here would not.
func (db *DB) QueryRowOften(ctx context.Context, query string, args ...any) *sql.Row {
	if statement := db.statement(ctx, query); statement != nil {
		return statement.QueryRowContext(ctx, args...)
	}
	return db.QueryRowContext(ctx, query, args...)
}

// QueryOften runs query as [DB.QueryRowOften] does, for a query that
// returns rows.
func (db *DB) QueryOften(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if statement := db.statement(ctx, query); statement != nil {
		return statement.QueryContext(ctx, args...)
	}
	return db.QueryContext(ctx, query, args...)
}

// statement returns the statement kept for query, preparing it the first
// time, or nil on PostgreSQL or when the query cannot be prepared now (a
// database that is down): the caller then runs it unprepared, and meets
// the error there. The preparation runs outside the lock, so that a slow
// one does not hold up other queries; of two callers that prepare the
// same query at once, one statement is kept and the other closed.
func (db *DB) statement(ctx context.Context, query string) *sql.Stmt {
	if db.Dialect != SQLite {
		return nil
	}
	db.mu.Lock()
	statement, ok := db.statements[query]
	db.mu.Unlock()
	if ok {
		return statement
	}
	statement, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if kept, ok := db.statements[query]; ok {
		statement.Close()
		return kept
	}
	if db.statements == nil {
		db.statements = make(map[string]*sql.Stmt)
	}
	db.statements[query] = statement
	return statement
}

// Close closes the statements that the DB kept, then the database.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	var errs []error
	for query, statement := range db.statements {
		errs = append(errs, statement.Close())
		delete(db.statements, query)
	}
	return errors.Join(append(errs, db.DB.Close())...)
}

// Open opens the database that url names and applies the migrations that
// it has not had yet, each in a transaction of its own:
//   - "" opens the SQLite file [DefaultSQLiteFile];
//   - "postgres://…" or "postgresql://…" opens PostgreSQL with pgx
//     (https://pkg.go.dev/github.com/jackc/pgx/v5/pgconn#ParseConfig);
//   - "sqlite:PATH", "file:PATH" or a bare PATH opens an SQLite file,
//     created if missing, in WAL mode, with foreign keys on and a busy
//     timeout of [BusyTimeout].
//
// It returns an error if the database cannot be reached within ctx or a
// migration fails; a failed migration is rolled back, so the database is
// left as the last one that succeeded left it. The caller closes the DB.
func Open(ctx context.Context, url string) (*DB, error) {
	dialect, driver, source := parseURL(url)
	database, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("db: opening %s database: %w", dialect, err)
	}
	switch dialect {
	case SQLite:
		// Every SQLite connection keeps a page cache of its own; writers
		// take turns anyway. A few connections serve a flood as fast as
		// many, in a fraction of the memory.
		database.SetMaxOpenConns(MaxSQLiteConnections)
		database.SetMaxIdleConns(MaxSQLiteConnections) // kept: each new one reads the schema again
	case Postgres:
		// Each is a server process; a flood must not take them all.
		database.SetMaxOpenConns(MaxPostgresConnections)
		database.SetMaxIdleConns(MaxPostgresConnections) // kept, not opened anew for each burst
	}
	db := &DB{DB: database, Dialect: dialect}
	if err := db.PingContext(ctx); err != nil {
		database.Close()
		return nil, fmt.Errorf("db: connecting to the %s database: %w", dialect, err)
	}
	files, err := fs.Sub(migrations.Files, string(dialect))
	if err == nil {
		err = db.migrate(ctx, files)
	}
	if err != nil {
		database.Close()
		return nil, err
	}
	return db, nil
}

// parseURL returns the dialect, the database/sql driver name and the
// driver's data source name for url, as [Open] reads it.
func parseURL(url string) (dialect Dialect, driver, source string) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return Postgres, "pgx", url
	}
	path := url
	for _, prefix := range []string{"sqlite:", "file:"} {
		path = strings.TrimPrefix(path, prefix)
	}
	if path == "" {
		path = DefaultSQLiteFile
	}
	return SQLite, "sqlite", "file:" + path + "?" + sqliteOptions()
}

// sqliteOptions returns the connection options of an SQLite data source
// name: WAL, so that readers do not wait for a writer; foreign keys
// enforced; a busy timeout; and transactions that take the write lock
// when they begin (BEGIN IMMEDIATE), so that two read-then-write
// transactions cannot deadlock each other into SQLITE_BUSY.
func sqliteOptions() string {
	options := url.Values{}
	options.Add("_pragma", "journal_mode(WAL)")
	options.Add("_pragma", "foreign_keys(1)")
	options.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	options.Set("_txlock", "immediate")
	return options.Encode()
}

// migrate applies the migrations in files, goose's NNNNN_name.sql files
// for db's dialect, that db has not had yet.
func (db *DB) migrate(ctx context.Context, files fs.FS) error {
	gooseDialect := goose.DialectSQLite3
	var options []goose.ProviderOption
	if db.Dialect == Postgres {
		gooseDialect = goose.DialectPostgres
		// Instances that start together take turns: an advisory lock
		// held for the whole run. SQLite has none: two processes that
		// migrate one new file at the same moment may both try the first
		// migration, and the second then fails; started again, it finds
		// the work done. Several instances share PostgreSQL, not a file.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("db: migrations for %s: %w", db.Dialect, err)
		}
		options = append(options, goose.WithSessionLocker(locker))
	}
	provider, err := goose.NewProvider(gooseDialect, db.DB, files, options...)
	if err != nil {
		return fmt.Errorf("db: migrations for %s: %w", db.Dialect, err)
	}
	_, err = provider.Up(ctx)
	if partial, ok := errors.AsType[*goose.PartialError](err); ok && partial.Failed != nil && partial.Failed.Source != nil {
		return fmt.Errorf("db: migration %s of the %s database failed and was rolled back: %w",
			partial.Failed.Source.Path, db.Dialect, partial.Err)
	}
	if err != nil {
		return fmt.Errorf("db: migrating the %s database: %w", db.Dialect, err)
	}
	return nil
}

// IsUniqueViolation reports whether err, from a statement on either
// engine, says that the statement would have broken a UNIQUE or PRIMARY
// KEY constraint: SQLite's SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY,
// PostgreSQL's SQLSTATE 23505 (unique_violation).
func IsUniqueViolation(err error) bool {
	if sqliteErr, ok := errors.AsType[*sqlite.Error](err); ok {
		code := sqliteErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pgErr.Code == "23505"
	}
	return false
}
