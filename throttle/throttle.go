// Package throttle limits password guessing: it counts failed logins by
// user name, by client address, and by the two together, in token
// buckets kept in the database, and refuses an attempt once any of its
// buckets is empty. Because the buckets live in the database, every
// instance that shares it enforces the same limits, and a restart forgets
// nothing. It is a service beside the views: views.Login asks it before
// every password check.
package throttle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"example.com/miniweb/db"
)

// Login throttling limits (OWASP ASVS V2.2.1). Each is a token bucket: a
// full bucket allows a burst of failures, after which attempts get 429,
// and the bucket refills evenly over Window, so a lock lifts by itself,
// one attempt at a time.
//
// The tight limit is on a user name from one client, so that one client
// that guesses at an account locks itself out of it, not the account's
// owner. The per-user limit, ten times looser, holds guesses spread over
// many clients; only such a spread attack locks the owner out too.
const (
	// FailuresPerUserFromClient is the burst of failed logins one user
	// name may have from one client: 5, then one more every Window/5 (3
	// minutes).
	FailuresPerUserFromClient = 5
	// FailuresPerClient is the burst of failed logins one client may
	// have, whatever the user names: 20, then one more every Window/20 (45
	// seconds).
	FailuresPerClient = 20
	// FailuresPerUser is the burst of failed logins one user name may
	// have from all clients together: 50, then one more every Window/50
	// (18 seconds).
	FailuresPerUser = 50
	// Window is the time an empty bucket takes to refill: 15 minutes.
	Window = 15 * time.Minute
)

// sweepEvery is how often, at most, Try deletes the buckets that have
// refilled, which carry no information: once a minute.
const sweepEvery = time.Minute

// Throttle counts failed logins by user name, by client address, and by
// both, and tells when to refuse further attempts. It is safe for
// concurrent use, by any number of processes that share its database:
// each bucket changes in one SQL statement, which the database makes
// atomic.
type Throttle struct {
	db   *db.DB
	name string           // the prefix of its buckets' names
	now  func() time.Time // time.Now, or a test's clock

	mu        sync.Mutex
	nextSweep time.Time
}

// New returns a Throttle that keeps its buckets in database, apart from
// other throttles' by name ("login", "sign-up"), and reads the time from
// now, such as time.Now.
func New(database *db.DB, name string, now func() time.Time) *Throttle {
	return &Throttle{db: database, name: name, now: now}
}

// bucket names one token bucket and says how many tokens it holds when
// full.
type bucket struct {
	name  string
	burst int
}

// Try counts an attempt to log in as user from client, as a failure until
// [Attempt.Succeeded] or [Attempt.Cancel] says otherwise, and returns the
// attempt; or, when any of its buckets is empty, returns nil and how long
// until an attempt may go ahead. Counting before the password is checked,
// in one statement a bucket, is what holds the limits against attempts
// sent all at once, to one instance or to several. The error is the
// database's.
func (t *Throttle) Try(ctx context.Context, user, client string) (attempt *Attempt, retryAfter time.Duration, err error) {
	now := t.now()
	t.sweep(ctx, now)
	// The client first: a client past its limit leaves no trace of the
	// user names it tries. A client is an address, with no space in it,
	// so no two pairs of a user and a client share a bucket's name.
	buckets := []bucket{
		{t.name + " client:" + client, FailuresPerClient},
		{t.name + " client:" + client + " user:" + user, FailuresPerUserFromClient},
		{t.name + " user:" + user, FailuresPerUser},
	}
	for i, b := range buckets {
		wait, err := t.take(ctx, b, now)
		if err != nil || wait > 0 {
			// Give back what the attempt took: a refused attempt is
			// not counted.
			for _, taken := range buckets[:i] {
				err = errors.Join(err, t.refund(ctx, taken.name))
			}
			return nil, wait, err
		}
	}
	return &Attempt{throttle: t, client: buckets[0].name, userFromClient: buckets[1].name, user: buckets[2].name}, 0, nil
}

// TryClient counts a failed attempt from client that names no user worth
// a bucket, such as a login form with an overlong or empty field: it
// takes a token from the client's bucket alone, and reports how long
// until the client may try again if that bucket is empty (0 if not). The
// error is the database's.
func (t *Throttle) TryClient(ctx context.Context, client string) (retryAfter time.Duration, err error) {
	now := t.now()
	t.sweep(ctx, now)
	return t.take(ctx, bucket{t.name + " client:" + client, FailuresPerClient}, now)
}

