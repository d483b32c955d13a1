package hazard

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AlarmSignal is an alarm of a monitoring point as the alarm service sees
// it. The alarm service sends one when an alarm activates, again while it
// stays active (so hold times such as "level 1 for 10 minutes" can be
// judged) and when it returns; repeats of one episode count once.
type AlarmSignal struct {
	Enterprise        string
	District          string
	Industry          string
	HazardSource      string
	HazardSourceGrade int // 1-4 (GB 18218), 0 when not on a hazard source
	Point             string
	Condition         string // rules.Condition names: high_high, sensor_fault...
	Level             int    // 1 or 2
	Active            bool
	Since             time.Time // start of the episode
	At                time.Time // time of this signal
	// Episode identifies one activation of the alarm (unique per point
	// and condition); a redelivered episode is not counted twice.
	Episode int64
}

func (s AlarmSignal) validate() error {
	switch {
	case s.Enterprise == "" || s.District == "":
		return invalid("alarm signal without enterprise or district")
	case s.Point == "" || s.Condition == "":
		return invalid("alarm signal without point or condition")
	case s.Level < 1 || s.Level > 2:
		return invalid("alarm level %d, want 1 or 2", s.Level)
	case s.HazardSourceGrade < 0 || s.HazardSourceGrade > 4:
		return invalid("hazard source grade %d, want 0 to 4", s.HazardSourceGrade)
	case s.Episode == 0:
		return invalid("alarm signal without episode")
	case s.At.IsZero() || s.Since.After(s.At):
		return invalid("alarm times since %s at %s", s.Since, s.At)
	}
	return nil
}

// OnAlarm turns a qualifying alarm into a record: it opens one, or adds
// an occurrence to the one unresolved record of the point and condition.
// opened reports a new record. A signal the policy does not take returns
// a nil record; an episode already counted returns its record unchanged.
//
// Two center instances may call it for the same alarm at once: the
// unique index on unresolved (point, condition) and the episode table's
// key decide inside the database, with no check-then-insert race.
func (l *Ledger) OnAlarm(ctx context.Context, sig AlarmSignal) (rec *Record, opened bool, err error) {
	if err := sig.validate(); err != nil {
		return nil, false, err
	}
	ok, why := l.policy.AutoOpen.qualifies(sig)
	if !ok {
		return nil, false, nil
	}
	now := l.clock()
	counted := false
	err = l.db.InTx(ctx, func(tx *sql.Tx) error {
		rec, opened, counted, err = l.countEpisode(ctx, tx, sig, why, now)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("record alarm %s/%s episode %d: %w",
			sig.Point, sig.Condition, sig.Episode, err)
	}
	switch {
	case opened:
		l.publish(l.event(ActOpen, rec, systemActor.ID, now))
	case counted:
		l.publish(l.event(ActOccurrence, rec, systemActor.ID, now))
	}
	return rec, opened, nil
}

// countEpisode is OnAlarm's transaction.
func (l *Ledger) countEpisode(ctx context.Context, tx *sql.Tx, sig AlarmSignal,
	why string, now time.Time) (rec *Record, opened, counted bool, err error) {

	// Claim the episode first: a second delivery waits here for the
	// first one's commit and then finds the episode taken.
	claimed, err := l.claimEpisode(ctx, tx, sig, now)
	if err != nil || !claimed {
		if err == nil {
			rec, err = l.episodeRecord(ctx, tx, sig)
		}
		return rec, false, false, err
	}

	rec, err = l.upsertAlarmRecord(ctx, tx, sig, now)
	if err != nil {
		return nil, false, false, err
	}
	_, err = tx.ExecContext(ctx, l.q(`UPDATE hazard_alarm_episodes
		SET record_id = ? WHERE point_id = ? AND alarm_condition = ?
		AND episode = ?`), rec.ID, sig.Point, sig.Condition, sig.Episode)
	if err != nil {
		return nil, false, false, fmt.Errorf("link episode: %w", err)
	}
	if rec.Occurrences > 1 {
		return rec, false, true, nil
	}
	err = l.appendHistory(ctx, tx, rec.ID, Entry{At: now, Actor: systemActor.ID,
		Role: System, Action: ActOpen, To: Open, Comment: why})
	return rec, true, true, err
}

// claimEpisode records sig's episode and reports whether it was new.
func (l *Ledger) claimEpisode(ctx context.Context, tx *sql.Tx, sig AlarmSignal,
	now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, l.q(`INSERT INTO hazard_alarm_episodes
		(point_id, alarm_condition, episode, at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`),
		sig.Point, sig.Condition, sig.Episode, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("claim episode: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim episode: %w", err)
	}
	return n == 1, nil
}

