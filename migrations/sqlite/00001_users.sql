-- Users: one row an account. The same table as postgres/00001_users.sql,
-- in SQLite's dialect.

-- +goose Up
CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    -- The name as the user typed it at sign-up, NFKC-normalised and
    -- lower-cased (users.Normalize), so that "Admin" and "ａｄｍｉｎ" are
    -- one account.
    username           TEXT    NOT NULL UNIQUE,
    -- argon2id, in the PHC string format.
    password_hash      TEXT    NOT NULL,
    -- Moved on at logout and password change: a session cookie of an
    -- older generation no longer loads (framework.Sessions.Revoke).
    session_generation BIGINT  NOT NULL DEFAULT 0,
    -- Unix seconds.
    created_at         BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE users;
