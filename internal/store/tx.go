package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// busyRetries bounds how often InTx restarts a transaction that SQLite
// refused as busy. The busy timeout has waited already, so this only
// matters when another process holds the file for very long.
const busyRetries = 3

// InTx runs fn in a transaction on the writer and commits it if fn
// returns nil. fn may run more than once (SQLite busy), so it must not
// have effects outside the transaction.
func (db *DB) InTx(ctx context.Context, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = db.tryTx(ctx, fn)
		if err == nil || !isBusy(err) || attempt == busyRetries {
			return err
		}
		db.log.Warn("ledger busy, retrying transaction", "attempt", attempt+1)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		}
	}
}

func (db *DB) tryTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("roll back: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}
