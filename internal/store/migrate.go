package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// migrations holds one folder per dialect; each file is NNNN_name.sql and
// is applied once, in order of NNNN, inside the one migration transaction.
// A released file is never edited: a change is a new file.
//
//go:embed migrations
var migrations embed.FS

// migrationLockKey is the PostgreSQL advisory lock held while migrating,
// so that center instances starting together migrate one after another.
// Its value is arbitrary but fixed ("hw" "ledger" in ASCII).
const migrationLockKey = 0x68776c6564676572

// Migration is one embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of d in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s migrations: %w", d, err)
	}
	var out []Migration
	for _, e := range entries {
		m, err := readMigration(dir, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("%s migrations: version %d twice",
				d, out[i].Version)
		}
	}
	return out, nil
}

func readMigration(dir, file string) (Migration, error) {
	num, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v <= 0 || !strings.HasSuffix(file, ".sql") {
		return Migration{}, fmt.Errorf("migration %s: want NNNN_name.sql", file)
	}
	b, err := migrations.ReadFile(path.Join(dir, file))
	if err != nil {
		return Migration{}, fmt.Errorf("read migration %s: %w", file, err)
	}
	return Migration{Version: v, Name: name, SQL: string(b)}, nil
}

// migrate applies the embedded migrations not yet recorded in
// schema_migrations and returns how many it applied.
func (db *DB) migrate(ctx context.Context) (int, error) {
	all, err := Migrations(db.dialect)
	if err != nil {
		return 0, err
	}
	applied := 0
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		applied = 0
		have, err := db.prepareMigrations(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range all {
			if have[m.Version] {
				continue
			}
			if err := db.apply(ctx, tx, m); err != nil {
				return err
			}
			applied++
		}
		db.warnNewer(have, all)
		return nil
	})
	return applied, err
}

// prepareMigrations locks out other migrators, makes sure the
// schema_migrations table exists and returns the versions it records.
func (db *DB) prepareMigrations(ctx context.Context, tx *sql.Tx) (map[int]bool, error) {
	if db.dialect == Postgres {
		// Released at commit or rollback; a second instance waits here.
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)",
			int64(migrationLockKey))
		if err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
	}
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	have := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		have[v] = true
	}
	return have, rows.Err()
}

func (db *DB) apply(ctx context.Context, tx *sql.Tx, m Migration) error {
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("apply migration %04d_%s: %w", m.Version, m.Name, err)
	}
	q := db.dialect.Rebind(
		"INSERT INTO schema_migrations (version, name) VALUES (?, ?)")
	_, err := tx.ExecContext(ctx, q, m.Version, m.Name)
	if err != nil {
		return fmt.Errorf("record migration %04d_%s: %w", m.Version, m.Name, err)
	}
	db.log.Info("migration applied", "version", m.Version, "name", m.Name)
	return nil
}

// warnNewer logs versions in the database that this binary does not
// know: a newer center migrated it. Running on is usually safe because
// migrations only add, but the operator should know.
func (db *DB) warnNewer(have map[int]bool, all []Migration) {
	known := map[int]bool{}
	for _, m := range all {
		known[m.Version] = true
	}
	for v := range have {
		if !known[v] {
			db.log.Warn("ledger schema is newer than this binary", "version", v)
		}
	}
}
