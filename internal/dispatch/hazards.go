package dispatch

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// The ledger's List and Stats judge a record by its status now; the
// report needs each record as it stood at the end of the day, which only
// the history tells. So this query reads the ledger's tables directly
// (read only). Its arguments: end (status as of), end (escalated by),
// end (created before), start (changed since), all Unix ms, and the
// district when narrowed.
//
// A record that was closed or cancelled before the day began cannot
// count, and its updated_at (set by every transition) is then before the
// start of the day, which bounds the scan to the records alive that day.
const recordsAtEndSQL = `SELECT r.district, r.grade, r.responsible_unit,
	r.created_at, r.closed_at, r.deadline,
	(SELECT h.to_status FROM hazard_history h WHERE h.record_id = r.id
	  AND h.at < ? ORDER BY h.id DESC LIMIT 1),
	(SELECT COUNT(*) FROM hazard_history e WHERE e.record_id = r.id
	  AND e.action IN ('remind', 'supervise') AND e.at < ?)
	FROM hazard_records r
	WHERE r.created_at < ?
	  AND (r.status IN ('open', 'rectifying', 'awaiting_verification')
	       OR r.updated_at >= ?)`

// recordAtEnd is a record as the report sees it.
type recordAtEnd struct {
	district, unit      string
	grade               hazard.Grade
	created, deadline   int64
	closed              sql.NullInt64
	statusAtEnd         sql.NullString // NULL: no history before the end
	escalationsByTheEnd int64
}

// count returns what r adds to the figures of window w.
func (r recordAtEnd) count(w window) (c HazardCount) {
	from, until := w.from.UnixMilli(), w.until.UnixMilli()
	if r.created >= from && r.created < until {
		c.Opened = 1
	}
	if r.closed.Valid && r.closed.Int64 >= from && r.closed.Int64 < until {
		c.Closed = 1
	}
	s := hazard.Status(r.statusAtEnd.String)
	if !r.statusAtEnd.Valid || s.Resolved() {
		return c
	}
	c.OpenAtEnd = 1
	// The ledger's Record.Overdue, at the end of the day.
	pastDeadline := (s == hazard.Open || s == hazard.Rectifying) &&
		r.deadline < until
	if r.escalationsByTheEnd > 0 || pastDeadline {
		c.OverdueAtEnd = 1
	}
	return c
}

// hazards counts the day's records and reads the rectification rates.
func (r *Reporter) hazards(ctx context.Context, w window) (HazardSection, error) {
	recs, err := r.recordsAtEnd(ctx, w)
	if err != nil {
		return HazardSection{}, err
	}
	var sec HazardSection
	type dg struct {
		district string
		grade    hazard.Grade
	}
	groups := map[dg]*HazardCount{}
	units := map[string]int{}
	for _, rec := range recs {
		c := rec.count(w)
		if c == (HazardCount{}) {
			continue
		}
		sec.Total.add(c)
		k := dg{rec.district, rec.grade}
		if groups[k] == nil {
			groups[k] = &HazardCount{}
		}
		groups[k].add(c)
		if c.OverdueAtEnd > 0 {
			units[rec.unit]++
		}
	}
	for k, c := range groups {
		sec.ByDistrictGrade = append(sec.ByDistrictGrade,
			HazardGroup{District: k.district, Grade: k.grade, HazardCount: *c})
	}
	slices.SortFunc(sec.ByDistrictGrade, func(a, b HazardGroup) int {
		return cmp.Or(cmp.Compare(a.District, b.District),
			cmp.Compare(a.Grade, b.Grade))
	})
	for u, n := range units {
		sec.OverdueByUnit = append(sec.OverdueByUnit, UnitOverdue{u, n})
	}
	slices.SortFunc(sec.OverdueByUnit, func(a, b UnitOverdue) int {
		return cmp.Or(cmp.Compare(b.OverdueAtEnd, a.OverdueAtEnd),
			cmp.Compare(a.Unit, b.Unit))
	})
	return sec, r.rates(ctx, w, &sec)
}

func (r *Reporter) recordsAtEnd(ctx context.Context, w window) ([]recordAtEnd, error) {
	end := w.until.UnixMilli()
	query, args := recordsAtEndSQL, []any{end, end, end, w.from.UnixMilli()}
	if w.district != "" {
		query += " AND r.district = ?"
		args = append(args, w.district)
	}
	rows, err := r.d.DB.Reader().QueryContext(ctx,
		r.d.DB.Dialect().Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("query hazard records: %w", err)
	}
	defer rows.Close()
	var out []recordAtEnd
	for rows.Next() {
		var x recordAtEnd
		err := rows.Scan(&x.district, &x.grade, &x.unit, &x.created,
			&x.closed, &x.deadline, &x.statusAtEnd, &x.escalationsByTheEnd)
		if err != nil {
			return nil, fmt.Errorf("read hazard records: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read hazard records: %w", err)
	}
	return out, nil
}

// reportActor is who the report asks the ledger as: a city admin sees
// everything, a district operator of the district narrows it there.
func reportActor(district string) hazard.Actor {
	if district == "" {
		return hazard.Actor{ID: "dispatch-report", Role: hazard.CityAdmin}
	}
	return hazard.Actor{ID: "dispatch-report", Role: hazard.DistrictOperator,
		District: district}
}

// rates reads the ledger's rectification rates of the records created
// within the rate window before the end of the day.
func (r *Reporter) rates(ctx context.Context, w window, sec *HazardSection) error {
	sec.RateTo = w.until
	sec.RateFrom = w.until.Add(-r.d.RateWindow)
	a := reportActor(w.district)
	var err error
	sec.RatesByDistrict, err = r.d.Ledger.Stats(ctx, sec.RateFrom,
		sec.RateTo, hazard.ByDistrict, a)
	if err != nil {
		return fmt.Errorf("rectification rates by district: %w", err)
	}
	sec.RatesByUnit, err = r.d.Ledger.Stats(ctx, sec.RateFrom, sec.RateTo,
		hazard.ByUnit, a)
	if err != nil {
		return fmt.Errorf("rectification rates by unit: %w", err)
	}
	return nil
}
