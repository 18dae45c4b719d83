package views

import (
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
//
// It keeps one rate.Limiter a user name and one a client address; an
// attempt takes a token from each, and a successful one gives the
// client's back and forgets the user's.
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

// Try counts an attempt to log in as user from client, as a failure until
// [Attempt.Succeeded] says otherwise, and returns the attempt; or, when
// either limit is reached, returns nil and how long until an attempt may
// go ahead. Counting before the password is checked, under one lock, is
// what holds the limits against attempts sent all at once.
func (t *Throttle) Try(user, client string) (attempt *Attempt, retryAfter time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	userReservation := limiter(t.users, user, FailuresPerUser, now).ReserveN(now, 1)
	clientReservation := limiter(t.clients, client, FailuresPerClient, now).ReserveN(now, 1)
	if wait := max(userReservation.DelayFrom(now), clientReservation.DelayFrom(now)); wait > 0 {
		userReservation.CancelAt(now)
		clientReservation.CancelAt(now)
		return nil, wait
	}
	return &Attempt{throttle: t, user: user, client: clientReservation}, 0
}

// Attempt is one login attempt that [Throttle.Try] let through.
type Attempt struct {
	throttle *Throttle
	user     string
	client   *rate.Reservation
}

// Succeeded takes back the attempt, which Try counted as a failure: the
// user's failures are forgotten, and the client's attempt returned. A
// failed attempt needs no call: it stays counted.
func (a *Attempt) Succeeded() {
	a.throttle.mu.Lock()
	defer a.throttle.mu.Unlock()
	a.client.CancelAt(a.throttle.now())
	delete(a.throttle.users, a.user)
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
