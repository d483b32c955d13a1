package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/rules"
)

const insertJournalSQL = `INSERT INTO alarm_journal (enterprise, point,
	alarm_condition, episode, kind, from_state, to_state, level, value,
	limit_value, late, actor, comment, until_at, at, recorded_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const stateColumns = `enterprise, point, alarm_condition, state, active,
	episode, level, value, active_since, unacked_since, escalated, acked_by,
	acked_at, suppressed_by, suppressed_at, reason, shelved_until`

const upsertStateSQL = `INSERT INTO alarm_state (` + stateColumns + `,
	updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (enterprise, point, alarm_condition) DO UPDATE SET
	state = excluded.state, active = excluded.active,
	episode = excluded.episode, level = excluded.level,
	value = excluded.value, active_since = excluded.active_since,
	unacked_since = excluded.unacked_since, escalated = excluded.escalated,
	acked_by = excluded.acked_by, acked_at = excluded.acked_at,
	suppressed_by = excluded.suppressed_by,
	suppressed_at = excluded.suppressed_at, reason = excluded.reason,
	shelved_until = excluded.shelved_until, updated_at = excluded.updated_at`

// persist appends p's events to the journal and writes the state of the
// alarms they changed, in one transaction.
func (m *Monitor) persist(ctx context.Context, p *pending) error {
	d := m.db.Dialect()
	journal, upsert := d.Rebind(insertJournalSQL), d.Rebind(upsertStateSQL)
	now := m.now().UnixMilli()
	return m.db.InTx(ctx, func(tx *sql.Tx) error {
		if m.deps.Fence != nil {
			if err := m.deps.Fence(ctx, tx, p.enterprises()); err != nil {
				return err
			}
		}
		for i := range p.changes {
			c := &p.changes[i]
			if _, err := tx.ExecContext(ctx, journal,
				journalArgs(c, now)...); err != nil {
				return fmt.Errorf("append alarm journal: %w", err)
			}
		}
		for _, e := range p.touched {
			if _, err := tx.ExecContext(ctx, upsert,
				stateArgs(e, now)...); err != nil {
				return fmt.Errorf("write alarm state: %w", err)
			}
		}
		return nil
	})
}

func journalArgs(c *change, now int64) []any {
	ev := c.ev
	var limit any
	if c.info.hasLimit {
		limit = finite(c.info.limit)
	}
	return []any{c.entry.enterprise, c.entry.point,
		ev.Key.Condition.String(), int64(ev.Episode), ev.Kind.String(),
		ev.From.String(), ev.To.String(), int(ev.Level), finite(ev.Value),
		limit, ev.Late, ev.Actor, ev.Comment, ms(ev.Until),
		ev.Time.UnixMilli(), now}
}

func stateArgs(e *alarmEntry, now int64) []any {
	s := e.a.Snapshot()
	return []any{e.enterprise, e.point, s.Key.Condition.String(),
		s.State.String(), s.Active, int64(s.Episode), int(s.Level),
		finite(s.Value), ms(s.ActiveSince), ms(s.UnackedSince), s.Escalated,
		s.AckedBy, ms(s.AckedAt), s.SuppressedBy, ms(s.SuppressedAt),
		s.Reason, ms(s.ShelvedUntil), now}
}

// ms returns t in Unix milliseconds, or nil (NULL) for the zero time.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// loadStates reads the stored alarms that match where (an SQL
// condition with ? placeholders; empty reads every alarm).
func (m *Monitor) loadStates(ctx context.Context, where string,
	args []any) ([]alarm.Snapshot, error) {
	q := "SELECT " + stateColumns + " FROM alarm_state"
	if where != "" {
		q = m.db.Dialect().Rebind(q + " WHERE " + where)
	}
	rows, err := m.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read alarm states: %w", err)
	}
	defer rows.Close()
	var out []alarm.Snapshot
	for rows.Next() {
		s, err := scanState(rows)
		if err != nil {
			return nil, fmt.Errorf("read alarm states: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read alarm states: %w", err)
	}
	return out, nil
}

func scanState(rows *sql.Rows) (alarm.Snapshot, error) {
	var (
		s                           alarm.Snapshot
		ent, point, cond, state     string
		episode                     int64
		level                       int
		since, unacked, acked, supp sql.NullInt64
		until                       sql.NullInt64
	)
	err := rows.Scan(&ent, &point, &cond, &state, &s.Active, &episode,
		&level, &s.Value, &since, &unacked, &s.Escalated, &s.AckedBy,
		&acked, &s.SuppressedBy, &supp, &s.Reason, &until)
	if err != nil {
		return s, err
	}
	c, err := rules.ParseCondition(cond)
	if err != nil {
		return s, err
	}
	if s.State, err = alarm.ParseState(state); err != nil {
		return s, err
	}
	s.Key = alarm.Key{Point: ent + "/" + point, Condition: c}
	s.Episode, s.Level = uint64(episode), rules.Level(level)
	s.ActiveSince, s.UnackedSince = fromMS(since), fromMS(unacked)
	s.AckedAt, s.SuppressedAt = fromMS(acked), fromMS(supp)
	s.ShelvedUntil = fromMS(until)
	return s, nil
}

// splitKey returns the enterprise and the point (or "gateway:<id>") of
// an alarm key; enterprise codes hold no '/'.
func splitKey(k alarm.Key) (enterprise, point string) {
	enterprise, point, _ = strings.Cut(k.Point, "/")
	return enterprise, point
}

// JournalQuery selects journal rows; empty fields select all.
type JournalQuery struct {
	Enterprise string
	Point      string
	Condition  rules.Condition // 0: any
	From, To   time.Time       // event time range [From, To)
	// Limit is the most rows returned, newest first; 0 means
	// DefaultJournalLimit, and more than MaxJournalLimit is cut to it.
	Limit int
}

// Journal page sizes.
const (
	DefaultJournalLimit = 100
	MaxJournalLimit     = 1000
)

// JournalEntry is one journal row.
type JournalEntry struct {
	ID int64 `json:"id"`
	EventView
	RecordedAt time.Time `json:"recorded_at"`
}

// Journal returns journal rows matching q, newest first.
func (m *Monitor) Journal(ctx context.Context, q JournalQuery) (
	[]JournalEntry, error) {
	where, args := q.where()
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultJournalLimit
	}
	limit = min(limit, MaxJournalLimit)
	query := m.db.Dialect().Rebind(`SELECT id, enterprise, point,
		alarm_condition, episode, kind, from_state, to_state, level, value,
		limit_value, late, actor, comment, until_at, at, recorded_at
		FROM alarm_journal` + where + ` ORDER BY id DESC LIMIT ?`)
	rows, err := m.db.Reader().QueryContext(ctx, query,
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("query alarm journal: %w", err)
	}
	defer rows.Close()
	out := []JournalEntry{}
	for rows.Next() {
		e, err := scanJournal(rows)
		if err != nil {
			return nil, fmt.Errorf("read alarm journal: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read alarm journal: %w", err)
	}
	m.describe(out)
	return out, nil
}

func (q JournalQuery) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if q.Enterprise != "" {
		add("enterprise = ?", q.Enterprise)
	}
	if q.Point != "" {
		add("point = ?", q.Point)
	}
	if q.Condition != 0 {
		add("alarm_condition = ?", q.Condition.String())
	}
	if !q.From.IsZero() {
		add("at >= ?", q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		add("at < ?", q.To.UnixMilli())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func scanJournal(rows *sql.Rows) (JournalEntry, error) {
	var (
		e                JournalEntry
		episode          int64
		limit            sql.NullFloat64
		until, at, recAt sql.NullInt64
	)
	err := rows.Scan(&e.ID, &e.Enterprise, &e.Point, &e.Condition,
		&episode, &e.Kind, &e.From, &e.State, &e.Level, &e.Value, &limit,
		&e.Late, &e.Actor, &e.Comment, &until, &at, &recAt)
	if err != nil {
		return e, err
	}
	e.Episode = uint64(episode)
	if limit.Valid {
		e.Limit = &limit.Float64
	}
	e.Until, e.Time, e.RecordedAt = fromMS(until), fromMS(at), fromMS(recAt)
	return e, nil
}

// describe fills the registry context of journal rows in.
func (m *Monitor) describe(es []JournalEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range es {
		pl := m.placeOf(es[i].Enterprise, es[i].Point)
		es[i].District, es[i].PointName = pl.District, pl.PointName
		es[i].HazardSource = pl.HazardSource
	}
}
