package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite result codes (the primary code is the low byte of an extended
// one) and the PostgreSQL SQLSTATE of a unique violation.
const (
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqlitePrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	pgUniqueCode     = "23505"
)

// IsUniqueViolation reports whether err is a unique constraint violation
// on either database.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == pgUniqueCode
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteUnique || se.Code() == sqlitePrimaryKey
	}
	return false
}

// isBusy reports whether err is SQLite's "database is busy or locked",
// which a retry of the whole transaction can cure.
func isBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqliteBusy || code == sqliteLocked
}
