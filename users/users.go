// Package users keeps the demo's user accounts in the database: names,
// argon2id password hashes and session generations. It is a service
// beside the views, not a view: views.Login calls [Store.Authenticate],
// views.Register calls [Store.Create], and framework.Sessions keeps its
// generations here, so that a logout holds on every instance and after a
// restart.
package users

import (
	"context"
	"database/sql"
	_ "embed" // common-passwords.txt
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"example.com/miniweb/db"
)

// passwordParams are the argon2id parameters for stored passwords: the
// OWASP Password Storage Cheat Sheet's first choice, 19 MiB of memory, 2
// iterations, 1 degree of parallelism, a 16-byte salt and a 32-byte key.
// Nothing changes it; it is a variable because argon2id takes a pointer.
var passwordParams = &argon2id.Params{
	Memory:      19 * 1024, // KiB
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// MaxHashingMemory bounds the memory, in bytes, that password checks
// running at once may take: 128 MiB, room for 6 checks of passwordParams.
const MaxHashingMemory = 128 << 20

// concurrentChecks returns how many password checks may run at once: one
// a CPU, as more could not run any faster, but no more than fit in
// MaxHashingMemory, so that the bound holds on a machine with many CPUs.
func concurrentChecks() int {
	perCheck := int(passwordParams.Memory) << 10 // KiB to bytes
	return max(1, min(runtime.NumCPU(), MaxHashingMemory/perCheck))
}

// Limits on what a user may choose, which [Store.Create] enforces.
const (
	// MinUsernameRunes and MaxUsernameRunes bound a user name's length in
	// characters, after [Normalize]: 3 to 32.
	MinUsernameRunes = 3
	MaxUsernameRunes = 32
	// MinPasswordRunes is the shortest password, in characters: 8 (NIST
	// SP 800-63B §5.1.1.2).
	MinPasswordRunes = 8
	// MaxPasswordBytes is the longest password, in bytes of UTF-8: 1 KiB.
	// Login refuses a longer one without hashing it.
	MaxPasswordBytes = 1024
)

// Bounds on the queue of password checks, so that a flood of logins gets
// a quick refusal rather than an answer long after its client has gone,
// and a real user's login waits seconds at most, not minutes.
const (
	// MaxWaitingChecks is how many password checks may wait for a hashing
	// slot at once: 64. One more gets [ErrBusy] at once.
	MaxWaitingChecks = 64
	// MaxHashWait is how long a password check waits for a hashing slot:
	// 2 seconds, then [ErrBusy].
	MaxHashWait = 2 * time.Second
)

// Errors that Store's methods and the checks return, for a caller to
// branch on.
var (
	// ErrBusy means too many password checks are under way or waiting:
	// the caller answers 503 Service Unavailable with Retry-After.
	ErrBusy = errors.New("users: too many password checks at once")
	// ErrTaken means a user with the same name, after [Normalize],
	// exists already.
	ErrTaken = errors.New("users: user name taken")

	// ErrUsernameLength means a name, after [Normalize], is shorter than
	// MinUsernameRunes or longer than MaxUsernameRunes.
	ErrUsernameLength = errors.New("users: user name too short or too long")
	// ErrUsernameCharacters means a name holds a character other than a
	// letter, a digit, "_", "-" or ".", or starts with one of the last
	// three.
	ErrUsernameCharacters = errors.New("users: user name holds characters not allowed")
	// ErrPasswordShort means a password has fewer than MinPasswordRunes
	// characters.
	ErrPasswordShort = errors.New("users: password too short")
	// ErrPasswordLong means a password has more than MaxPasswordBytes
	// bytes.
	ErrPasswordLong = errors.New("users: password too long")
	// ErrPasswordCommon means a password is in the list of common
	// passwords that ships with this package, in any case.
	ErrPasswordCommon = errors.New("users: password too common")
)

// Normalize returns the form of name that the store keeps and compares:
// Unicode NFKC, so that the fullwidth "ａｄｍｉｎ" is "admin", then lower
// case, so that "Admin" is too (golang.org/x/text). One person's name has
// one normal form, so it is one account and one throttle key.
func Normalize(name string) string {
	return cases.Lower(language.Und).String(norm.NFKC.String(name))
}

// CheckUsername returns [ErrUsernameLength] or [ErrUsernameCharacters] if
// name, after [Normalize], cannot be a new user's name, and nil if it can:
// MinUsernameRunes to MaxUsernameRunes characters, each a letter, a
// digit, "_", "-" or ".", the first a letter or a digit.
func CheckUsername(name string) error {
	name = Normalize(name)
	if n := utf8.RuneCountInString(name); n < MinUsernameRunes || n > MaxUsernameRunes {
		return ErrUsernameLength
	}
	for i, c := range name {
		letterOrDigit := unicode.IsLetter(c) || unicode.IsDigit(c)
		if !letterOrDigit && (i == 0 || !strings.ContainsRune("_-.", c)) {
			return ErrUsernameCharacters
		}
	}
	return nil
}

// CheckPassword returns [ErrPasswordShort], [ErrPasswordLong] or
// [ErrPasswordCommon] if password cannot be a new password, and nil if it
// can: MinPasswordRunes characters or more, MaxPasswordBytes bytes or
// fewer, and not in common-passwords.txt (NIST SP 800-63B §5.1.1.2 asks
// to refuse passwords "obtained from previous breach corpuses").
func CheckPassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordRunes:
		return ErrPasswordShort
	case len(password) > MaxPasswordBytes:
		return ErrPasswordLong
	}
	if _, common := commonPasswords()[strings.ToLower(password)]; common {
		return ErrPasswordCommon
	}
	return nil
}

