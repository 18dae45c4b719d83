package db

// KeptStatements returns how many statements the DB keeps, for the tests
// of package db_test.
func (db *DB) KeptStatements() int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return len(db.statements)
}
