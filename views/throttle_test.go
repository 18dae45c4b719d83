package views

import (
	"fmt"
	"testing"
	"time"
)

// clock is a settable time source for a Throttle.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func TestThrottlePerUser(t *testing.T) {
	c := &clock{now: time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)}
	throttle := NewThrottle(c.Now)
	for i := range FailuresPerUser {
		if ok, _ := throttle.Allow("admin", "192.0.2.1"); !ok {
			t.Fatalf("attempt %d for admin: refused, want allowed", i+1)
		}
		throttle.Fail("admin", "192.0.2.1")
	}
	ok, retryAfter := throttle.Allow("admin", "192.0.2.2")
	if ok || retryAfter <= 0 {
		t.Fatalf("attempt %d for admin, from another address: allowed %v, retry after %v; want refused with a wait",
			FailuresPerUser+1, ok, retryAfter)
	}
	if ok, _ := throttle.Allow("ann", "192.0.2.1"); !ok {
		t.Errorf("first attempt for another user: refused, want allowed")
	}

	// The lock lifts by itself: one attempt per ThrottleWindow/FailuresPerUser.
	c.now = c.now.Add(retryAfter - time.Second)
	if ok, _ := throttle.Allow("admin", "192.0.2.1"); ok {
		t.Errorf("a second before Retry-After: allowed, want refused")
	}
	c.now = c.now.Add(time.Second)
	if ok, _ := throttle.Allow("admin", "192.0.2.1"); !ok {
		t.Errorf("at Retry-After (%v): refused, want allowed", retryAfter)
	}
	c.now = c.now.Add(ThrottleWindow)
	for i := range FailuresPerUser {
		if ok, _ := throttle.Allow("admin", "192.0.2.1"); !ok {
			t.Fatalf("a window later, attempt %d: refused, want allowed", i+1)
		}
		throttle.Fail("admin", "192.0.2.1")
	}
}

func TestThrottlePerClient(t *testing.T) {
	c := &clock{now: time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)}
	throttle := NewThrottle(c.Now)
	// One address tries a different name each time: the per-user limit
	// never trips, the per-client one does.
	for i := range FailuresPerClient {
		user := fmt.Sprintf("user%d", i)
		if ok, _ := throttle.Allow(user, "192.0.2.1"); !ok {
			t.Fatalf("attempt %d from 192.0.2.1: refused, want allowed", i+1)
		}
		throttle.Fail(user, "192.0.2.1")
	}
	if ok, _ := throttle.Allow("fresh", "192.0.2.1"); ok {
		t.Errorf("attempt %d from 192.0.2.1: allowed, want refused", FailuresPerClient+1)
	}
	if ok, _ := throttle.Allow("fresh", "192.0.2.9"); !ok {
		t.Errorf("first attempt from another address: refused, want allowed")
	}
}

func TestThrottleSucceedForgetsUser(t *testing.T) {
	c := &clock{now: time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)}
	throttle := NewThrottle(c.Now)
	for range FailuresPerUser - 1 {
		throttle.Fail("admin", "192.0.2.1")
	}
	throttle.Succeed("admin")
	for i := range FailuresPerUser {
		if ok, _ := throttle.Allow("admin", "192.0.2.2"); !ok {
			t.Fatalf("attempt %d after a success: refused, want allowed", i+1)
		}
		throttle.Fail("admin", "192.0.2.2")
	}
}

// TestThrottleMemoryBounded floods the throttle with made-up names from
// made-up addresses and checks that it remembers at most MaxThrottled of
// each.
func TestThrottleMemoryBounded(t *testing.T) {
	c := &clock{now: time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)}
	throttle := NewThrottle(c.Now)
	for i := range MaxThrottled + 500 {
		throttle.Fail(fmt.Sprintf("user%d", i), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
	}
	if len(throttle.users) > MaxThrottled || len(throttle.clients) > MaxThrottled {
		t.Errorf("after %d distinct failures: %d users and %d clients remembered, want at most %d each",
			MaxThrottled+500, len(throttle.users), len(throttle.clients), MaxThrottled)
	}
	// A user whose failures are the newest is still throttled.
	for range FailuresPerUser {
		throttle.Fail("admin", "192.0.2.1")
	}
	if ok, _ := throttle.Allow("admin", "192.0.2.1"); ok {
		t.Errorf("admin after %d failures, with the throttle full: allowed, want refused", FailuresPerUser)
	}
}

func BenchmarkThrottleFailFull(b *testing.B) {
	c := &clock{now: time.Date(2026, time.November, 22, 9, 0, 0, 0, time.UTC)}
	throttle := NewThrottle(c.Now)
	for i := range MaxThrottled {
		throttle.Fail(fmt.Sprintf("user%d", i), "192.0.2.1")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		throttle.Fail(fmt.Sprintf("flood%d", i), "192.0.2.1")
	}
}
