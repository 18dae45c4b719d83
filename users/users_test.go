package users

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"example.com/miniweb/db"
	"example.com/miniweb/internal/testdb"
)

func open(t *testing.T, url string) *db.DB {
	t.Helper()
	database, err := db.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close() })
	return database
}

// newTestStore returns a store over a fresh SQLite database that holds
// the users in passwords (name → password).
func newTestStore(t *testing.T, passwords map[string]string) *Store {
	t.Helper()
	store := NewStore(open(t, testdb.SQLiteURL(t)))
	for name, password := range passwords {
		if err := store.Create(t.Context(), name, password); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

func TestAuthenticate(t *testing.T) {
	// 64-character passwords in several scripts: argon2id has no length
	// limit below MaxPasswordBytes, unlike bcrypt's 72 bytes.
	passwords := map[string]string{
		"admin": "secure123",
		"latin": strings.Repeat("pässwörd", 8),
		"han":   strings.Repeat("密码安全测试", 10) + "密码安全",
		"emoji": strings.Repeat("🔑", 64),
	}
	for engine, url := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			store := NewStore(open(t, url(t)))
			for name, password := range passwords {
				if err := store.Create(t.Context(), name, password); err != nil {
					t.Fatal(err)
				}
			}
			tests := []struct {
				name, user, password string
				want                 bool
			}{
				{name: "demo account", user: "admin", password: "secure123", want: true},
				{name: "wrong password", user: "admin", password: "secure124", want: false},
				{name: "empty password", user: "admin", password: "", want: false},
				{name: "unknown user", user: "nobody", password: "secure123", want: false},
				{name: "user name in capitals", user: "ADMIN", password: "secure123", want: true},
				{name: "user name in fullwidth letters", user: "ａｄｍｉｎ", password: "secure123", want: true},
				{name: "64 latin characters", user: "latin", password: passwords["latin"], want: true},
				{name: "64 han characters", user: "han", password: passwords["han"], want: true},
				{name: "64 emoji", user: "emoji", password: passwords["emoji"], want: true},
				{name: "64 emoji, last one differs", user: "emoji", password: strings.Repeat("🔑", 63) + "🔒", want: false},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					got, err := store.Authenticate(t.Context(), tc.user, tc.password)
					if err != nil || got != tc.want {
						t.Errorf("Authenticate(%q, %q) = %v, %v; want %v", tc.user, tc.password, got, err, tc.want)
					}
				})
			}
		})
	}
	for name, password := range passwords {
		if n := len([]rune(password)); n != 64 && name != "admin" {
			t.Errorf("password of %s has %d characters, want 64", name, n)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ name, want string }{
		{"admin", "admin"},
		{"Admin", "admin"},
		{"ａｄｍｉｎ", "admin"},   // fullwidth: NFKC
		{"ＡＤＭＩＮ", "admin"},   // fullwidth capitals: NFKC, then lower case
		{"Ǆemal", "džemal"},  // a ligature: NFKC splits it
		{"A\u030aSA", "åsa"}, // A and a combining ring: NFKC composes them
	}
	for _, tc := range tests {
		if got := Normalize(tc.name); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCheckUsername(t *testing.T) {
	tests := []struct {
		name string
		want error
	}{
		{"ann", nil},
		{"ann.lee-2_x", nil},
		{"安娜李", nil},
		{"ＡＮＮ", nil},
		{strings.Repeat("a", MaxUsernameRunes), nil},
		{strings.Repeat("a", MaxUsernameRunes+1), ErrUsernameLength},
		{"an", ErrUsernameLength},
		{"", ErrUsernameLength},
		{".ann", ErrUsernameCharacters},
		{"ann lee", ErrUsernameCharacters},
		{"ann<b>", ErrUsernameCharacters},
		{"ann\n", ErrUsernameCharacters},
	}
	for _, tc := range tests {
		if got := CheckUsername(tc.name); got != tc.want {
			t.Errorf("CheckUsername(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		password string
		want     error
	}{
		{"correct horse battery staple", nil},
		{"密码安全测试很长", nil}, // 8 characters, 24 bytes
		{"seven77", ErrPasswordShort},
		{"", ErrPasswordShort},
		{strings.Repeat("a", MaxPasswordBytes+1), ErrPasswordLong},
		{"password", ErrPasswordCommon},
		{"PassWord", ErrPasswordCommon},
		{"baseball", ErrPasswordCommon},
		{"iloveyou1", ErrPasswordCommon},
	}
	for _, tc := range tests {
		if got := CheckPassword(tc.password); got != tc.want {
			t.Errorf("CheckPassword(%.20q) = %v, want %v", tc.password, got, tc.want)
		}
	}
}

// TestCommonPasswordsFile checks that the list's header is read as a
// header, and that the list is the size its header promises.
func TestCommonPasswordsFile(t *testing.T) {
	set := commonPasswords()
	if len(set) < 15_000 {
		t.Errorf("common passwords: %d, want the ~18,000 of the file", len(set))
	}
	for password := range set {
		if strings.HasPrefix(password, "#") || utf8.RuneCountInString(password) < MinPasswordRunes {
			t.Errorf("common passwords hold %q, which is a header line or too short to matter", password)
		}
	}
}

// TestCreateTaken checks that a name taken in another case or width is
// taken, and that 50 simultaneous sign-ups of one name make exactly one
// account, on both engines.
func TestCreateTaken(t *testing.T) {
	for engine, url := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			store := NewStore(open(t, url(t)))
			if err := store.Create(t.Context(), "Admin", "secure123"); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"admin", "ADMIN", "ａｄｍｉｎ"} {
				if err := store.Create(t.Context(), name, "another password"); !errors.Is(err, ErrTaken) {
					t.Errorf("Create(%q) after Create(\"Admin\"): %v, want ErrTaken", name, err)
				}
			}
			// Every sign-up must reach the INSERT, where the unique index
			// decides: none may give up waiting for a hashing slot, as
			// under the race detector, where argon2id is slow, they would.
			store.maxWait = time.Minute
			const signUps = 50
			errs := make(chan error, signUps)
			var wg sync.WaitGroup
			for i := range signUps {
				wg.Go(func() { errs <- store.Create(context.Background(), "race", fmt.Sprintf("password %d", i)) })
			}
			wg.Wait()
			close(errs)
			created := 0
			for err := range errs {
				switch {
				case err == nil:
					created++
				case !errors.Is(err, ErrTaken):
					t.Errorf("simultaneous Create: %v, want nil or ErrTaken", err)
				}
			}
			var accounts int
			if err := store.db.QueryRowContext(t.Context(), "SELECT count(*) FROM users WHERE username = $1", "race").Scan(&accounts); err != nil {
				t.Fatal(err)
			}
			if created != 1 || accounts != 1 {
				t.Errorf("%d simultaneous sign-ups of one name: %d succeeded, %d accounts; want 1 and 1", signUps, created, accounts)
			}
		})
	}
}

