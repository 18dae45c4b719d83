// Package migrations embeds the SQL migrations of the demo's schema, one
// set for each engine that package db opens: sqlite/ and postgres/. Each
// file is a goose migration (github.com/pressly/goose/v3), numbered in
// the order it runs; a new migration is a new file with the next number
// in both sets, never an edit of one that has run.
package migrations

import "embed"

// Files holds the directories sqlite and postgres, each with its
// migrations as NNNNN_name.sql files.
//
//go:embed sqlite/*.sql postgres/*.sql
var Files embed.FS
