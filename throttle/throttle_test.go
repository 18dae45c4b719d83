package throttle

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.com/miniweb/db"
	"example.com/miniweb/internal/testdb"
)

// clock is a settable time source for a Throttle.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func openDB(t *testing.T, url string) *db.DB {
	t.Helper()
	database, err := db.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close() })
	return database
}

// newTestThrottle returns a throttle over a fresh SQLite database, with a
// clock stopped at a fixed time.
func newTestThrottle(t *testing.T) (*Throttle, *clock) {
	t.Helper()
	c := &clock{now: time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)}
	return New(openDB(t, testdb.SQLiteURL(t)), "login", c.Now), c
}

// try is throttle.Try, failing t on a database error.
func try(t *testing.T, throttle *Throttle, user, client string) (*Attempt, time.Duration) {
	t.Helper()
	attempt, retryAfter, err := throttle.Try(t.Context(), user, client)
	if err != nil {
		t.Fatal(err)
	}
	return attempt, retryAfter
}

// fail makes n failed attempts for user from client, which must all be let
// through.
func fail(t *testing.T, throttle *Throttle, user, client string, n int) {
	t.Helper()
	for i := range n {
		if attempt, _ := try(t, throttle, user, client); attempt == nil {
			t.Fatalf("attempt %d for %s from %s: refused, want let through", i+1, user, client)
		}
	}
}

func TestThrottlePerUserFromClient(t *testing.T) {
	throttle, c := newTestThrottle(t)
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUserFromClient)
	attempt, retryAfter := try(t, throttle, "admin", "192.0.2.1")
	if attempt != nil || retryAfter <= 0 || retryAfter > Window/FailuresPerUserFromClient {
		t.Fatalf("attempt %d for admin from one address: %v, retry after %v; want refused with a wait up to %v",
			FailuresPerUserFromClient+1, attempt, retryAfter, Window/FailuresPerUserFromClient)
	}
	// The guesser locks itself out, not the account's owner, nor its own
	// other accounts.
	if attempt, _ := try(t, throttle, "admin", "192.0.2.2"); attempt == nil {
		t.Errorf("admin from another address: refused, want let through")
	}
	if attempt, _ := try(t, throttle, "ann", "192.0.2.1"); attempt == nil {
		t.Errorf("first attempt for another user: refused, want let through")
	}

	// The lock lifts by itself: one attempt per Window/FailuresPerUserFromClient.
	c.advance(retryAfter - time.Second)
	if attempt, _ := try(t, throttle, "admin", "192.0.2.1"); attempt != nil {
		t.Errorf("a second before Retry-After: let through, want refused")
	}
	c.advance(time.Second)
	if attempt, _ := try(t, throttle, "admin", "192.0.2.1"); attempt == nil {
		t.Errorf("at Retry-After (%v): refused, want let through", retryAfter)
	}
	c.advance(Window)
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUserFromClient)
}

// TestThrottlePerUser checks the limit on guesses at one user name spread
// over many clients, one guess each.
func TestThrottlePerUser(t *testing.T) {
	throttle, _ := newTestThrottle(t)
	for i := range FailuresPerUser {
		fail(t, throttle, "admin", fmt.Sprintf("10.0.%d.%d", i/256, i%256), 1)
	}
	attempt, retryAfter := try(t, throttle, "admin", "192.0.2.1")
	if attempt != nil || retryAfter <= 0 || retryAfter > Window/FailuresPerUser {
		t.Fatalf("attempt %d for admin, from a new address: %v, retry after %v; want refused with a wait up to %v",
			FailuresPerUser+1, attempt, retryAfter, Window/FailuresPerUser)
	}
	// The refused attempt cost the new address nothing.
	for i := range FailuresPerClient {
		fail(t, throttle, fmt.Sprintf("user%d", i), "192.0.2.1", 1)
	}
}

func TestThrottlePerClient(t *testing.T) {
	throttle, _ := newTestThrottle(t)
	// One address tries a different name each time: the per-user limit
	// never trips, the per-client one does.
	for i := range FailuresPerClient {
		fail(t, throttle, fmt.Sprintf("user%d", i), "192.0.2.1", 1)
	}
	if attempt, _ := try(t, throttle, "fresh", "192.0.2.1"); attempt != nil {
		t.Errorf("attempt %d from 192.0.2.1: let through, want refused", FailuresPerClient+1)
	}
	if attempt, _ := try(t, throttle, "fresh", "192.0.2.9"); attempt == nil {
		t.Errorf("first attempt from another address: refused, want let through")
	}
}

