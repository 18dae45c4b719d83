-- The login throttle's token buckets (package throttle), shared by every
-- instance that uses the database. The same table in both dialects.

-- +goose Up
CREATE TABLE throttle (
    -- The throttle's name, then "user:" and a normalised user name, or
    -- "client:" and an address: "login user:admin".
    bucket     TEXT             PRIMARY KEY,
    -- Tokens left: attempts allowed now. Refilled by the statement that
    -- takes one, from the time since updated_at.
    tokens     DOUBLE PRECISION NOT NULL,
    -- Unix milliseconds of the last take.
    updated_at BIGINT           NOT NULL
);
CREATE INDEX throttle_updated_at ON throttle (updated_at);

-- +goose Down
DROP TABLE throttle;
