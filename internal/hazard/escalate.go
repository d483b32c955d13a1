package hazard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// escalateBatch is how many overdue records one query fetches.
const escalateBatch = 500

// Escalate moves records past their deadline up the overdue ladder as of
// now: a reminder (逾期提醒) once the deadline has passed, supervision
// (挂牌督办) escalation.supervise_after_days later. Each step happens once
// per record, with a history row, even when several center instances run
// Escalate at once. Records awaiting verification do not escalate: the
// enterprise has done its part. The events are returned and published.
func (l *Ledger) Escalate(ctx context.Context, now time.Time) ([]Event, error) {
	now = fromMS(now.UnixMilli())
	superviseBy := now.AddDate(0, 0, -l.policy.Escalation.SuperviseAfterDays)
	evs, err := l.escalateStage(ctx, NotOverdue, Reminded, now, now, nil)
	if err != nil {
		return evs, err
	}
	return l.escalateStage(ctx, Reminded, Supervised, superviseBy, now, evs)
}

// escalateStage moves every unresolved record at stage from whose
// deadline is at or before due to stage to.
func (l *Ledger) escalateStage(ctx context.Context, from, to OverdueStage,
	due, now time.Time, evs []Event) ([]Event, error) {
	after := int64(0)
	for {
		ids, err := l.overdueIDs(ctx, from, due, after)
		if err != nil {
			return evs, err
		}
		for _, id := range ids {
			ev, ok, err := l.escalateOne(ctx, id, from, to, due, now)
			if err != nil {
				return evs, err
			}
			if ok {
				l.publish(ev)
				evs = append(evs, ev)
			}
			after = id
		}
		if len(ids) < escalateBatch {
			return evs, nil
		}
	}
}

func (l *Ledger) overdueIDs(ctx context.Context, stage OverdueStage,
	due time.Time, after int64) ([]int64, error) {
	rows, err := l.db.Reader().QueryContext(ctx, l.q(`SELECT id FROM
		hazard_records WHERE status IN ('open', 'rectifying')
		AND deadline <= ? AND overdue_stage = ? AND id > ?
		ORDER BY id LIMIT ?`),
		due.UnixMilli(), string(stage), after, escalateBatch)
	if err != nil {
		return nil, fmt.Errorf("find overdue records: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find overdue records: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// escalateOne moves one record; ok is false when another instance or a
// transition got there first. The conditional UPDATE decides, so this
// needs no version check and does not bump the version.
func (l *Ledger) escalateOne(ctx context.Context, id int64, from, to OverdueStage,
	due, now time.Time) (ev Event, ok bool, err error) {
	act := ActRemind
	if to == Supervised {
		act = ActSupervise
	}
	err = l.db.InTx(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, l.q(`UPDATE hazard_records
			SET overdue_stage = ?, updated_at = ?
			WHERE id = ? AND overdue_stage = ? AND deadline <= ?
			AND status IN ('open', 'rectifying') RETURNING `+recordColumns),
			string(to), now.UnixMilli(), id, string(from), due.UnixMilli())
		r, err := scanRecord(row)
		if errors.Is(err, sql.ErrNoRows) {
			ok = false
			return nil
		}
		if err != nil {
			return fmt.Errorf("mark record %d %s: %w", id, to, err)
		}
		ok, ev = true, l.event(act, r, systemActor.ID, now)
		return l.appendHistory(ctx, tx, id, Entry{At: now, Actor: systemActor.ID,
			Role: System, Action: act, From: r.Status, To: r.Status,
			Comment: "deadline " + r.Deadline.In(l.loc).Format(time.DateOnly)})
	})
	if err != nil {
		return Event{}, false, fmt.Errorf("escalate record %d: %w", id, err)
	}
	if ok {
		l.log.Info("hazard record overdue", "record", id, "stage", to)
	}
	return ev, ok, nil
}