// take takes a token from b, which holds b.burst at most and refills
// b.burst tokens each Window, and returns 0; or, when it has less than one,
// leaves it as it is and returns how long until it surely has one again:
// Window/b.burst, the time a token takes to refill, since an empty bucket
// holds less than one. The upsert refills and takes in one statement, and
// only if a token is there; it makes the bucket full, less one, on its
// first use.
func (t *Throttle) take(ctx context.Context, b bucket, now time.Time) (time.Duration, error) {
	perMillisecond := float64(b.burst) / float64(Window.Milliseconds())
	const refilled = `CASE
		WHEN throttle.tokens + (excluded.updated_at - throttle.updated_at) * CAST($4 AS DOUBLE PRECISION) > $2 THEN $2
		ELSE throttle.tokens + (excluded.updated_at - throttle.updated_at) * CAST($4 AS DOUBLE PRECISION)
	END`
	var left float64
	err := t.db.QueryRowContext(ctx, `
		INSERT INTO throttle (bucket, tokens, updated_at) VALUES ($1, $2 - 1, $3)
		ON CONFLICT (bucket) DO UPDATE SET tokens = `+refilled+` - 1, updated_at = excluded.updated_at
		WHERE `+refilled+` >= 1
		RETURNING tokens`,
		b.name, b.burst, now.UnixMilli(), perMillisecond).Scan(&left)
	switch {
	case err == nil:
		return 0, nil
	case errors.Is(err, sql.ErrNoRows): // empty: the WHERE updated nothing
		return Window / time.Duration(b.burst), nil
	}
	return 0, fmt.Errorf("throttle: counting an attempt: %w", err)
}

// refund gives a token back to bucket, even when ctx, the request's, has
// ended: a client that has gone must not keep the token.
func (t *Throttle) refund(ctx context.Context, bucket string) error {
	ctx = context.WithoutCancel(ctx)
	if _, err := t.db.ExecContext(ctx, "UPDATE throttle SET tokens = tokens + 1 WHERE bucket = $1", bucket); err != nil {
		return fmt.Errorf("throttle: returning an attempt: %w", err)
	}
	return nil
}

// sweep deletes the throttle's buckets that have had a whole Window to
// refill, and so are full, at most once every sweepEvery in this process;
// other throttles' buckets are theirs to sweep. A failed
// sweep is tried again next time: nothing depends on it but the table's
// size.
func (t *Throttle) sweep(ctx context.Context, now time.Time) {
	t.mu.Lock()
	due := !now.Before(t.nextSweep)
	if due {
		t.nextSweep = now.Add(sweepEvery)
	}
	t.mu.Unlock()
	if due {
		t.db.ExecContext(ctx, "DELETE FROM throttle WHERE updated_at < $1 AND bucket LIKE $2",
			now.Add(-Window).UnixMilli(), t.name+" %")
	}
}

// Attempt is one login attempt that [Throttle.Try] let through.
type Attempt struct {
	throttle                     *Throttle
	client, userFromClient, user string // the names of its buckets
}

// Succeeded takes back the attempt, which Try counted as a failure: the
// user's failures from this client are forgotten, and the attempt given
// back to the client's and the user's buckets. A failed attempt needs no
// call: it stays counted. The error is the database's.
func (a *Attempt) Succeeded(ctx context.Context) error {
	if _, err := a.throttle.db.ExecContext(context.WithoutCancel(ctx), "DELETE FROM throttle WHERE bucket = $1", a.userFromClient); err != nil {
		return fmt.Errorf("throttle: forgetting a user's failures: %w", err)
	}
	return errors.Join(a.throttle.refund(ctx, a.client), a.throttle.refund(ctx, a.user))
}

// Cancel takes back an attempt that was never decided, such as one whose
// password check could not start because the server was busy: every
// bucket gets its token back, and nothing is forgotten. The error is the
// database's.
func (a *Attempt) Cancel(ctx context.Context) error {
	return errors.Join(a.throttle.refund(ctx, a.client), a.throttle.refund(ctx, a.userFromClient), a.throttle.refund(ctx, a.user))
}
