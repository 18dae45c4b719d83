// Package users keeps the demo's user accounts: names and argon2id
// password hashes, and the check of a password against them. It is a
// service beside the views, not a view: views.Login calls
// [Store.Authenticate].
package users

import (
	"context"
	"fmt"
	"runtime"

	"github.com/alexedwards/argon2id"
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

// Store is an in-memory user store: user name → argon2id hash of the
// password (PHC string format). It is read-only once built.
type Store struct {
	hashes map[string]string
	// hashing holds a token for each password check under way. Each
	// takes passwordParams.Memory, so a flood of logins could otherwise
	// take as much memory as it likes; see concurrentChecks.
	hashing chan struct{}
	// compare is argon2id.ComparePasswordAndHash; tests count its calls.
	compare func(password, hash string) (bool, error)
	// dummyHash is checked for an unknown user name, so that it costs
	// the same as a wrong password and timing does not reveal which
	// names exist.
	dummyHash string
}

// NewStore hashes each password in passwords (user name → password) with
// argon2id, with OWASP's parameters (19 MiB, 2 passes), and returns the
// store. Hashing takes tens of milliseconds a password, on purpose.
func NewStore(passwords map[string]string) (*Store, error) {
	store := &Store{
		hashes:  make(map[string]string, len(passwords)),
		hashing: make(chan struct{}, concurrentChecks()),
		compare: argon2id.ComparePasswordAndHash,
	}
	for name, password := range passwords {
		hash, err := argon2id.CreateHash(password, passwordParams)
		if err != nil {
			return nil, fmt.Errorf("users: hashing password of %q: %w", name, err)
		}
		store.hashes[name] = hash
	}
	dummyHash, err := argon2id.CreateHash("not the password of anyone", passwordParams)
	if err != nil {
		return nil, fmt.Errorf("users: hashing dummy password: %w", err)
	}
	store.dummyHash = dummyHash
	return store, nil
}

// Authenticate reports whether password is the password of the user
// called name. An unknown name takes as long as a wrong password: it is
// checked against a dummy hash. At most one check a CPU runs at once, and
// no more than fit in MaxHashingMemory; the others wait their turn, or
// until ctx is done, and then report false without hashing.
func (store *Store) Authenticate(ctx context.Context, name, password string) bool {
	hash, known := store.hashes[name]
	if !known {
		hash = store.dummyHash
	}
	select {
	case store.hashing <- struct{}{}:
		defer func() { <-store.hashing }()
	case <-ctx.Done():
		return false // the client is gone, or out of time: no hash for it
	}
	match, err := store.compare(password, hash)
	return known && match && err == nil
}
