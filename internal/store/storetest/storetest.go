// Package storetest gives tests a fresh, migrated ledger database: a
// SQLite file in the test's temporary folder, or a PostgreSQL database
// created for the test and dropped after it.
//
// PostgreSQL is reached through the admin DSN in HW_PG_DSN (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). When it is
// unreachable the test fails, except under `go test -short`, where it is
// skipped.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/secret"
	"github.com/hazardwatch/hazardwatch/internal/store"
)

// DefaultAdminDSN is the PostgreSQL used when HW_PG_DSN is unset.
const DefaultAdminDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Dialects lists the dialects every ledger test runs on.
func Dialects() []store.Dialect {
	return []store.Dialect{store.SQLite, store.Postgres}
}

// Run runs f as one subtest per dialect, named after the dialect.
func Run(t *testing.T, f func(t *testing.T, d store.Dialect)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) { f(t, d) })
	}
}

// Open opens a fresh migrated database of dialect d, closed when the
// test ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	db := OpenConfig(t, Config(t, d))
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close test ledger: %v", err)
		}
	})
	return db
}

// OpenConfig opens cfg without registering a Close, for tests that open
// the same database more than once (two center instances).
func OpenConfig(t testing.TB, cfg store.Config) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open test ledger: %v", err)
	}
	return db
}

// Config returns the config of a new, empty database of dialect d. A
// PostgreSQL database is dropped when the test ends.
func Config(t testing.TB, d store.Dialect) store.Config {
	t.Helper()
	cfg := store.DefaultConfig()
	cfg.Driver = string(d)
	if d == store.SQLite {
		cfg.DSN = secret.String(t.TempDir() + "/ledger.db")
		return cfg
	}
	cfg.DSN = secret.String(createPostgres(t))
	return cfg
}

// createPostgres creates hw_test_<random> and returns its DSN.
func createPostgres(t testing.TB) string {
	t.Helper()
	admin := AdminDSN()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("HW_PG_DSN: want a postgres:// URL: %v", err)
	}
	db := adminDB(t, admin)
	name := "hw_test_" + randomSuffix(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() { dropPostgres(t, db, name) })
	u.Path = "/" + name
	return u.String()
}

// AdminDSN returns HW_PG_DSN or DefaultAdminDSN.
func AdminDSN() string {
	if s := os.Getenv("HW_PG_DSN"); s != "" {
		return s
	}
	return DefaultAdminDSN
}

func adminDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		msg := "PostgreSQL not reachable (set HW_PG_DSN, or run with " +
			"-short to skip): " + err.Error()
		if testing.Short() {
			t.Skip(msg)
		}
		t.Fatal(msg)
	}
	return db
}

func dropPostgres(t testing.TB, db *sql.DB, name string) {
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// FORCE ends connections a failed test left open.
	q := "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"
	if _, err := db.ExecContext(ctx, q); err != nil {
		t.Errorf("drop test database %s: %v", name, err)
	}
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random database name: %v", err)
	}
	return hex.EncodeToString(b)
}