// TestCreateFirst checks that the first account is made only in an empty
// store, so that a restart or a second instance does not add it again.
func TestCreateFirst(t *testing.T) {
	store := newTestStore(t, nil)
	for i, want := range []bool{true, false} {
		created, err := store.CreateFirst(t.Context(), "admin", "secure123")
		if err != nil || created != want {
			t.Errorf("CreateFirst, call %d: %v, %v; want %v", i+1, created, err, want)
		}
	}
	other := newTestStore(t, map[string]string{"ann": "a long password"})
	if created, err := other.CreateFirst(t.Context(), "admin", "secure123"); err != nil || created {
		t.Errorf("CreateFirst in a store with a user: %v, %v; want false", created, err)
	}
}

// TestGenerations checks that Revoke moves a user's generation on, in
// the database, so that another store over it sees the same.
func TestGenerations(t *testing.T) {
	for engine, url := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			database := open(t, url(t))
			first := NewStore(database)
			second := NewStore(database) // another instance
			if err := first.Create(t.Context(), "ann", "a long password"); err != nil {
				t.Fatal(err)
			}
			for want := range uint64(3) {
				if got, err := second.Generation(t.Context(), "ANN"); err != nil || got != want {
					t.Errorf("Generation after %d revocations: %d, %v; want %d", want, got, err, want)
				}
				if err := first.Revoke(t.Context(), "ann"); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := second.Generation(t.Context(), "nobody"); err != nil || got != 0 {
				t.Errorf("Generation of an unknown user: %d, %v; want 0", got, err)
			}
		})
	}
}

// TestChangePassword checks that a new password needs the current one,
// works at once, and ends every session (moves the generation on).
func TestChangePassword(t *testing.T) {
	store := newTestStore(t, map[string]string{"ann": "the old password"})
	if ok, err := store.ChangePassword(t.Context(), "ann", "wrong", "the new password"); ok || err != nil {
		t.Errorf("ChangePassword with a wrong current password: %v, %v; want false", ok, err)
	}
	if ok, err := store.ChangePassword(t.Context(), "ann", "the old password", "the new password"); !ok || err != nil {
		t.Fatalf("ChangePassword: %v, %v; want true", ok, err)
	}
	for password, want := range map[string]bool{"the old password": false, "the new password": true} {
		if got, err := store.Authenticate(t.Context(), "ann", password); got != want || err != nil {
			t.Errorf("Authenticate(%q) after the change: %v, %v; want %v", password, got, err, want)
		}
	}
	if generation, err := store.Generation(t.Context(), "ann"); generation != 1 || err != nil {
		t.Errorf("Generation after a password change: %d, %v; want 1", generation, err)
	}
}

