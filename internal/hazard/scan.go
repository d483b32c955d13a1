package hazard

import (
	"database/sql"
	"time"
)

// recordColumns is the column list that scanRecord reads, in its order.
const recordColumns = `id, origin, grade, title, description, enterprise,
	district, industry, hazard_source, hazard_source_grade, point_id,
	alarm_condition, alarm_level, responsible_level, responsible_unit,
	deadline, status, occurrences, first_occurrence, last_occurrence,
	overdue_stage, plan_owner, plan_measures, plan_funds, plan_deadline,
	plan_contingency, created_by, created_at, updated_at, closed_at, version`

type scanner interface{ Scan(dest ...any) error }

func scanRecord(s scanner) (*Record, error) {
	var (
		r                                 Record
		deadline, first, last, cAt, uAt   int64
		planDeadline, closedAt            sql.NullInt64
		origin, grade, level, status, stg string
	)
	err := s.Scan(&r.ID, &origin, &grade, &r.Title, &r.Description,
		&r.Enterprise, &r.District, &r.Industry, &r.HazardSource,
		&r.HazardSourceGrade, &r.Point, &r.Condition, &r.AlarmLevel,
		&level, &r.ResponsibleUnit, &deadline, &status, &r.Occurrences,
		&first, &last, &stg, &r.Plan.Owner, &r.Plan.Measures,
		&r.Plan.FundsYuan, &planDeadline, &r.Plan.Contingency, &r.CreatedBy,
		&cAt, &uAt, &closedAt, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Origin, r.Grade, r.Status = Origin(origin), Grade(grade), Status(status)
	r.ResponsibleLevel, r.OverdueStage = Level(level), OverdueStage(stg)
	r.Deadline, r.CreatedAt, r.UpdatedAt = fromMS(deadline), fromMS(cAt), fromMS(uAt)
	r.FirstOccurrence, r.LastOccurrence = fromMS(first), fromMS(last)
	r.Plan.Deadline, r.ClosedAt = fromNull(planDeadline), fromNull(closedAt)
	return &r, nil
}

// fromMS converts stored Unix milliseconds; times come back in UTC.
func fromMS(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func fromNull(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

func toNull(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}