// commonPasswordsFile is the list of common passwords, one a line, after
// a header of lines starting with "#" that names its source and licence.
//
//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords returns the set of common passwords, lower-cased, read
// from commonPasswordsFile on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 20_000)
	for line := range strings.Lines(commonPasswordsFile) {
		line = strings.TrimSuffix(line, "\n")
		if line != "" && !strings.HasPrefix(line, "#") {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return set
})

// Store keeps the users in a database that package db opened. It is safe
// for concurrent use, by any number of processes sharing the database.
type Store struct {
	db *db.DB

	// hashing holds a token for each password check under way. Each
	// takes passwordParams.Memory, so a flood of logins could otherwise
	// take as much memory as it likes; see concurrentChecks.
	hashing chan struct{}
	// waiting holds a token for each check waiting for a hashing slot,
	// MaxWaitingChecks at most, each for maxWait at most.
	waiting chan struct{}
	maxWait time.Duration
	// compare is argon2id.ComparePasswordAndHash; tests count its calls.
	compare func(password, hash string) (bool, error)
}

// dummyHash is checked for an unknown user name, so that it costs the
// same as a wrong password and timing does not reveal which names exist:
// the argon2id hash, with passwordParams, of a password that matters to
// no one, since no check against it can succeed. It is a constant so that
// no process pays for making it, not even a CGI process, where making it
// at the first unknown name would make that login the slower one.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$Lc69z/2/Y4Szn/2CfAy8NQ$e0ZPoCXclmRlqtr6UcqvZJowTq4uLcNHGpM0aV4vG7w"

// NewStore returns a store of the users in database.
func NewStore(database *db.DB) *Store {
	return &Store{
		db:      database,
		hashing: make(chan struct{}, concurrentChecks()),
		waiting: make(chan struct{}, MaxWaitingChecks),
		maxWait: MaxHashWait,
		compare: argon2id.ComparePasswordAndHash,
	}
}

// Create adds a user called name, after [Normalize], with password,
// hashed with argon2id. The caller checks both with [CheckUsername] and
// [CheckPassword] first. Create returns [ErrTaken] if the name
// is taken, even when two requests race for it: the database's unique
// index decides.
func (s *Store) Create(ctx context.Context, name, password string) error {
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx,
		"INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3)",
		Normalize(name), hash, time.Now().Unix())
	if db.IsUniqueViolation(err) {
		return ErrTaken
	}
	if err != nil {
		return fmt.Errorf("users: creating %q: %w", name, err)
	}
	return nil
}

// CreateFirst adds a user called name with password if the store has no
// user at all, and reports whether it did: the demo's first account,
// which a restart, or a second instance, must not add again. It hashes
// the password only when the store is empty.
func (s *Store) CreateFirst(ctx context.Context, name, password string) (bool, error) {
	if empty, err := s.Empty(ctx); err != nil || !empty {
		return false, err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return false, err
	}
	result, err := s.db.ExecContext(ctx,
		"INSERT INTO users (username, password_hash, created_at) SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM users)",
		Normalize(name), hash, time.Now().Unix())
	if db.IsUniqueViolation(err) {
		return false, nil // another instance added it first
	}
	if err != nil {
		return false, fmt.Errorf("users: creating the first user: %w", err)
	}
	rows, err := result.RowsAffected()
	return rows == 1, err
}