// TestThrottleSucceeded checks that a success gives its attempt back, even
// when the password check took time: the clock moves on inside each
// attempt, as argon2id's tens of milliseconds do.
func TestThrottleSucceeded(t *testing.T) {
	throttle, c := newTestThrottle(t)
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUserFromClient-1)
	attempt, _ := try(t, throttle, "admin", "192.0.2.1")
	if err := attempt.Succeeded(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The user's failures from this client are forgotten...
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUserFromClient)
	// ...and successes do not count against the client: with 9 failures
	// from 192.0.2.1, it has 11 to go, however many successes it has.
	for range 3 * FailuresPerClient {
		attempt, _ := try(t, throttle, "ann", "192.0.2.1")
		if attempt == nil {
			t.Fatalf("a successful login from 192.0.2.1: refused, want let through")
		}
		c.advance(25 * time.Millisecond) // the password check
		if err := attempt.Succeeded(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range FailuresPerClient - (2*FailuresPerUserFromClient - 1) {
		fail(t, throttle, fmt.Sprintf("user%d", i), "192.0.2.1", 1)
	}
	if attempt, _ := try(t, throttle, "one-more", "192.0.2.1"); attempt != nil {
		t.Errorf("failure %d from 192.0.2.1: let through, want refused", FailuresPerClient+1)
	}
}

// TestThrottleAllAtOnce sends many attempts for one user at the same
// moment, to two instances sharing the database, on both engines: no
// more than the limits let through may get through, however they
// interleave: FailuresPerUserFromClient from one client, FailuresPerUser
// from many.
func TestThrottleAllAtOnce(t *testing.T) {
	tests := []struct {
		name   string
		client func(i int) string
		want   int
	}{
		{"one client", func(int) string { return "192.0.2.1" }, FailuresPerUserFromClient},
		{"many clients", func(i int) string { return fmt.Sprintf("10.0.0.%d", i) }, FailuresPerUser},
	}
	for engine, url := range testdb.Engines() {
		for _, tc := range tests {
			t.Run(engine+"/"+tc.name, func(t *testing.T) {
				database := openDB(t, url(t))
				c := &clock{now: time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)}
				instances := []*Throttle{New(database, "login", c.Now), New(database, "login", c.Now)}
				var through atomic.Int32
				var wg sync.WaitGroup
				attempts := tc.want + 20
				for i := range attempts {
					wg.Go(func() {
						attempt, _, err := instances[i%2].Try(context.Background(), "admin", tc.client(i))
						if err != nil {
							t.Error(err)
						}
						if attempt != nil {
							through.Add(1)
						}
					})
				}
				wg.Wait()
				if got := through.Load(); got != int32(tc.want) {
					t.Errorf("%d attempts at once on two instances: %d let through, want %d", attempts, got, tc.want)
				}
			})
		}
	}
}

