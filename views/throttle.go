package views

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Login throttling limits (OWASP ASVS V2.2.1). Each is a token bucket
// from golang.org/x/time/rate: a full bucket allows a burst of failures,
// and the bucket refills evenly over the window, so a lock lifts by
// itself, one attempt at a time.
const (
	// FailuresPerUser is how many failed logins one user name may have
	// within ThrottleWindow before further attempts get 429.
	FailuresPerUser = 5
	// FailuresPerClient is how many failed logins one client address may
	// have within ThrottleWindow before further attempts get 429.
	FailuresPerClient = 20
	// ThrottleWindow is the time over which failures count: 15 minutes.
	ThrottleWindow = 15 * time.Minute
	// MaxThrottled is how many user names, and separately how many client
	// addresses, the throttle remembers at once: 10,000 each, so that a
	// flood of made-up names cannot exhaust memory.
	MaxThrottled = 10_000
)

// Throttle counts failed logins by user name and by client address and
// tells when to refuse further attempts. It is safe for concurrent use.
type Throttle struct {
	now func() time.Time // time.Now, or a test's clock

	mu      sync.Mutex
	users   map[string]*rate.Limiter
	clients map[string]*rate.Limiter
}

// NewThrottle returns a Throttle that reads the time from now, such as
// time.Now.
func NewThrottle(now func() time.Time) *Throttle {
	return &Throttle{
		now:     now,
		users:   make(map[string]*rate.Limiter),
		clients: make(map[string]*rate.Limiter),
	}
}

// Allow reports whether a login attempt for user from client may go
// ahead, and if not, how long until it may.
func (t *Throttle) Allow(user, client string) (ok bool, retryAfter time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	wait := max(waitFor(t.users[user], now), waitFor(t.clients[client], now))
	return wait == 0, wait
}

// Fail records a failed login for user from client.
func (t *Throttle) Fail(user, client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	limiter(t.users, user, FailuresPerUser, now).AllowN(now, 1)
	limiter(t.clients, client, FailuresPerClient, now).AllowN(now, 1)
}

// Succeed forgets the failures of user after a successful login. The
// client's failures stand: one address trying many names stays limited.
func (t *Throttle) Succeed(user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.users, user)
}

// waitFor returns how long until l has a token for one attempt; 0 for a
// nil l, one that never failed.
func waitFor(l *rate.Limiter, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	missing := 1 - l.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(missing / float64(l.Limit()) * float64(time.Second)))
}

// limiter returns the limiter for key in limiters, making one that allows
// burst failures per ThrottleWindow if there is none. When limiters holds
// MaxThrottled, it first forgets the limiters that are full again, which
// carry no information, and then, if that freed less than a tenth, as
// many arbitrary ones as it takes; so a flood pays for a sweep once per
// MaxThrottled/10 new keys, not at every one.
func limiter(limiters map[string]*rate.Limiter, key string, burst int, now time.Time) *rate.Limiter {
	if l, ok := limiters[key]; ok {
		return l
	}
	if len(limiters) >= MaxThrottled {
		for k, l := range limiters {
			if l.TokensAt(now) >= float64(l.Burst()) {
				delete(limiters, k)
			}
		}
		for k := range limiters {
			if len(limiters) < MaxThrottled-MaxThrottled/10 {
				break
			}
			delete(limiters, k)
		}
	}
	l := rate.NewLimiter(rate.Every(ThrottleWindow/time.Duration(burst)), burst)
	limiters[key] = l
	return l
}
