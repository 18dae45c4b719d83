package migrations

import (
	"io/fs"
	"path"
	"slices"
	"testing"
)

// TestBothEnginesInStep checks that the two sets hold the same
// migrations, by number and name, so that a new one is never written for
// one engine alone.
func TestBothEnginesInStep(t *testing.T) {
	sqlite, err := fs.Glob(Files, "sqlite/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	postgres, err := fs.Glob(Files, "postgres/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	base := func(paths []string) []string {
		names := make([]string, len(paths))
		for i, name := range paths {
			names[i] = path.Base(name)
		}
		return names
	}
	if len(sqlite) == 0 || !slices.Equal(base(sqlite), base(postgres)) {
		t.Errorf("sqlite has %q, postgres %q: want the same migrations in both", base(sqlite), base(postgres))
	}
}
