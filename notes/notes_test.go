package notes

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.com/miniweb/db"
	"example.com/miniweb/internal/testdb"
)

// newTestStore returns a store over a fresh database at url, with the
// users ann and bob and a clock that moves on a second at each reading.
func newTestStore(t *testing.T, url string) *Store {
	t.Helper()
	database, err := db.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close() })
	for _, user := range []string{"ann", "bob"} {
		// Made here, not by users.Store, to keep the test to this package.
		if _, err := database.ExecContext(t.Context(),
			"INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3)", user, "hash", 0); err != nil {
			t.Fatal(err)
		}
	}
	store := NewStore(database)
	var tick atomic.Int64
	start := time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)
	store.now = func() time.Time { return start.Add(time.Duration(tick.Add(1)) * time.Second) }
	return store
}

func create(t *testing.T, store *Store, user, title string) int64 {
	t.Helper()
	id, err := store.Create(t.Context(), user, title, "the body of "+title)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestNotes(t *testing.T) {
	for engine, url := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			store := newTestStore(t, url(t))
			id := create(t, store, "ann", "first")
			note, err := store.Get(t.Context(), "ann", id)
			if err != nil || note.Title != "first" || note.Body != "the body of first" || note.Version != 1 {
				t.Fatalf("Get after Create: %+v, %v", note, err)
			}
			// Another user's note is no note at all.
			if _, err := store.Get(t.Context(), "bob", id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get of ann's note as bob: %v, want ErrNotFound", err)
			}
			if _, err := store.Update(t.Context(), "bob", id, 1, "mine", "mine"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Update of ann's note as bob: %v, want ErrNotFound", err)
			}
			if err := store.Delete(t.Context(), "bob", id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Delete of ann's note as bob: %v, want ErrNotFound", err)
			}

			// An edit at the current version is saved; one at an old
			// version is a conflict that returns the note as it is.
			if _, err := store.Update(t.Context(), "ann", id, 1, "second", "new body"); err != nil {
				t.Fatalf("Update at version 1: %v", err)
			}
			current, err := store.Update(t.Context(), "ann", id, 1, "stale", "stale body")
			if !errors.Is(err, ErrConflict) || current.Title != "second" || current.Version != 2 {
				t.Errorf("Update at version 1 after another: %+v, %v; want ErrConflict and version 2", current, err)
			}
			if note, _ := store.Get(t.Context(), "ann", id); !note.Updated.After(note.Created) {
				t.Errorf("after Update: updated %v, created %v; want updated later", note.Updated, note.Created)
			}

			if err := store.Delete(t.Context(), "ann", id); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Get(t.Context(), "ann", id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get after Delete: %v, want ErrNotFound", err)
			}
			if _, err := store.Update(t.Context(), "ann", id, 2, "x", "x"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Update after Delete: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestList checks pages of a user's notes, newest first, without the
// notes of another user.
func TestList(t *testing.T) {
	store := newTestStore(t, testdb.SQLiteURL(t))
	for i := range 5 {
		create(t, store, "ann", fmt.Sprintf("ann %d", i))
		create(t, store, "bob", fmt.Sprintf("bob %d", i))
	}
	tests := []struct {
		page      int
		wantTitle []string
	}{
		{page: 1, wantTitle: []string{"ann 4", "ann 3"}},
		{page: 2, wantTitle: []string{"ann 2", "ann 1"}},
		{page: 3, wantTitle: []string{"ann 0"}},
		{page: 4, wantTitle: nil},
	}
	for _, tc := range tests {
		list, total, err := store.List(t.Context(), "ann", tc.page, 2)
		if err != nil || total != 5 {
			t.Fatalf("List page %d: total %d, %v; want 5", tc.page, total, err)
		}
		var titles []string
		for _, note := range list {
			titles = append(titles, note.Title)
		}
		if fmt.Sprint(titles) != fmt.Sprint(tc.wantTitle) {
			t.Errorf("List page %d: %q, want %q", tc.page, titles, tc.wantTitle)
		}
	}
	for _, bad := range []struct{ page, perPage int }{{0, 2}, {-1, 2}, {1, 0}, {math.MaxInt, 2}} {
		if list, _, err := store.List(t.Context(), "ann", bad.page, bad.perPage); err == nil {
			t.Errorf("List page %d of %d: %d notes, no error; want an error", bad.page, bad.perPage, len(list))
		}
	}
}

// TestUpdateRace saves one version of a note from many editors at once, on
// both engines: exactly one edit wins, and every other one is a conflict.
func TestUpdateRace(t *testing.T) {
	for engine, url := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			store := newTestStore(t, url(t))
			id := create(t, store, "ann", "contested")
			const editors = 20
			var saved, conflicts atomic.Int32
			var wg sync.WaitGroup
			for i := range editors {
				wg.Go(func() {
					_, err := store.Update(context.Background(), "ann", id, 1, fmt.Sprintf("edit %d", i), "body")
					switch {
					case err == nil:
						saved.Add(1)
					case errors.Is(err, ErrConflict):
						conflicts.Add(1)
					default:
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if saved.Load() != 1 || conflicts.Load() != editors-1 {
				t.Errorf("%d edits of version 1 at once: %d saved, %d conflicts; want 1 and %d", editors, saved.Load(), conflicts.Load(), editors-1)
			}
		})
	}
}

// TestDatabaseDown checks that a database that has gone away is an error
// from every method, never ErrNotFound or ErrConflict.
func TestDatabaseDown(t *testing.T) {
	store := newTestStore(t, testdb.SQLiteURL(t))
	id := create(t, store, "ann", "note")
	store.db.Close()
	_, getErr := store.Get(t.Context(), "ann", id)
	_, _, listErr := store.List(t.Context(), "ann", 1, 20)
	_, createErr := store.Create(t.Context(), "ann", "t", "b")
	_, updateErr := store.Update(t.Context(), "ann", id, 1, "t", "b")
	deleteErr := store.Delete(t.Context(), "ann", id)
	for name, err := range map[string]error{"Get": getErr, "List": listErr, "Create": createErr, "Update": updateErr, "Delete": deleteErr} {
		if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
			t.Errorf("%s with the database closed: %v, want the database's error", name, err)
		}
	}
}

func TestNewest(t *testing.T) {
	store := newTestStore(t, testdb.SQLiteURL(t))
	for i := range 5 {
		create(t, store, "ann", fmt.Sprintf("ann %d", i))
	}
	create(t, store, "bob", "bob's")
	list, err := store.Newest(t.Context(), "ann", 3)
	var titles []string
	for _, note := range list {
		titles = append(titles, note.Title)
	}
	if err != nil || fmt.Sprint(titles) != "[ann 4 ann 3 ann 2]" {
		t.Errorf("Newest(ann, 3) = %q, %v; want ann 4, 3 and 2", titles, err)
	}
	for _, n := range []int{0, -1} {
		if list, err := store.Newest(t.Context(), "ann", n); err == nil {
			t.Errorf("Newest(ann, %d) = %d notes, no error; want an error", n, len(list))
		}
	}
}