func (l *Ledger) episodeRecord(ctx context.Context, tx *sql.Tx, sig AlarmSignal) (*Record, error) {
	var id int64
	err := tx.QueryRowContext(ctx, l.q(`SELECT record_id FROM
		hazard_alarm_episodes WHERE point_id = ? AND alarm_condition = ?
		AND episode = ?`), sig.Point, sig.Condition, sig.Episode).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("read counted episode: %w", err)
	}
	return l.load(ctx, tx, id)
}

// upsertAlarmSQL inserts an alarm-born record or, when the point and
// condition have an unresolved record already, counts an occurrence on
// it. Its ON CONFLICT target repeats hazard_records_one_open's columns
// and predicate, which is how both databases find that index.
const upsertAlarmSQL = `INSERT INTO hazard_records (origin, grade, title,
	description, enterprise, district, industry, hazard_source,
	hazard_source_grade, point_id, alarm_condition, alarm_level,
	responsible_level, responsible_unit, deadline, status, occurrences,
	first_occurrence, last_occurrence, created_by, created_at, updated_at)
VALUES ('alarm', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 1, ?, ?,
	'system', ?, ?)
ON CONFLICT (point_id, alarm_condition) WHERE origin = 'alarm'
	AND status IN ('open', 'rectifying', 'awaiting_verification')
DO UPDATE SET
	occurrences = hazard_records.occurrences + 1,
	last_occurrence = CASE WHEN excluded.last_occurrence >
		hazard_records.last_occurrence THEN excluded.last_occurrence
		ELSE hazard_records.last_occurrence END,
	alarm_level = CASE WHEN excluded.alarm_level > hazard_records.alarm_level
		THEN excluded.alarm_level ELSE hazard_records.alarm_level END,
	updated_at = excluded.updated_at
RETURNING ` + recordColumns

func (l *Ledger) upsertAlarmRecord(ctx context.Context, tx *sql.Tx, sig AlarmSignal,
	now time.Time) (*Record, error) {
	g := l.policy.Grading.grade(sig)
	level, unit := l.policy.Routing.route(g, sig.District, sig.Industry)
	deadline := now.AddDate(0, 0, l.policy.Deadlines.days(g))
	since := sig.Since
	if since.IsZero() {
		since = sig.At
	}
	row := tx.QueryRowContext(ctx, l.q(upsertAlarmSQL), string(g),
		alarmTitle(sig), alarmDescription(sig), sig.Enterprise, sig.District,
		sig.Industry, sig.HazardSource, sig.HazardSourceGrade, sig.Point,
		sig.Condition, sig.Level, string(level), unit, deadline.UnixMilli(),
		since.UnixMilli(), sig.At.UnixMilli(), now.UnixMilli(), now.UnixMilli())
	rec, err := scanRecord(row)
	if err != nil {
		return nil, fmt.Errorf("upsert alarm record: %w", err)
	}
	return rec, nil
}

// conditionNames are the Chinese names of alarm conditions in titles.
var conditionNames = map[string]string{
	"high_high": "高高报", "high": "高报", "low": "低报", "low_low": "低低报",
	"rate_of_change": "变化率超限", "stale": "数据中断",
	"sensor_fault": "传感器故障", "gateway_offline": "网关离线",
	"methane_alarm": "甲烷报警", "methane_power_off": "甲烷断电",
}

func alarmTitle(s AlarmSignal) string {
	name := conditionNames[s.Condition]
	if name == "" {
		name = s.Condition
	}
	lvl := "一级报警"
	if s.Level >= 2 {
		lvl = "二级报警"
	}
	return fmt.Sprintf("监测点 %s %s（%s）", s.Point, name, lvl)
}

func alarmDescription(s AlarmSignal) string {
	src := s.HazardSource
	if src == "" {
		src = "无"
	}
	return fmt.Sprintf("企业 %s 重大危险源 %s（%d级）监测点 %s 报警 %s，"+
		"自 %s 起", s.Enterprise, src, s.HazardSourceGrade, s.Point,
		s.Condition, s.Since.UTC().Format(time.RFC3339))
}
