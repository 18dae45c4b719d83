package users

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/alexedwards/argon2id"
)

// demoStore hashes the demo account once for all tests: argon2id is slow
// on purpose, and slower still under the race detector.
var demoStore = sync.OnceValues(func() (*Store, error) {
	return NewStore(map[string]string{"admin": "secure123"})
})

func TestAuthenticate(t *testing.T) {
	// 64-character passwords in several scripts: argon2id has no length
	// limit below MaxPasswordBytes, unlike bcrypt's 72 bytes.
	passwords := map[string]string{
		"admin": "secure123",
		"latin": strings.Repeat("pässwörd", 8),
		"han":   strings.Repeat("密码安全测试", 10) + "密码安全",
		"emoji": strings.Repeat("🔑", 64),
	}
	users, err := NewStore(passwords)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, password string
		want                 bool
	}{
		{name: "demo account", user: "admin", password: "secure123", want: true},
		{name: "wrong password", user: "admin", password: "secure124", want: false},
		{name: "empty password", user: "admin", password: "", want: false},
		{name: "unknown user", user: "nobody", password: "secure123", want: false},
		{name: "user name case matters", user: "Admin", password: "secure123", want: false},
		{name: "64 latin characters", user: "latin", password: passwords["latin"], want: true},
		{name: "64 han characters", user: "han", password: passwords["han"], want: true},
		{name: "64 emoji", user: "emoji", password: passwords["emoji"], want: true},
		{name: "64 emoji, last one differs", user: "emoji", password: strings.Repeat("🔑", 63) + "🔒", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := users.Authenticate(t.Context(), tc.user, tc.password); got != tc.want {
				t.Errorf("Authenticate(%q, %q) = %v, want %v", tc.user, tc.password, got, tc.want)
			}
		})
	}
	for name, password := range passwords {
		if n := len([]rune(password)); n != 64 && name != "admin" {
			t.Errorf("password of %s has %d characters, want 64", name, n)
		}
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
	users, err := NewStore(map[string]string{"admin": "secure123"})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	compare := users.compare
	users.compare = func(password, hash string) (bool, error) {
		calls++
		return compare(password, hash)
	}
	for _, tc := range []struct{ name, user, password string }{
		{name: "right password", user: "admin", password: "secure123"},
		{name: "wrong password", user: "admin", password: "nope"},
		{name: "unknown user", user: "nobody", password: "nope"},
	} {
		calls = 0
		users.Authenticate(t.Context(), tc.user, tc.password)
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
	shared, err := demoStore()
	if err != nil {
		t.Fatal(err)
	}
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
	users, err := demoStore()
	if err != nil {
		t.Fatal(err)
	}
	for name, hash := range map[string]string{"dummy": users.dummyHash, "admin": users.hashes["admin"]} {
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
// hashing slot gives up, without hashing, when its request's context ends.
func TestAuthenticateGivesUpWithTheClient(t *testing.T) {
	shared, err := demoStore()
	if err != nil {
		t.Fatal(err)
	}
	users := *shared
	users.hashing = make(chan struct{}) // no slot free, ever
	users.compare = func(password, hash string) (bool, error) {
		t.Error("a password was hashed for a request that had ended")
		return true, nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if users.Authenticate(ctx, "admin", "secure123") {
		t.Errorf("Authenticate with an ended context = true, want false")
	}
}
