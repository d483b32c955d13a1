package store

import (
	"strconv"
	"strings"
)

// Dialect is the SQL flavour of a database. The ledger's SQL is written
// once with ? placeholders and rebound for PostgreSQL.
type Dialect string

// The supported dialects; their names are also the config's driver names.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Rebind rewrites the ? placeholders of q into $1, $2 ... for PostgreSQL
// and returns q unchanged for SQLite. A ? inside a single-quoted string
// literal is left alone.
func (d Dialect) Rebind(q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Placeholders returns n comma-separated ? placeholders, for IN lists
// and multi-row VALUES; Rebind numbers them afterwards.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
