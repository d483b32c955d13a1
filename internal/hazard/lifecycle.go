package hazard

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/store"
)

// step is one edge set of the lifecycle:
//
//	open --start--> rectifying --submit--> awaiting_verification
//	awaiting_verification --verify--> closed
//	awaiting_verification --reject--> rectifying
//	open, rectifying --cancel--> cancelled --reopen--> open
type step struct {
	from []Status
	to   Status
}

var lifecycle = map[Action]step{
	ActStart:  {from: []Status{Open}, to: Rectifying},
	ActSubmit: {from: []Status{Rectifying}, to: AwaitingVerification},
	ActVerify: {from: []Status{AwaitingVerification}, to: Closed},
	ActReject: {from: []Status{AwaitingVerification}, to: Rectifying},
	ActCancel: {from: []Status{Open, Rectifying}, to: Cancelled},
	ActReopen: {from: []Status{Cancelled}, to: Open},
}

// StartRectification accepts the rectification plan p of record id and
// moves it from open to rectifying. A plan deadline replaces the record's
// and may be at most deadlines.max_days after the record's creation.
func (l *Ledger) StartRectification(ctx context.Context, id int64, p Plan, a Actor) (*Record, error) {
	return l.transition(ctx, id, a, ActStart, p.Measures, func(r *Record, now time.Time) error {
		if err := l.checkPlan(r, p, now); err != nil {
			return err
		}
		r.Plan = p
		if !p.Deadline.IsZero() {
			r.Deadline = fromMS(p.Deadline.UnixMilli())
			r.Plan.Deadline = r.Deadline
		}
		return nil
	})
}

// SubmitForVerification reports the rectification of record id done and
// asks the responsible unit to verify it.
func (l *Ledger) SubmitForVerification(ctx context.Context, id int64, a Actor, note string) (*Record, error) {
	return l.transition(ctx, id, a, ActSubmit, note, nil)
}

// Verify records the re-inspection of record id: passed closes it (已销号),
// failed sends it back to rectifying under its deadline. The note, the
// re-inspection's finding, is required.
func (l *Ledger) Verify(ctx context.Context, id int64, a Actor, passed bool, note string) (*Record, error) {
	act := ActVerify
	if !passed {
		act = ActReject
	}
	return l.transition(ctx, id, a, act, note, requireText("verification note", note))
}

// Cancel takes record id off the ledger as a false alarm or duplicate;
// the reason is required.
func (l *Ledger) Cancel(ctx context.Context, id int64, a Actor, reason string) (*Record, error) {
	return l.transition(ctx, id, a, ActCancel, reason, requireText("reason", reason))
}

// Reopen undoes a cancellation: cancelled back to open, by a city admin
// with a reason. Closed records are never reopened: a hazard that comes
// back is a new record, so the closed one keeps its verification. It
// fails with ErrConflict if the record's alarm has a newer unresolved
// record.
func (l *Ledger) Reopen(ctx context.Context, id int64, a Actor, reason string) (*Record, error) {
	return l.transition(ctx, id, a, ActReopen, reason, requireText("reason", reason))
}

func requireText(what, s string) func(*Record, time.Time) error {
	return func(*Record, time.Time) error {
		if strings.TrimSpace(s) == "" {
			return invalid("%s required", what)
		}
		return nil
	}
}

// transition runs one lifecycle step in a transaction: read the record,
// check role, scope and state, apply, write with a version check and
// append the history row.
func (l *Ledger) transition(ctx context.Context, id int64, a Actor, act Action,
	comment string, apply func(*Record, time.Time) error) (*Record, error) {
	now := l.clock()
	var rec *Record
	err := l.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		rec, err = l.transitionTx(ctx, tx, id, a, act, comment, apply, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s record %d: %w", act, id, err)
	}
	l.log.Info("hazard record changed", "record", id, "action", act,
		"status", rec.Status, "actor", a.ID, "role", a.Role)
	l.publish(l.event(act, rec, a.ID, now))
	return rec, nil
}

