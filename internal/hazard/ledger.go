package hazard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/store"
)

// Ledger is the hazard ledger on a store. It is safe for concurrent use,
// also by several processes sharing one PostgreSQL database.
type Ledger struct {
	db      *store.DB
	d       store.Dialect
	policy  Policy
	log     *slog.Logger
	now     func() time.Time
	onEvent func(Event)
	loc     *time.Location
}

// Options are the Ledger's optional collaborators.
type Options struct {
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Now defaults to time.Now; tests drive the clock through it.
	Now func() time.Time
	// OnEvent receives every change after it is committed, in the
	// goroutine that made it; it must not block (the live hub queues).
	OnEvent func(Event)
	// Location is the time zone of exported dates; default time.Local.
	Location *time.Location
}

// Event is one committed change, for the live center.
type Event struct {
	Kind         Action       `json:"kind"`
	RecordID     int64        `json:"record_id"`
	Status       Status       `json:"status"`
	Grade        Grade        `json:"grade"`
	Enterprise   string       `json:"enterprise"`
	District     string       `json:"district"`
	Unit         string       `json:"unit"`
	OverdueStage OverdueStage `json:"overdue_stage"`
	Occurrences  int          `json:"occurrences"`
	Actor        string       `json:"actor"`
	At           time.Time    `json:"at"`
}

// New returns a ledger on db with the policy pol.
func New(db *store.DB, pol Policy, opt Options) (*Ledger, error) {
	if err := pol.Validate(); err != nil {
		return nil, fmt.Errorf("new hazard ledger: %w", err)
	}
	l := &Ledger{db: db, d: db.Dialect(), policy: pol, log: opt.Logger,
		now: opt.Now, onEvent: opt.OnEvent, loc: opt.Location}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.loc == nil {
		l.loc = time.Local
	}
	return l, nil
}

// Policy returns the ledger's policy.
func (l *Ledger) Policy() Policy { return l.policy }

// clock returns now at the stored precision (milliseconds), so a record
// returned by an operation equals the same record read back.
func (l *Ledger) clock() time.Time { return fromMS(l.now().UnixMilli()) }

func (l *Ledger) event(kind Action, r *Record, actor string, at time.Time) Event {
	return Event{Kind: kind, RecordID: r.ID, Status: r.Status, Grade: r.Grade,
		Enterprise: r.Enterprise, District: r.District,
		Unit: r.ResponsibleUnit, OverdueStage: r.OverdueStage,
		Occurrences: r.Occurrences, Actor: actor, At: at}
}

func (l *Ledger) publish(evs ...Event) {
	if l.onEvent == nil {
		return
	}
	for _, e := range evs {
		l.onEvent(e)
	}
}

// q rebinds a query for the ledger's dialect.
func (l *Ledger) q(query string) string { return l.d.Rebind(query) }

// appendHistory adds one history row in tx. Callers change the record
// row first: its row lock orders history rows of concurrent transactions.
func (l *Ledger) appendHistory(ctx context.Context, tx *sql.Tx, id int64, e Entry) error {
	_, err := tx.ExecContext(ctx, l.q(`INSERT INTO hazard_history
		(record_id, at, actor, role, action, from_status, to_status, comment)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		id, e.At.UnixMilli(), e.Actor, string(e.Role), string(e.Action),
		string(e.From), string(e.To), e.Comment)
	if err != nil {
		return fmt.Errorf("append history of record %d: %w", id, err)
	}
	return nil
}

// loadForUpdate reads a record inside tx. On PostgreSQL it does not lock
// the row: the version check of the update decides who wins.
func (l *Ledger) load(ctx context.Context, q querier, id int64) (*Record, error) {
	row := q.QueryRowContext(ctx,
		l.q("SELECT "+recordColumns+" FROM hazard_records WHERE id = ?"), id)
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read record %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read record %d: %w", id, err)
	}
	return r, nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
