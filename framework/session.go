package framework

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
)

// Key lengths for [NewSessions], in bytes.
const (
	// HashKeyBytes is the length of a hash key: 64 bytes for HMAC-SHA256,
	// as gorilla/securecookie recommends.
	HashKeyBytes = 64
	// BlockKeyBytes is the length of a block key: 32 bytes selects AES-256.
	BlockKeyBytes = 32
)

// DefaultSessionLifetime is how long a session lasts after login when
// [NewSessions] is given no other lifetime: 12 hours, however active the
// user is (OWASP ASVS V3.3.2).
const DefaultSessionLifetime = 12 * time.Hour

// SessionIdleTimeout is how long a session lasts without a request: 30
// minutes (OWASP ASVS V3.3.2).
const SessionIdleTimeout = 30 * time.Minute

// lastSeenResolution is how stale Session.LastSeen may grow before Load
// refreshes it: one minute, so that a busy user's browser does not get a
// new cookie with every request.
const lastSeenResolution = time.Minute

// Session is what the session cookie holds. The zero Session is a visitor
// who is not logged in and has no flash messages.
type Session struct {
	// ID is a random identifier, new at every login, which tells one
	// session from another in logs. It is no credential: the cookie is.
	ID string `json:"id,omitempty"`
	// User is the name of the logged-in user, or "" for none.
	User string `json:"user,omitempty"`
	// IssuedAt is when the session began, in Unix seconds.
	IssuedAt int64 `json:"iat,omitempty"`
	// LastSeen is when the user last made a request, in Unix seconds,
	// to within a minute.
	LastSeen int64 `json:"seen,omitempty"`
	// Generation is the user's session generation when the session
	// began; [Sessions.Revoke] moves it on, which ends the session.
	Generation uint64 `json:"gen,omitempty"`
	// Flashes are messages to show once, on the next page rendered.
	Flashes []string `json:"flashes,omitempty"`
}

// Sessions reads and writes the session cookie. The cookie's value is
// JSON, encrypted with AES-256 and signed with HMAC-SHA256 by
// gorilla/securecookie, so a client can neither read nor change it.
//
// The cookie is HttpOnly and SameSite=Lax, its Path is the application's
// [ScriptName] (or "/"), and over HTTPS ([GuessScheme], so a trusted
// proxy's X-Forwarded-Proto counts) it is Secure and, at Path "/",
// named with the __Host- prefix (RFC 6265bis §4.1.3.2). A session ends
// after its lifetime, which both the cookie's Max-Age and the signed
// IssuedAt enforce, and after [SessionIdleTimeout] without a request, which
// the signed LastSeen enforces.
//
// A cookie is the whole session, so the server cannot delete it from a
// browser that keeps a copy. To make logout stick, each user has a
// generation number, which [Sessions.Revoke] moves on, and Sessions
// accepts only cookies of the user's current generation. The numbers live
// in [Generations]: in a database, they hold after a restart and on
// every instance that shares it.
//
// Handlers that load a session must run under [Sessions.Middleware].
type Sessions struct {
	codecs      []securecookie.Codec
	lifetime    time.Duration
	generations Generations
	now         func() time.Time // time.Now, replaced in tests
}

// Generations keeps each user's session generation: a number that
// [Sessions.Revoke] moves on to end every session of the user, and that a
// session cookie must match to load. The demo keeps them in its database
// (example.com/miniweb/users.Store), so that a logout holds after a
// restart and on every instance; [NewSessions] keeps them in memory when
// given nil. An unknown user has generation 0. Errors are the store's,
// such as a database that is down.
type Generations interface {
	Generation(ctx context.Context, user string) (uint64, error)
	Revoke(ctx context.Context, user string) error
}

// memoryGenerations keeps generations in one process's memory: a restart
// forgets them, and a cookie copied before a logout works again after
// one. It suits tests and a single process that restarts rarely.
type memoryGenerations struct {
	mu          sync.Mutex
	generations map[string]uint64 // user name → current generation
}

func (m *memoryGenerations) Generation(ctx context.Context, user string) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.generations[user], nil
}

func (m *memoryGenerations) Revoke(ctx context.Context, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.generations[user]++
	return nil
}