// TestDatabaseDown checks that a database that has gone away is an error
// from every method, never a wrong password or a panic.
func TestDatabaseDown(t *testing.T) {
	store := newTestStore(t, map[string]string{"ann": "a long password"})
	store.db.Close()
	if _, err := store.Authenticate(t.Context(), "ann", "a long password"); err == nil {
		t.Error("Authenticate with the database closed: no error")
	}
	if err := store.Create(t.Context(), "bob", "a long password"); err == nil || errors.Is(err, ErrTaken) {
		t.Errorf("Create with the database closed: %v, want an error other than ErrTaken", err)
	}
	if _, err := store.Generation(t.Context(), "ann"); err == nil {
		t.Error("Generation with the database closed: no error")
	}
	if err := store.Revoke(t.Context(), "ann"); err == nil {
		t.Error("Revoke with the database closed: no error")
	}
}

// TestConcurrentChecks checks that the hashing slots fit both the CPUs
// and MaxHashingMemory.
func TestConcurrentChecks(t *testing.T) {
	slots := concurrentChecks()
	if slots < 1 || slots > runtime.NumCPU() || slots*int(passwordParams.Memory)<<10 > MaxHashingMemory {
		t.Errorf("concurrentChecks() = %d with %d CPUs and %d KiB a check, want 1 to %d within %d bytes",
			slots, runtime.NumCPU(), passwordParams.Memory, runtime.NumCPU(), MaxHashingMemory)
	}
}

// TestAuthenticateCost checks that an unknown user costs one password
// hash, as a wrong password does, so that timing cannot tell them apart.
// It counts hash calls rather than timing them.
func TestAuthenticateCost(t *testing.T) {
	store := newTestStore(t, map[string]string{"admin": "secure123"})
	calls := 0
	compare := store.compare
	store.compare = func(password, hash string) (bool, error) {
		calls++
		return compare(password, hash)
	}
	for _, tc := range []struct{ name, user, password string }{
		{name: "right password", user: "admin", password: "secure123"},
		{name: "wrong password", user: "admin", password: "nope"},
		{name: "unknown user", user: "nobody", password: "nope"},
	} {
		calls = 0
		store.Authenticate(t.Context(), tc.user, tc.password)
		if calls != 1 {
			t.Errorf("Authenticate(%q, %q), %s: %d hash calls, want 1", tc.user, tc.password, tc.name, calls)
		}
	}
}

// TestAuthenticateConcurrency checks that no more than concurrentChecks()
// password hashes run at once, however many logins arrive together. In a
// synctest bubble, synctest.Wait returns once every login is either
// hashing (held on release) or waiting for a slot, so the count it sees
// is exact.
func TestAuthenticateConcurrency(t *testing.T) {
	shared := newTestStore(t, map[string]string{"admin": "secure123"})
	synctest.Test(t, func(t *testing.T) {
		slots := concurrentChecks()
		users := *shared
		users.hashing = make(chan struct{}, slots) // made in the bubble, so that waiting on it counts as blocked
		var running atomic.Int32
		release := make(chan struct{})
		users.compare = func(password, hash string) (bool, error) {
			running.Add(1)
			<-release
			running.Add(-1)
			return false, nil
		}
		logins := 4 * slots
		for range logins {
			go users.Authenticate(t.Context(), "admin", "x")
		}
		for done := range logins {
			synctest.Wait()
			if got, want := int(running.Load()), min(slots, logins-done); got != want {
				t.Errorf("%d logins waiting: %d password checks running, want %d", logins-done, got, want)
			}
			release <- struct{}{}
		}
		synctest.Wait()
	})
}

// TestDummyHashCost checks that the dummy hash, checked for an unknown
// user, costs what a real one does: the same argon2id parameters.
func TestDummyHashCost(t *testing.T) {
	store := newTestStore(t, map[string]string{"admin": "secure123"})
	var adminHash string
	if err := store.db.QueryRowContext(t.Context(), "SELECT password_hash FROM users").Scan(&adminHash); err != nil {
		t.Fatal(err)
	}
	for name, hash := range map[string]string{"dummy": dummyHash, "admin": adminHash} {
		params, _, _, err := argon2id.DecodeHash(hash)
		if err != nil {
			t.Fatalf("%s hash: %v", name, err)
		}
		if params.Memory != passwordParams.Memory || params.Iterations != passwordParams.Iterations ||
			params.Parallelism != passwordParams.Parallelism || params.KeyLength != passwordParams.KeyLength {
			t.Errorf("%s hash parameters = %+v, want %+v", name, *params, *passwordParams)
		}
	}
}

