package main

import (
	"context"
	"fmt"
	"io"

	"example.com/miniweb/db"
	"example.com/miniweb/users"
)

// deployCheck checks what configuration can change and production needs,
// and writes one line per check to out, "ok" or "FAIL" and what was
// checked. It reports whether every check passed. What no configuration
// can change (the server's limits, the cookie's flags, the security
// headers) is proved by the tests instead.
func deployCheck(ctx context.Context, config config, database *db.DB, out io.Writer) bool {
	passed := true
	report := func(ok bool, format string, args ...any) {
		status := "ok  "
		if !ok {
			status, passed = "FAIL", false
		}
		fmt.Fprintf(out, "%s %s\n", status, fmt.Sprintf(format, args...))
	}
	report(!config.generatedKeys, "session keys from $%s and $%s, not random ones that end every session at a restart",
		hashKeyVariable, blockKeyVariable)
	if !config.generatedKeys {
		report(!weakKeys(config.sessionKeys), "session keys look random: none is one byte repeated or has fewer than %d different bytes",
			minDistinctKeyBytes)
	}
	report(!config.dev, "development mode off (-dev serves templates from disk and /environ)")
	if !config.makesDemoAccount() {
		report(users.CheckPassword(config.firstPassword) == nil,
			"the first account's password ($%s) has %d characters or more and is not a common one",
			passwordVariable, users.MinPasswordRunes)
	}
	demo, err := demoAccount(ctx, config, database)
	report(err == nil && !demo, "demo account %s / %s neither in the %s database nor to be made in it (start an empty one with -user and $%s)%s",
		demoUser, demoPassword, database.Dialect, passwordVariable, errorSuffix(err))
	return passed
}

// demoAccount reports whether the demo account's password logs in to
// database, or would once the server starts: the database is empty and
// config makes the demo account its first.
func demoAccount(ctx context.Context, config config, database *db.DB) (bool, error) {
	accounts := users.NewStore(database)
	if config.makesDemoAccount() {
		if empty, err := accounts.Empty(ctx); err != nil || empty {
			return empty, err
		}
	}
	return accounts.Authenticate(ctx, demoUser, demoPassword)
}

// minDistinctKeyBytes is the fewest different byte values a session key
// must hold to pass the deploy check: 16. A key of 32 random bytes has
// about 30; "0000…" or "abab…" has one or two.
const minDistinctKeyBytes = 16

// weakKeys reports whether any of keys has fewer than minDistinctKeyBytes
// different bytes: typed by hand, not drawn from a random source.
func weakKeys(keys [][]byte) bool {
	for _, key := range keys {
		var seen [256]bool
		distinct := 0
		for _, b := range key {
			if !seen[b] {
				seen[b], distinct = true, distinct+1
			}
		}
		if distinct < minDistinctKeyBytes {
			return true
		}
	}
	return false
}

// errorSuffix returns ": " and err for a report line, or "" for no error.
func errorSuffix(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}