// TestThrottleCancel checks that a cancelled attempt costs nothing.
func TestThrottleCancel(t *testing.T) {
	throttle, _ := newTestThrottle(t)
	for range 2 * FailuresPerClient {
		attempt, _ := try(t, throttle, "admin", "192.0.2.1")
		if attempt == nil {
			t.Fatalf("attempt after cancelled ones: refused, want let through")
		}
		if err := attempt.Cancel(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUserFromClient)

	// A request whose client has gone still gives its tokens back.
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	throttle2, _ := newTestThrottle(t)
	for range 2 * FailuresPerUserFromClient {
		attempt, _ := try(t, throttle2, "admin", "192.0.2.1")
		if attempt == nil {
			t.Fatalf("attempt after ones cancelled with an ended context: refused, want let through")
		}
		if err := attempt.Cancel(gone); err != nil {
			t.Fatalf("Cancel with an ended context: %v", err)
		}
	}
}

// TestThrottleFloodLocksNobodyElse floods the throttle with made-up names
// from made-up addresses, and checks that a user and a client who are not
// over their own limits still get through: nothing is full, since the
// buckets live in the database.
func TestThrottleFloodLocksNobodyElse(t *testing.T) {
	throttle, _ := newTestThrottle(t)
	for i := range 2000 {
		try(t, throttle, fmt.Sprintf("user%d", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if attempt, _ := try(t, throttle, "admin", "192.0.2.3"); attempt == nil {
		t.Errorf("admin from a new address after a flood: refused, want let through")
	}
}

// TestThrottleSweep checks that buckets that have refilled are deleted,
// that a bucket still short of tokens is kept, and that a throttle sweeps
// only its own.
func TestThrottleSweep(t *testing.T) {
	throttle, c := newTestThrottle(t)
	other := New(throttle.db, "sign-up", c.Now)
	fail(t, other, "old", "192.0.2.1", 1)
	fail(t, throttle, "old", "192.0.2.1", 1)
	c.advance(Window + sweepEvery)
	fail(t, throttle, "new", "192.0.2.2", 1) // sweeps, then counts
	var buckets []string
	rows, err := throttle.db.QueryContext(t.Context(), "SELECT bucket FROM throttle ORDER BY bucket")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var bucket string
		rows.Scan(&bucket)
		buckets = append(buckets, bucket)
	}
	if fmt.Sprint(buckets) != "[login client:192.0.2.2 login client:192.0.2.2 user:new login user:new "+
		"sign-up client:192.0.2.1 sign-up client:192.0.2.1 user:old sign-up user:old]" {
		t.Errorf("buckets after a sweep: %v, want the new attempt's and the other throttle's", buckets)
	}
}

// TestThrottleSweepEvery checks that a throttle sweeps at most once every
// sweepEvery: a bucket that is due just after a sweep stays until the
// next one.
func TestThrottleSweepEvery(t *testing.T) {
	throttle, c := newTestThrottle(t)
	count := func() int {
		var n int
		if err := throttle.db.QueryRowContext(t.Context(), "SELECT count(*) FROM throttle WHERE bucket LIKE '%user:old'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	fail(t, throttle, "first", "192.0.2.1", 1) // sweeps the empty table: the next sweep is sweepEvery away
	c.advance(sweepEvery / 2)
	fail(t, throttle, "old", "192.0.2.2", 1) // due a Window from now
	c.advance(Window)
	fail(t, throttle, "a", "192.0.2.3", 1) // sweeps: old is a Window old, but not yet more
	c.advance(sweepEvery / 2)
	fail(t, throttle, "b", "192.0.2.4", 1) // no sweep: the last was sweepEvery/2 ago
	if n := count(); n != 2 {
		t.Fatalf("old's buckets before the next sweep is due: %d, want 2", n)
	}
	c.advance(sweepEvery / 2)
	fail(t, throttle, "c", "192.0.2.5", 1) // sweeps
	if n := count(); n != 0 {
		t.Errorf("old's buckets after the next sweep: %d, want 0", n)
	}
}

// TestThrottleDatabaseDown checks that a database that has gone away is
// an error, never an attempt let through.
func TestThrottleDatabaseDown(t *testing.T) {
	throttle, _ := newTestThrottle(t)
	throttle.db.Close()
	attempt, _, err := throttle.Try(t.Context(), "admin", "192.0.2.1")
	if err == nil || attempt != nil {
		t.Errorf("Try with the database closed: %v, %v; want an error and no attempt", attempt, err)
	}
}

func BenchmarkThrottleTry(b *testing.B) {
	database, err := db.Open(b.Context(), testdb.SQLiteURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer database.Close()
	throttle := New(database, "login", time.Now)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		throttle.Try(b.Context(), fmt.Sprintf("user%d", i), fmt.Sprintf("client%d", i%1000))
	}
}

// TestThrottleTryClient checks that attempts counted against a client
// alone use up the client's budget, and no user's.
func TestThrottleTryClient(t *testing.T) {
	throttle, _ := newTestThrottle(t)
	for i := range FailuresPerClient {
		if wait, err := throttle.TryClient(t.Context(), "192.0.2.1"); wait != 0 || err != nil {
			t.Fatalf("client attempt %d: wait %v, %v; want let through", i+1, wait, err)
		}
	}
	if wait, err := throttle.TryClient(t.Context(), "192.0.2.1"); wait <= 0 || err != nil {
		t.Errorf("client attempt %d: wait %v, %v; want refused", FailuresPerClient+1, wait, err)
	}
	if attempt, _ := try(t, throttle, "admin", "192.0.2.2"); attempt == nil {
		t.Errorf("admin from another client: refused, want let through")
	}
}