// TestAuthenticateGivesUpWithTheClient checks that a login waiting for a
// hashing slot gives up at once, without hashing and without an error,
// when its request's context ends: in a synctest bubble, where the wait
// for a slot would otherwise end only after MaxHashWait, with ErrBusy.
func TestAuthenticateGivesUpWithTheClient(t *testing.T) {
	shared := newTestStore(t, map[string]string{"admin": "secure123"})
	synctest.Test(t, func(t *testing.T) {
		store := *shared
		store.hashing = make(chan struct{}) // no slot free, ever
		store.compare = func(password, hash string) (bool, error) {
			t.Error("a password was hashed for a request that had ended")
			return true, nil
		}
		ctx, cancel := context.WithCancel(t.Context())
		type result struct {
			ok   bool
			err  error
			took time.Duration
		}
		done := make(chan result, 1)
		go func() {
			start := time.Now()
			ok, err := store.Authenticate(ctx, "admin", "secure123")
			done <- result{ok, err, time.Since(start)}
		}()
		synctest.Wait() // Authenticate waits for a slot
		cancel()
		synctest.Wait()
		select {
		case got := <-done:
			if got.ok || got.err != nil || got.took != 0 {
				t.Errorf("Authenticate with an ended context: %v, %v after %v; want false, no error, at once", got.ok, got.err, got.took)
			}
		default:
			t.Errorf("Authenticate with an ended context still waits for a slot")
			<-done // MaxHashWait later, in the bubble's time
		}
	})
}

// TestChangePasswordRace checks that a password changed by another request
// between the check of the current password and the change is not
// overwritten: the change reports false and the other password stays.
func TestChangePasswordRace(t *testing.T) {
	store := newTestStore(t, map[string]string{"ann": "the old password"})
	other := NewStore(store.db)
	otherHash, err := other.hash(t.Context(), "another new password")
	if err != nil {
		t.Fatal(err)
	}
	compare := store.compare
	store.compare = func(password, hash string) (bool, error) {
		// Another instance changes the password while this one checks it.
		if _, err := store.db.ExecContext(t.Context(), "UPDATE users SET password_hash = $1", otherHash); err != nil {
			t.Fatal(err)
		}
		return compare(password, hash)
	}
	if ok, err := store.ChangePassword(t.Context(), "ann", "the old password", "the new password"); ok || err != nil {
		t.Errorf("ChangePassword racing another change: %v, %v; want false", ok, err)
	}
	if ok, err := other.Authenticate(t.Context(), "ann", "another new password"); !ok || err != nil {
		t.Errorf("Authenticate with the other request's password: %v, %v; want true", ok, err)
	}
}

func TestEmpty(t *testing.T) {
	for engine, url := range testdb.Engines() {
		t.Run(engine, func(t *testing.T) {
			store := NewStore(open(t, url(t)))
			for i, want := range []bool{true, false} {
				if empty, err := store.Empty(t.Context()); empty != want || err != nil {
					t.Errorf("Empty with %d users: %v, %v; want %v", i, empty, err, want)
				}
				if err := store.Create(t.Context(), fmt.Sprintf("user%d", i), "a long password"); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestAuthenticateBusy checks the bounds on the queue of password checks:
// with every hashing slot taken, a check waits MaxHashWait at most and
// then gets ErrBusy; with MaxWaitingChecks waiting, one more, the limit
// plus one, gets ErrBusy at once. None hashes.
func TestAuthenticateBusy(t *testing.T) {
	shared := newTestStore(t, map[string]string{"admin": "secure123"})
	synctest.Test(t, func(t *testing.T) {
		store := *shared
		store.hashing = make(chan struct{})                   // no slot free, ever
		store.waiting = make(chan struct{}, MaxWaitingChecks) // made in the bubble, as NewStore makes it
		store.compare = func(password, hash string) (bool, error) {
			t.Error("a password was hashed with no slot free")
			return false, nil
		}
		start := time.Now()
		waited := make(chan error, MaxWaitingChecks)
		for range MaxWaitingChecks {
			go func() {
				_, err := store.Authenticate(context.Background(), "admin", "secure123")
				waited <- err
			}()
		}
		synctest.Wait() // MaxWaitingChecks checks wait for a slot
		if _, err := store.Authenticate(context.Background(), "admin", "secure123"); !errors.Is(err, ErrBusy) || time.Since(start) != 0 {
			t.Errorf("check %d with the queue full: %v after %v, want ErrBusy at once", MaxWaitingChecks+1, err, time.Since(start))
		}
		for range MaxWaitingChecks {
			if err := <-waited; !errors.Is(err, ErrBusy) || time.Since(start) != MaxHashWait {
				t.Fatalf("a check that waited: %v after %v, want ErrBusy after %v", err, time.Since(start), MaxHashWait)
			}
		}
		if err := store.Create(context.Background(), "bob", "a long password"); !errors.Is(err, ErrBusy) {
			t.Errorf("Create with no slot free: %v, want ErrBusy", err)
		}
	})
}