// NewSessions returns Sessions that keep their users' generations in
// generations (in memory when it is nil), last lifetime (or
// [DefaultSessionLifetime] when lifetime is 0) and encode with keyPairs:
// a hash key of [HashKeyBytes] and a block key of [BlockKeyBytes], newest
// pair first. Cookies are written with the first pair and read with any,
// so keys rotate by putting a new pair in front of the old one
// ([securecookie.CodecsFromPairs]).
//
// NewSessions returns an error for a key of the wrong length or a missing
// block key, and checks the keys with a test encoding, since
// securecookie reports a bad key only on first use.
func NewSessions(generations Generations, lifetime time.Duration, keyPairs ...[]byte) (*Sessions, error) {
	if len(keyPairs) == 0 || len(keyPairs)%2 != 0 {
		return nil, errors.New("framework: session keys come in pairs of hash key and block key")
	}
	for i := 0; i < len(keyPairs); i += 2 {
		if len(keyPairs[i]) != HashKeyBytes || len(keyPairs[i+1]) != BlockKeyBytes {
			return nil, fmt.Errorf("framework: session key pair %d: want a %d-byte hash key and a %d-byte block key, have %d and %d bytes",
				i/2+1, HashKeyBytes, BlockKeyBytes, len(keyPairs[i]), len(keyPairs[i+1]))
		}
	}
	if lifetime == 0 {
		lifetime = DefaultSessionLifetime
	}
	codecs := securecookie.CodecsFromPairs(keyPairs...)
	for _, codec := range codecs {
		codec.(*securecookie.SecureCookie).
			MaxAge(int(lifetime.Seconds())).
			SetSerializer(securecookie.JSONEncoder{})
	}
	if _, err := securecookie.EncodeMulti("check", Session{}, codecs...); err != nil {
		return nil, fmt.Errorf("framework: session keys: %w", err)
	}
	if generations == nil {
		generations = &memoryGenerations{generations: make(map[string]uint64)}
	}
	return &Sessions{
		codecs:      codecs,
		lifetime:    lifetime,
		generations: generations,
		now:         time.Now,
	}, nil
}

// Start returns a new session for user: a fresh random ID, issued and
// last seen now, of the user's current generation. Call it at login, so
// that no session ID chosen before login survives it. The error is the
// generations store's.
func (s *Sessions) Start(ctx context.Context, user string) (Session, error) {
	generation, err := s.generations.Generation(ctx, user)
	if err != nil {
		return Session{}, fmt.Errorf("framework: starting a session: %w", err)
	}
	now := s.now().Unix()
	return Session{ID: rand.Text(), User: user, IssuedAt: now, LastSeen: now, Generation: generation}, nil
}

// Revoke ends every session of user, in every browser: cookies issued
// before the call no longer load. Call it at logout. The error is the
// generations store's.
func (s *Sessions) Revoke(ctx context.Context, user string) error {
	if err := s.generations.Revoke(ctx, user); err != nil {
		return fmt.Errorf("framework: revoking sessions: %w", err)
	}
	return nil
}

// Load returns the session in r's cookie. A request without the cookie
// gets the zero Session. So does one whose cookie is tampered with,
// truncated, encoded with an unknown key, past its lifetime or idle
// timeout, or revoked; Load then also adds a Set-Cookie header to w that
// deletes it. Neither case is an error: the error is the generations
// store's, when it cannot say whether a logged-in session was revoked.
//
// For a logged-in user last seen over a minute ago, Load moves LastSeen to
// now and saves the session, through a Set-Cookie header on w.
//
// Load decodes the cookie once a request and returns the same session to
// every later call, until Save or Clear changes it. It keeps the session
// in the place that [Sessions.Middleware] gives each request, and panics
// when the request has none: that is a wiring mistake, which the first
// request that loads a session finds.
func (s *Sessions) Load(w http.ResponseWriter, r *http.Request) (Session, error) {
	cache := requestCache(r)
	if !cache.loaded {
		session, err := s.load(w, r)
		if err != nil {
			return Session{}, err // not cached: a later call tries again
		}
		cache.loaded, cache.session = true, session
	}
	return cache.session, nil
}

// load decodes, checks and refreshes the session in r's cookie, for Load.
func (s *Sessions) load(w http.ResponseWriter, r *http.Request) (Session, error) {
	cookie, err := r.Cookie(cookieName(r))
	if err != nil {
		return Session{}, nil
	}
	var session Session
	if err := securecookie.DecodeMulti(cookie.Name, cookie.Value, &session, s.codecs...); err != nil {
		s.Clear(w, r)
		return Session{}, nil
	}
	valid, err := s.valid(r.Context(), session)
	if err != nil {
		return Session{}, err
	}
	if !valid {
		s.Clear(w, r)
		return Session{}, nil
	}
	if now := s.now(); session.User != "" && now.Sub(time.Unix(session.LastSeen, 0)) >= lastSeenResolution {
		session.LastSeen = now.Unix()
		if err := s.Save(w, r, session); err != nil {
			return Session{}, err // cannot happen: the same value decoded
		}
	}
	return session, nil
}

// Save writes session to the cookie, through a Set-Cookie header on w
// that replaces any set before for it in this response; call it before
// the response's first byte. A session with a user keeps the time left of
// its lifetime.
func (s *Sessions) Save(w http.ResponseWriter, r *http.Request, session Session) error {
	value, err := securecookie.EncodeMulti(cookieName(r), session, s.codecs...)
	if err != nil {
		return fmt.Errorf("framework: encoding session: %w", err)
	}
	maxAge := s.lifetime
	if session.IssuedAt != 0 {
		maxAge -= s.now().Sub(time.Unix(session.IssuedAt, 0))
	}
	cookie := s.cookie(r, value)
	cookie.MaxAge = max(int(maxAge.Seconds()), 1)
	setCookie(w, cookie)
	remember(r, session)
	return nil
}

