package store_test

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		mut     func(*store.Config)
		wantErr string
	}{
		{mut: func(*store.Config) {}},
		{mut: func(c *store.Config) { c.Driver = "mysql" }, wantErr: "store.driver"},
		{mut: func(c *store.Config) { c.DSN = " " }, wantErr: "store.dsn"},
		{mut: func(c *store.Config) { c.MaxConns = 0 }, wantErr: "store.max_conns"},
	}
	for i, tt := range tests {
		c := store.DefaultConfig()
		tt.mut(&c)
		err := c.Validate()
		if tt.wantErr == "" && err != nil {
			t.Errorf("%d: Validate() = %v, want nil", i, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%d: Validate() = %v, want %q", i, err, tt.wantErr)
		}
	}
}

func TestRebind(t *testing.T) {
	q := "SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)"
	want := "SELECT a FROM t WHERE b = $1 AND c = '?' AND d IN ($2, $3)"
	if got := store.Postgres.Rebind(q); got != want {
		t.Errorf("Rebind = %q, want %q", got, want)
	}
	if got := store.SQLite.Rebind(q); got != q {
		t.Errorf("SQLite Rebind changed the query: %q", got)
	}
	if got := store.Placeholders(3); got != "?, ?, ?" {
		t.Errorf("Placeholders(3) = %q", got)
	}
}

func TestMigrationsAppliedOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		cfg := storetest.Config(t, d)
		all, err := store.Migrations(d)
		if err != nil || len(all) == 0 {
			t.Fatalf("Migrations(%s) = %d, %v", d, len(all), err)
		}
		// Several instances starting at once: each migrates or finds the
		// work done; none fails and each version is recorded once.
		var wg sync.WaitGroup
		dbs := make([]*store.DB, 4)
		for i := range dbs {
			wg.Go(func() { dbs[i] = storetest.OpenConfig(t, cfg) })
		}
		wg.Wait()
		for _, db := range dbs {
			if db != nil {
				defer db.Close()
			}
		}
		if t.Failed() {
			return
		}
		var n, distinct int
		row := dbs[0].Reader().QueryRow(
			"SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations")
		if err := row.Scan(&n, &distinct); err != nil {
			t.Fatal(err)
		}
		if n != len(all) || distinct != len(all) {
			t.Errorf("schema_migrations rows %d (%d distinct), want %d",
				n, distinct, len(all))
		}
	})
}

func TestHistoryAppendOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d)
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			return insertRecordAndHistory(ctx, tx, d)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"UPDATE hazard_history SET comment = 'edited'",
			"DELETE FROM hazard_history",
		} {
			_, err := db.Writer().ExecContext(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want append-only refusal", q, err)
			}
		}
	})
}

func insertRecordAndHistory(ctx context.Context, tx *sql.Tx, d store.Dialect) error {
	rec := d.Rebind(`INSERT INTO hazard_records (origin, grade, title,
		enterprise, district, responsible_level, responsible_unit, deadline,
		status, first_occurrence, last_occurrence, created_by, created_at,
		updated_at) VALUES ('inspection', 'general', 't', 'e', 'd',
		'district', 'u', 1, 'open', 1, 1, 'x', 1, 1) RETURNING id`)
	var id int64
	if err := tx.QueryRowContext(ctx, rec).Scan(&id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, d.Rebind(`INSERT INTO hazard_history
		(record_id, at, actor, role, action, from_status, to_status)
		VALUES (?, 1, 'x', 'city_admin', 'create', '', 'open')`), id)
	return err
}

func TestUniqueViolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d)
		q := d.Rebind(`INSERT INTO hazard_alarm_episodes
			(point_id, alarm_condition, episode, at) VALUES ('p', 'high', 1, 1)`)
		if _, err := db.Writer().Exec(q); err != nil {
			t.Fatal(err)
		}
		_, err := db.Writer().Exec(q)
		if !store.IsUniqueViolation(err) {
			t.Errorf("second insert: IsUniqueViolation(%v) = false", err)
		}
	})
}

func TestOpenRejectsBadConfig(t *testing.T) {
	_, err := store.Open(context.Background(), store.Config{Driver: "x"},
		slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "store.driver") {
		t.Errorf("Open(bad driver) = %v", err)
	}
}