// Empty reports whether the store has no user at all, as before the first
// start.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var exists bool
	err := s.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM users)").Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("users: looking for a user: %w", err)
	}
	return !exists, nil
}

// Authenticate reports whether password is the password of the user
// called name, after [Normalize]. An unknown name takes as long as a wrong
// password: it is checked against a dummy hash. At most one check a CPU
// runs at once, and no more than fit in MaxHashingMemory; the others wait
// their turn, MaxHashWait at most and MaxWaitingChecks at most, or until
// ctx is done, and then report false without hashing. The error is
// [ErrBusy] past those bounds, or the database's; never a wrong
// password's.
func (s *Store) Authenticate(ctx context.Context, name, password string) (bool, error) {
	_, ok, err := s.check(ctx, name, password)
	return ok, err
}

// check is Authenticate, and returns the hash that password matched too.
func (s *Store) check(ctx context.Context, name, password string) (hash string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE username = $1", Normalize(name)).Scan(&hash)
	known := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("users: looking up %q: %w", name, err)
	}
	if !known {
		hash = dummyHash
	}
	release, err := s.acquire(ctx)
	if errors.Is(err, ErrBusy) {
		return "", false, err
	}
	if err != nil {
		return "", false, nil // the client is gone, or out of time: no hash for it
	}
	defer release()
	match, err := s.compare(password, hash)
	return hash, known && match && err == nil, nil
}

// ChangePassword sets the password of the user called name to password,
// if current is the user's password, and in the same statement moves the
// user's session generation on, which ends every session of the user. It
// reports false for an unknown user or a wrong current password, and for
// a password that another request changed, or a user that went away,
// between the check of current and the change: the statement changes the
// row only if it still holds the hash that current matched. The error is
// [ErrBusy] or the database's.
func (s *Store) ChangePassword(ctx context.Context, name, current, password string) (bool, error) {
	old, ok, err := s.check(ctx, name, current)
	if err != nil || !ok {
		return false, err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return false, err
	}
	result, err := s.db.ExecContext(ctx,
		"UPDATE users SET password_hash = $1, session_generation = session_generation + 1 WHERE username = $2 AND password_hash = $3",
		hash, Normalize(name), old)
	if err != nil {
		return false, fmt.Errorf("users: changing the password of %q: %w", name, err)
	}
	rows, err := result.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("users: changing the password of %q: %w", name, err)
	}
	return rows == 1, nil
}

// Generation returns the session generation of the user called name: a
// session cookie made at another generation no longer loads
// (framework.Sessions). An unknown user has generation 0. Generation
// implements framework.Generations.
func (s *Store) Generation(ctx context.Context, name string) (uint64, error) {
	var generation int64
	// Often: every request of a logged-in user asks.
	err := s.db.QueryRowOften(ctx, "SELECT session_generation FROM users WHERE username = $1", Normalize(name)).Scan(&generation)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("users: session generation of %q: %w", name, err)
	}
	return uint64(generation), nil
}

// Revoke moves on the session generation of the user called name, in one
// statement, so that every session of the user ends, on every instance
// that shares the database. Revoke implements framework.Generations.
func (s *Store) Revoke(ctx context.Context, name string) error {
	_, err := s.db.ExecContext(ctx,
		"UPDATE users SET session_generation = session_generation + 1 WHERE username = $1", Normalize(name))
	if err != nil {
		return fmt.Errorf("users: revoking the sessions of %q: %w", name, err)
	}
	return nil
}

// acquire takes a hashing slot, waiting for one if need be, and returns
// the func that gives it back. It returns [ErrBusy] if MaxWaitingChecks
// are waiting already, or when maxWait passes, and ctx's error when ctx is
// done first.
func (s *Store) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-s.hashing }
	select {
	case s.hashing <- struct{}{}:
		return release, nil
	default:
	}
	select {
	case s.waiting <- struct{}{}:
		defer func() { <-s.waiting }()
	default:
		return nil, ErrBusy
	}
	timer := time.NewTimer(s.maxWait)
	defer timer.Stop()
	select {
	case s.hashing <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, ErrBusy
	}
}

// hash returns password's argon2id hash, within the hashing bound.
func (s *Store) hash(ctx context.Context, password string) (string, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	hash, err := argon2id.CreateHash(password, passwordParams)
	if err != nil {
		return "", fmt.Errorf("users: hashing a password: %w", err)
	}
	return hash, nil
}
