package throttle

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable time source for a Throttle.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newTestThrottle() (*Throttle, *clock) {
	c := &clock{now: time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)}
	return New(c.Now), c
}

// fail makes n failed attempts for user from client, which must all be let
// through.
func fail(t *testing.T, throttle *Throttle, user, client string, n int) {
	t.Helper()
	for i := range n {
		if attempt, _ := throttle.Try(user, client); attempt == nil {
			t.Fatalf("attempt %d for %s from %s: refused, want let through", i+1, user, client)
		}
	}
}

func TestThrottlePerUser(t *testing.T) {
	throttle, c := newTestThrottle()
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUser)
	attempt, retryAfter := throttle.Try("admin", "192.0.2.2")
	if attempt != nil || retryAfter <= 0 {
		t.Fatalf("attempt %d for admin, from another address: %v, retry after %v; want refused with a wait",
			FailuresPerUser+1, attempt, retryAfter)
	}
	if attempt, _ := throttle.Try("ann", "192.0.2.1"); attempt == nil {
		t.Errorf("first attempt for another user: refused, want let through")
	}

	// The lock lifts by itself: one attempt per Window/FailuresPerUser.
	c.now = c.now.Add(retryAfter - time.Second)
	if attempt, _ := throttle.Try("admin", "192.0.2.1"); attempt != nil {
		t.Errorf("a second before Retry-After: let through, want refused")
	}
	c.now = c.now.Add(time.Second)
	if attempt, _ := throttle.Try("admin", "192.0.2.1"); attempt == nil {
		t.Errorf("at Retry-After (%v): refused, want let through", retryAfter)
	}
	c.now = c.now.Add(Window)
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUser)
}

func TestThrottlePerClient(t *testing.T) {
	throttle, _ := newTestThrottle()
	// One address tries a different name each time: the per-user limit
	// never trips, the per-client one does.
	for i := range FailuresPerClient {
		fail(t, throttle, fmt.Sprintf("user%d", i), "192.0.2.1", 1)
	}
	if attempt, _ := throttle.Try("fresh", "192.0.2.1"); attempt != nil {
		t.Errorf("attempt %d from 192.0.2.1: let through, want refused", FailuresPerClient+1)
	}
	if attempt, _ := throttle.Try("fresh", "192.0.2.9"); attempt == nil {
		t.Errorf("first attempt from another address: refused, want let through")
	}
}

func TestThrottleSucceeded(t *testing.T) {
	throttle, _ := newTestThrottle()
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUser-1)
	attempt, _ := throttle.Try("admin", "192.0.2.1")
	attempt.Succeeded()
	// The user's failures are forgotten...
	fail(t, throttle, "admin", "192.0.2.2", FailuresPerUser)
	// ...and successes do not count against the client: with 4 failures
	// from 192.0.2.1, it has 16 to go, however many successes it has.
	for range 3 * FailuresPerClient {
		attempt, _ := throttle.Try("ann", "192.0.2.1")
		if attempt == nil {
			t.Fatalf("a successful login from 192.0.2.1: refused, want let through")
		}
		attempt.Succeeded()
	}
	for i := range FailuresPerClient - (FailuresPerUser - 1) {
		fail(t, throttle, fmt.Sprintf("user%d", i), "192.0.2.1", 1)
	}
	if attempt, _ := throttle.Try("one-more", "192.0.2.1"); attempt != nil {
		t.Errorf("failure %d from 192.0.2.1: let through, want refused", FailuresPerClient+1)
	}
}

// TestThrottleAllAtOnce sends many attempts for one user at the same
// moment: no more than FailuresPerUser may get through, however they
// interleave.
func TestThrottleAllAtOnce(t *testing.T) {
	throttle, _ := newTestThrottle()
	var through atomic.Int32
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if attempt, _ := throttle.Try("admin", fmt.Sprintf("192.0.2.%d", i)); attempt != nil {
				through.Add(1)
			}
		})
	}
	wg.Wait()
	if got := through.Load(); got != FailuresPerUser {
		t.Errorf("50 attempts at once: %d let through, want %d", got, FailuresPerUser)
	}
}

// TestThrottleMemoryBounded floods the throttle with made-up names from
// made-up addresses and checks that it remembers at most MaxKeys of
// each, and that the flood neither evicts a lock nor gets new names in.
func TestThrottleMemoryBounded(t *testing.T) {
	throttle, c := newTestThrottle()
	fail(t, throttle, "admin", "192.0.2.1", FailuresPerUser) // admin is locked
	for i := range MaxKeys + 500 {
		throttle.Try(fmt.Sprintf("user%d", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if len(throttle.users.byKey) > MaxKeys || len(throttle.clients.byKey) > MaxKeys {
		t.Errorf("after %d distinct failures: %d users and %d clients remembered, want at most %d each",
			MaxKeys+500, len(throttle.users.byKey), len(throttle.clients.byKey), MaxKeys)
	}
	if attempt, _ := throttle.Try("admin", "192.0.2.2"); attempt != nil {
		t.Errorf("admin, locked before the flood: let through, want still refused")
	}
	if attempt, retryAfter := throttle.Try("newcomer", "192.0.2.3"); attempt != nil || retryAfter <= 0 {
		t.Errorf("a new name with the throttle full of recent failures: %v, retry after %v; want refused", attempt, retryAfter)
	}
	// Once the flood's entries have recovered, they make room.
	c.now = c.now.Add(Window)
	if attempt, _ := throttle.Try("newcomer", "192.0.2.3"); attempt == nil {
		t.Errorf("a new name a window after the flood: refused, want let through")
	}
}

func BenchmarkThrottleFull(b *testing.B) {
	throttle, _ := newTestThrottle()
	for i := range MaxKeys {
		throttle.Try(fmt.Sprintf("user%d", i), "192.0.2.1")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		throttle.Try(fmt.Sprintf("flood%d", i), fmt.Sprintf("flood%d", i))
	}
}
