-- Notes: each owned by one user, who alone may see, change or delete it.
-- The same table as postgres/00003_notes.sql, in SQLite's dialect.

-- +goose Up
CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    -- 1 when made, one more at every change: an edit saved over a newer
    -- version than the one it was loaded with is refused (notes.ErrConflict).
    version    BIGINT  NOT NULL,
    -- Unix seconds.
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
-- A user's notes, newest first: the list page's query.
CREATE INDEX notes_user_created ON notes (user_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE notes;
