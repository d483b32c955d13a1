package hazard

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// NewRecord is a record filed by a person: an inspection finding or an
// enterprise's self-report. Alarm-born records come through OnAlarm.
type NewRecord struct {
	Origin            Origin // FromInspection or FromSelfReport
	Grade             Grade
	Title             string
	Description       string
	Enterprise        string
	District          string
	Industry          string
	HazardSource      string
	HazardSourceGrade int // 0 to 4
	// Deadline zero takes the policy's period for the grade; otherwise it
	// must lie within deadlines.max_days.
	Deadline time.Time
}

func (n *NewRecord) validate() error {
	switch {
	case n.Origin != FromInspection && n.Origin != FromSelfReport:
		return invalid("origin %q, want inspection or self_report", n.Origin)
	case !n.Grade.Valid():
		return invalid("grade %q, want general or major", n.Grade)
	case strings.TrimSpace(n.Title) == "":
		return invalid("title required")
	case n.Enterprise == "" || n.District == "":
		return invalid("enterprise and district required")
	case n.HazardSourceGrade < 0 || n.HazardSourceGrade > 4:
		return invalid("hazard source grade %d, want 0 to 4", n.HazardSourceGrade)
	}
	return nil
}

// Create files a manual record as a; it is routed and given a deadline by
// the policy, like an alarm-born one.
func (l *Ledger) Create(ctx context.Context, n NewRecord, a Actor) (*Record, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	if err := n.validate(); err != nil {
		return nil, fmt.Errorf("create record: %w", err)
	}
	if !l.mayCreate(a, &n) {
		return nil, fmt.Errorf("create record: %w: %s %s may not file %s "+
			"for %s in %s", ErrForbidden, a.Role, a.ID, n.Origin, n.Enterprise,
			n.District)
	}
	now := l.clock()
	r, err := l.newRecord(n, a, now)
	if err != nil {
		return nil, fmt.Errorf("create record: %w", err)
	}
	err = l.db.InTx(ctx, func(tx *sql.Tx) error { return l.insert(ctx, tx, r, a) })
	if err != nil {
		return nil, fmt.Errorf("create record: %w", err)
	}
	l.publish(l.event(ActOpen, r, a.ID, now))
	return r, nil
}

func (l *Ledger) newRecord(n NewRecord, a Actor, now time.Time) (*Record, error) {
	level, unit := l.policy.Routing.route(n.Grade, n.District, n.Industry)
	deadline := now.AddDate(0, 0, l.policy.Deadlines.days(n.Grade))
	if !n.Deadline.IsZero() {
		deadline = fromMS(n.Deadline.UnixMilli())
		latest := l.policy.Deadlines.latest(now)
		if !deadline.After(now) || deadline.After(latest) {
			return nil, invalid("deadline %s, want after now and by %s",
				deadline.Format(time.DateOnly), latest.Format(time.DateOnly))
		}
	}
	return &Record{Origin: n.Origin, Grade: n.Grade, Title: n.Title,
		Description: n.Description, Enterprise: n.Enterprise,
		District: n.District, Industry: n.Industry,
		HazardSource: n.HazardSource, HazardSourceGrade: n.HazardSourceGrade,
		ResponsibleLevel: level, ResponsibleUnit: unit, Deadline: deadline,
		Status: Open, Occurrences: 1, FirstOccurrence: now,
		LastOccurrence: now, OverdueStage: NotOverdue, CreatedBy: a.ID,
		CreatedAt: now, UpdatedAt: now, Version: 1}, nil
}

func (l *Ledger) insert(ctx context.Context, tx *sql.Tx, r *Record, a Actor) error {
	err := tx.QueryRowContext(ctx, l.q(`INSERT INTO hazard_records (origin,
		grade, title, description, enterprise, district, industry,
		hazard_source, hazard_source_grade, responsible_level,
		responsible_unit, deadline, status, occurrences, first_occurrence,
		last_occurrence, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 1, ?, ?, ?, ?, ?)
		RETURNING id`),
		string(r.Origin), string(r.Grade), r.Title, r.Description,
		r.Enterprise, r.District, r.Industry, r.HazardSource,
		r.HazardSourceGrade, string(r.ResponsibleLevel), r.ResponsibleUnit,
		r.Deadline.UnixMilli(), r.CreatedAt.UnixMilli(),
		r.CreatedAt.UnixMilli(), r.CreatedBy, r.CreatedAt.UnixMilli(),
		r.CreatedAt.UnixMilli()).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("insert record: %w", err)
	}
	return l.appendHistory(ctx, tx, r.ID, Entry{At: r.CreatedAt, Actor: a.ID,
		Role: a.Role, Action: ActOpen, To: Open, Comment: string(r.Origin)})
}
