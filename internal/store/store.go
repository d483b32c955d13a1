// Package store opens the center's SQL database, the hazard ledger: SQLite
// (modernc.org/sqlite, no cgo) by default, PostgreSQL (pgx) when several
// center instances share it. Open applies the embedded migrations, so a
// binary always finds the schema it was built for.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"
)

// DB is an open ledger database. On PostgreSQL Writer and Reader are the
// same pool. On SQLite the writer is a single connection, so writers queue
// in the process instead of failing with SQLITE_BUSY, and readers have
// their own pool, which WAL mode lets run beside the writer.
type DB struct {
	dialect Dialect
	writer  *sql.DB
	reader  *sql.DB
	log     *slog.Logger
}

// SQLite settings applied to every connection: WAL for readers beside the
// writer, a busy timeout for other processes on the same file, foreign
// keys on (SQLite leaves them off by default), and BEGIN IMMEDIATE so a
// transaction takes the write lock at its start instead of failing when it
// upgrades from reading to writing.
var sqlitePragmas = []string{
	"journal_mode(WAL)",
	"busy_timeout(10000)",
	"foreign_keys(1)",
	"synchronous(NORMAL)",
}

// Open opens the database of cfg and migrates it to the embedded schema.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := openPools(cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s ledger: %w", cfg.Driver, err)
	}
	db.log = log.With("driver", cfg.Driver)

	n, err := db.migrate(ctx)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("migrate %s ledger: %w",
			cfg.Driver, err), db.Close())
	}
	db.log.Info("ledger opened", "migrations_applied", n)
	return db, nil
}

func openPools(cfg Config) (*DB, error) {
	d := Dialect(cfg.Driver)
	if d == Postgres {
		p, err := sql.Open("pgx", cfg.DSN.Reveal())
		if err != nil {
			return nil, err
		}
		p.SetMaxOpenConns(cfg.MaxConns)
		p.SetMaxIdleConns(cfg.MaxConns)
		p.SetConnMaxIdleTime(5 * time.Minute)
		return &DB{dialect: d, writer: p, reader: p}, nil
	}
	return openSQLite(cfg)
}

func openSQLite(cfg Config) (*DB, error) {
	dsn := cfg.DSN.Reveal()
	w, err := sql.Open("sqlite", sqliteDSN(dsn, "_txlock=immediate"))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if isMemory(dsn) {
		// A second pool would open a second, empty database.
		return &DB{dialect: SQLite, writer: w, reader: w}, nil
	}
	r, err := sql.Open("sqlite", sqliteDSN(dsn, "_pragma=query_only(1)"))
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	r.SetMaxOpenConns(cfg.MaxConns)
	return &DB{dialect: SQLite, writer: w, reader: r}, nil
}

// sqliteDSN turns a path or file: URI into a modernc DSN with the
// ledger's pragmas and the extra parameter.
func sqliteDSN(dsn, extra string) string {
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	params := make([]string, 0, len(sqlitePragmas)+1)
	for _, p := range sqlitePragmas {
		params = append(params, "_pragma="+url.QueryEscape(p))
	}
	params = append(params, extra)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join(params, "&")
}

func isMemory(dsn string) bool {
	return strings.Contains(dsn, ":memory:") ||
		strings.Contains(dsn, "mode=memory")
}

// Dialect returns the SQL flavour of the database.
func (db *DB) Dialect() Dialect { return db.dialect }

// Writer returns the pool for statements that change data.
func (db *DB) Writer() *sql.DB { return db.writer }

// Reader returns the pool for queries.
func (db *DB) Reader() *sql.DB { return db.reader }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	if err != nil {
		return fmt.Errorf("close ledger: %w", err)
	}
	return nil
}