// Clear deletes the session cookie, through a Set-Cookie header on w
// that replaces any set before for it in this response.
func (s *Sessions) Clear(w http.ResponseWriter, r *http.Request) {
	cookie := s.cookie(r, "")
	cookie.MaxAge = -1
	setCookie(w, cookie)
	remember(r, Session{})
}

// AddFlash adds message to r's session, to be shown once, on the next
// page that renders ([Sessions.Flashes]), as Flask's flash does: a view
// that changes something and redirects (303 See Other) says what it did
// on the page the browser lands on. It saves the session through a
// Set-Cookie header on w; call it before the response's first byte. A
// visitor who is not logged in gets a session that holds only flash
// messages. The error is Load's or Save's.
func (s *Sessions) AddFlash(w http.ResponseWriter, r *http.Request, message string) error {
	session, err := s.Load(w, r)
	if err != nil {
		return err
	}
	session.Flashes = append(slices.Clip(session.Flashes), message)
	return s.Save(w, r, session)
}

// Flashes returns the flash messages of r's session and removes them
// from it, so that each is shown once, as Flask's get_flashed_messages
// and gorilla/sessions' Session.Flashes do. When there were any, it
// writes the session back without them through a Set-Cookie header on w,
// or deletes the cookie when they were all it held; call it before the
// response's first byte. The error is Load's or Save's.
func (s *Sessions) Flashes(w http.ResponseWriter, r *http.Request) ([]string, error) {
	session, err := s.Load(w, r)
	if err != nil {
		return nil, err
	}
	flashes := session.Flashes
	if len(flashes) == 0 {
		return nil, nil
	}
	if session.User == "" {
		s.Clear(w, r) // the flashes were all there was
		return flashes, nil
	}
	session.Flashes = nil
	return flashes, s.Save(w, r, session)
}

// sessionCacheKey is the context key of a request's sessionCache.
type sessionCacheKey struct{}

// sessionCache holds the session of one request, once Load has decoded it.
type sessionCache struct {
	loaded  bool
	session Session
}

// Middleware returns middleware that gives each request a place for its
// session, so that [Sessions.Load] decodes the cookie once however often
// a request's view and page ask for it, and later calls see what Save and
// Clear set. Every handler that loads a session must run under it.
func (s *Sessions) Middleware() func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), sessionCacheKey{}, &sessionCache{})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// requestCache returns the place for r's session that Middleware made.
func requestCache(r *http.Request) *sessionCache {
	cache, ok := r.Context().Value(sessionCacheKey{}).(*sessionCache)
	if !ok {
		panic("framework: a session was loaded outside Sessions.Middleware: add it to the handler chain")
	}
	return cache
}

// remember records session as r's session for later Loads, if r runs
// under Middleware. (Save and Clear work without it: a login handler
// tested alone, or a cookie made for a test, need no cache.)
func remember(r *http.Request, session Session) {
	if cache, ok := r.Context().Value(sessionCacheKey{}).(*sessionCache); ok {
		cache.loaded, cache.session = true, session
	}
}

// valid reports whether session, decoded from a cookie, may still be
// used by the Sessions' clock: within its lifetime and idle timeout, and
// of its user's current generation. (securecookie checks the lifetime
// too, by the wall clock.)
func (s *Sessions) valid(ctx context.Context, session Session) (bool, error) {
	now := s.now()
	if session.IssuedAt != 0 && now.Sub(time.Unix(session.IssuedAt, 0)) > s.lifetime {
		return false, nil
	}
	if session.User == "" {
		return true, nil // flash messages only: nothing to protect
	}
	if now.Sub(time.Unix(session.LastSeen, 0)) > SessionIdleTimeout {
		return false, nil
	}
	generation, err := s.generations.Generation(ctx, session.User)
	if err != nil {
		return false, fmt.Errorf("framework: checking a session: %w", err)
	}
	return session.Generation == generation, nil
}

// setCookie adds a Set-Cookie header for cookie to w, in place of any
// already there for a cookie of the same name.
func setCookie(w http.ResponseWriter, cookie *http.Cookie) {
	header := w.Header()
	header["Set-Cookie"] = slices.DeleteFunc(header["Set-Cookie"], func(line string) bool {
		return strings.HasPrefix(line, cookie.Name+"=")
	})
	http.SetCookie(w, cookie)
}

func (s *Sessions) cookie(r *http.Request, value string) *http.Cookie {
	path := ScriptName(r)
	if path == "" {
		path = "/"
	}
	return &http.Cookie{
		Name:     cookieName(r),
		Value:    value,
		Path:     path,
		Secure:   GuessScheme(r) == "https",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// cookieName returns the session cookie's name for r: "__Host-session"
// over HTTPS at Path "/", where browsers enforce what the prefix promises
// (Secure, no Domain, Path "/"), and "session" otherwise.
func cookieName(r *http.Request) string {
	if GuessScheme(r) == "https" && ScriptName(r) == "" {
		return "__Host-session"
	}
	return "session"
}
