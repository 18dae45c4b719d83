// Package throttle limits password guessing: it counts failed logins by
// user name and by client address in token buckets
// (golang.org/x/time/rate) and refuses an attempt once either has used
// its burst. It is a service beside the views: views.Login asks it
// before every password check.
package throttle

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Login throttling limits (OWASP ASVS V2.2.1). Each is a token bucket
// from golang.org/x/time/rate: a full bucket allows a burst of failures,
// after which attempts get 429, and the bucket refills evenly over
// Window, so a lock lifts by itself, one attempt at a time.
const (
	// FailuresPerUser is the burst of failed logins one user name may
	// have: 5, then one more every Window/5 (3 minutes).
	FailuresPerUser = 5
	// FailuresPerClient is the burst of failed logins one client may
	// have: 20, then one more every Window/20 (45 seconds).
	FailuresPerClient = 20
	// Window is the time a bucket takes to refill: 15 minutes.
	Window = 15 * time.Minute
	// MaxKeys is how many user names, and separately how many
	// clients, the throttle remembers at once: 10,000 each. With user
	// names at most 256 bytes long (the login form's limit), that bounds
	// its memory to a few MiB under any flood. When it is full of
	// entries that failed lately, new names or clients are refused until
	// some recover.
	MaxKeys = 10_000
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
	users   limiters
	clients limiters
}

// New returns a Throttle that reads the time from now, such as
// time.Now.
func New(now func() time.Time) *Throttle {
	return &Throttle{
		now:     now,
		users:   limiters{burst: FailuresPerUser, byKey: make(map[string]*rate.Limiter)},
		clients: limiters{burst: FailuresPerClient, byKey: make(map[string]*rate.Limiter)},
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
	// The client first: a client past its limit leaves no trace of the
	// user names it tries.
	clientLimiter := t.clients.get(client, now)
	if clientLimiter == nil {
		return nil, Window / FailuresPerClient // full of clients that failed lately
	}
	clientReservation := clientLimiter.ReserveN(now, 1)
	if wait := clientReservation.DelayFrom(now); wait > 0 {
		clientReservation.CancelAt(now)
		return nil, wait
	}
	userLimiter := t.users.get(user, now)
	if userLimiter == nil {
		clientReservation.CancelAt(now)
		return nil, Window / FailuresPerUser // full of users that failed lately
	}
	userReservation := userLimiter.ReserveN(now, 1)
	if wait := userReservation.DelayFrom(now); wait > 0 {
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
	delete(a.throttle.users.byKey, a.user)
}

// limiters holds a rate.Limiter for each key (a user name or a client)
// that failed lately, at most MaxKeys of them.
type limiters struct {
	burst     int // failures allowed at once; one more per Window/burst
	byKey     map[string]*rate.Limiter
	nextSweep time.Time // when full, no sweep before then
}

// get returns the limiter for key, making one if there is none. When
// there are MaxKeys, it first forgets the limiters that are full
// again, which carry no information; if that frees none, it returns nil
// rather than forget one that may be locking someone out, and sweeps
// again only after the time one token takes to come back.
func (l *limiters) get(key string, now time.Time) *rate.Limiter {
	if limiter, ok := l.byKey[key]; ok {
		return limiter
	}
	if len(l.byKey) >= MaxKeys {
		if now.Before(l.nextSweep) {
			return nil
		}
		for k, limiter := range l.byKey {
			if limiter.TokensAt(now) >= float64(limiter.Burst()) {
				delete(l.byKey, k)
			}
		}
		if len(l.byKey) >= MaxKeys {
			l.nextSweep = now.Add(Window / time.Duration(l.burst))
			return nil
		}
	}
	limiter := rate.NewLimiter(rate.Every(Window/time.Duration(l.burst)), l.burst)
	l.byKey[key] = limiter
	return limiter
}
