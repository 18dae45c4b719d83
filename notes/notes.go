// Package notes keeps the demo's notes in the database: short texts, each
// owned by one user, who alone may read, change or delete it. It is a
// service beside the views: views.Notes calls it.
//
// Every method takes the owner's user name, as the session holds it, and
// looks only at that user's notes: a note of someone else is
// [ErrNotFound], exactly like one that does not exist, so that its id
// reveals nothing.
package notes

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"example.com/miniweb/db"
)

// Limits on a note, which the views check before they call the store.
const (
	// MaxTitleRunes is the longest title, in characters: 120.
	MaxTitleRunes = 120
	// MaxBodyRunes is the longest body, in characters: 10,000.
	MaxBodyRunes = 10_000
)

// Errors that Store's methods return for a caller to branch on.
var (
	// ErrNotFound means the user has no note with the id: none exists,
	// or it belongs to someone else.
	ErrNotFound = errors.New("notes: no such note")
	// ErrConflict means the note changed since the version an edit was
	// loaded with: saving would lose that change.
	ErrConflict = errors.New("notes: the note changed meanwhile")
)

// Note is one note, as the store keeps it.
type Note struct {
	ID    int64
	Title string
	// Body is plain text; pages show it escaped, with its line breaks.
	Body string
	// Version is 1 when the note is made and one more at every change.
	Version int64
	Created time.Time
	Updated time.Time
}

// Store keeps notes in a database that package db opened. It is safe for
// concurrent use, by any number of processes sharing the database.
type Store struct {
	db  *db.DB
	now func() time.Time // time.Now, or a test's clock
}

// NewStore returns a store of the notes in database.
func NewStore(database *db.DB) *Store {
	return &Store{db: database, now: time.Now}
}

// ownerID is the subquery that turns the owner's user name, the first
// parameter of every statement below, into users.id.
const ownerID = "(SELECT id FROM users WHERE username = $1)"

// columns are the columns that scan reads, in its order.
const columns = "id, title, body, version, created_at, updated_at"

// scan reads one row of columns into a Note.
func scan(row interface{ Scan(...any) error }) (Note, error) {
	var note Note
	var created, updated int64
	err := row.Scan(&note.ID, &note.Title, &note.Body, &note.Version, &created, &updated)
	note.Created, note.Updated = time.Unix(created, 0), time.Unix(updated, 0)
	return note, err
}

// Create adds a note for user and returns its id.
func (s *Store) Create(ctx context.Context, user, title, body string) (int64, error) {
	now := s.now().Unix()
	var id int64
	err := s.db.QueryRowContext(ctx,
		"INSERT INTO notes (user_id, title, body, version, created_at, updated_at) VALUES ("+ownerID+", $2, $3, 1, $4, $4) RETURNING id",
		user, title, body, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("notes: creating a note for %q: %w", user, err)
	}
	return id, nil
}

// Get returns user's note with id, or [ErrNotFound].
func (s *Store) Get(ctx context.Context, user string, id int64) (Note, error) {
	note, err := scan(s.db.QueryRowContext(ctx,
		"SELECT "+columns+" FROM notes WHERE user_id = "+ownerID+" AND id = $2", user, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Note{}, ErrNotFound
	}
	if err != nil {
		return Note{}, fmt.Errorf("notes: reading note %d of %q: %w", id, user, err)
	}
	return note, nil
}

// Newest returns user's n newest notes, newest first. n below 1 is an
// error.
func (s *Store) Newest(ctx context.Context, user string, n int) ([]Note, error) {
	if n < 1 {
		return nil, fmt.Errorf("notes: the %d newest notes: want at least 1", n)
	}
	return s.newest(ctx, user, n, 0)
}

// List returns page (from 1) of user's notes, newest first, perPage a
// page, and how many notes user has in all. A page or perPage below 1, or
// a page so far on that its first note's position overflows an int, is an
// error; a page past the last is empty.
func (s *Store) List(ctx context.Context, user string, page, perPage int) ([]Note, int, error) {
	if page < 1 || perPage < 1 || page-1 > math.MaxInt/perPage {
		return nil, 0, fmt.Errorf("notes: page %d of %d notes each: out of range", page, perPage)
	}
	var total int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM notes WHERE user_id = "+ownerID, user).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("notes: counting the notes of %q: %w", user, err)
	}
	list, err := s.newest(ctx, user, perPage, (page-1)*perPage)
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// newestFirst selects $2 of the owner's notes, newest first, after
// skipping $3 of them: the query of Newest and List.
const newestFirst = "SELECT " + columns + " FROM notes WHERE user_id = " + ownerID +
	" ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"

// newest returns limit of user's notes, newest first, after skipping
// offset of them.
func (s *Store) newest(ctx context.Context, user string, limit, offset int) ([]Note, error) {
	rows, err := s.db.QueryOften(ctx, newestFirst, user, limit, offset) // the home page asks on every visit
	if err != nil {
		return nil, fmt.Errorf("notes: listing the notes of %q: %w", user, err)
	}
	defer rows.Close()
	var list []Note
	for rows.Next() {
		note, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("notes: listing the notes of %q: %w", user, err)
		}
		list = append(list, note)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notes: listing the notes of %q: %w", user, err)
	}
	return list, nil
}

// Update sets the title and body of user's note with id, if it is still
// at version, the version the edit was loaded with, and moves the version
// on. It returns [ErrNotFound] if user has no such note, and
// [ErrConflict] with the note as it is now if it changed meanwhile, so
// that the caller can show both. The check and the write are one
// statement, so two edits saved at once cannot both pass the check, on
// either engine.
func (s *Store) Update(ctx context.Context, user string, id, version int64, title, body string) (Note, error) {
	result, err := s.db.ExecContext(ctx,
		"UPDATE notes SET title = $2, body = $3, version = version + 1, updated_at = $4"+
			" WHERE user_id = "+ownerID+" AND id = $5 AND version = $6",
		user, title, body, s.now().Unix(), id, version)
	if err != nil {
		return Note{}, fmt.Errorf("notes: updating note %d of %q: %w", id, user, err)
	}
	if n, err := result.RowsAffected(); err != nil {
		return Note{}, fmt.Errorf("notes: updating note %d of %q: %w", id, user, err)
	} else if n == 1 {
		return Note{}, nil
	}
	// Nothing changed: the note is not the user's, or not at version.
	current, err := s.Get(ctx, user, id)
	if err != nil {
		return Note{}, err
	}
	return current, ErrConflict
}

// Delete deletes user's note with id, or returns [ErrNotFound].
func (s *Store) Delete(ctx context.Context, user string, id int64) error {
	result, err := s.db.ExecContext(ctx, "DELETE FROM notes WHERE user_id = "+ownerID+" AND id = $2", user, id)
	if err != nil {
		return fmt.Errorf("notes: deleting note %d of %q: %w", id, user, err)
	}
	if n, err := result.RowsAffected(); err != nil {
		return fmt.Errorf("notes: deleting note %d of %q: %w", id, user, err)
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}