func (l *Ledger) transitionTx(ctx context.Context, tx *sql.Tx, id int64, a Actor,
	act Action, comment string, apply func(*Record, time.Time) error,
	now time.Time) (*Record, error) {
	r, err := l.load(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := l.authorize(a, act, r); err != nil {
		return nil, err
	}
	st := lifecycle[act]
	if !slices.Contains(st.from, r.Status) {
		return nil, &TransitionError{ID: id, Action: act, From: r.Status, To: st.to}
	}
	if apply != nil {
		if err := apply(r, now); err != nil {
			return nil, err
		}
	}

	from := r.Status
	r.Status, r.UpdatedAt = st.to, now
	if st.to == Closed {
		r.ClosedAt = now
	}
	if err := l.update(ctx, tx, r); err != nil {
		return nil, err
	}
	return r, l.appendHistory(ctx, tx, id, Entry{At: now, Actor: a.ID,
		Role: a.Role, Action: act, From: from, To: r.Status, Comment: comment})
}

// update writes the fields a transition may change, if the record still
// has the version r was read at. Occurrences and the overdue stage are
// not written: OnAlarm and Escalate own them and change them in place.
func (l *Ledger) update(ctx context.Context, tx *sql.Tx, r *Record) error {
	res, err := tx.ExecContext(ctx, l.q(`UPDATE hazard_records SET
		status = ?, deadline = ?, plan_owner = ?, plan_measures = ?,
		plan_funds = ?, plan_deadline = ?, plan_contingency = ?,
		closed_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`),
		string(r.Status), r.Deadline.UnixMilli(), r.Plan.Owner,
		r.Plan.Measures, r.Plan.FundsYuan, toNull(r.Plan.Deadline),
		r.Plan.Contingency, toNull(r.ClosedAt), r.UpdatedAt.UnixMilli(),
		r.ID, r.Version)
	if store.IsUniqueViolation(err) {
		return fmt.Errorf("%w: point %s %s has another unresolved record",
			ErrConflict, r.Point, r.Condition)
	}
	if err != nil {
		return fmt.Errorf("update record: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update record: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: record %d changed meanwhile (version %d)",
			ErrConflict, r.ID, r.Version)
	}
	r.Version++
	return nil
}

// checkPlan validates a plan for r; a major hazard's plan needs a
// contingency plan (应急预案) too.
func (l *Ledger) checkPlan(r *Record, p Plan, now time.Time) error {
	switch {
	case strings.TrimSpace(p.Owner) == "":
		return invalid("plan owner required")
	case strings.TrimSpace(p.Measures) == "":
		return invalid("plan measures required")
	case p.FundsYuan < 0:
		return invalid("plan funds %d, want 0 or more", p.FundsYuan)
	case r.Grade == Major && strings.TrimSpace(p.Contingency) == "":
		return invalid("plan contingency required for a major hazard")
	}
	if p.Deadline.IsZero() {
		return nil
	}
	if !p.Deadline.After(now) {
		return invalid("plan deadline %s is not in the future", p.Deadline)
	}
	if latest := l.policy.Deadlines.latest(r.CreatedAt); p.Deadline.After(latest) {
		return invalid("plan deadline %s after %s (deadlines.max_days %d)",
			p.Deadline.Format(time.DateOnly), latest.Format(time.DateOnly),
			l.policy.Deadlines.MaxDays)
	}
	return nil
}

// actionOrder lists the lifecycle's actions in the order a user meets
// them, for Allowed.
var actionOrder = []Action{ActStart, ActSubmit, ActVerify, ActReject, ActCancel, ActReopen}

// Allowed returns the transitions that a may make to r now: those that
// both r's status and a's role and scope permit. Screens offer exactly
// these; the ledger checks again when one is asked for.
func (l *Ledger) Allowed(a Actor, r *Record) []Action {
	if a.validate() != nil {
		return nil
	}
	var out []Action
	for _, act := range actionOrder {
		if slices.Contains(lifecycle[act].from, r.Status) && l.may(a, act, r) {
			out = append(out, act)
		}
	}
	return out
}
