package hazard

import (
	"context"
	"fmt"
	"time"
)

// GroupBy is the grouping of Stats.
type GroupBy string

// Groupings of Stats: the record's district, or its responsible unit (how
// units are ranked by how fast they close).
const (
	ByDistrict GroupBy = "district"
	ByUnit     GroupBy = "unit"
)

// GroupStats are the figures of one district or unit.
type GroupStats struct {
	Key       string `json:"key"`
	Total     int64  `json:"total"`
	Closed    int64  `json:"closed"`
	Cancelled int64  `json:"cancelled"`
	Overdue   int64  `json:"overdue"`
	// RectificationRate is closed / (total - cancelled), 0 when none.
	RectificationRate float64 `json:"rectification_rate"`
	// OverdueRate is overdue / (total - cancelled): records that escalated,
	// are past their deadline unsubmitted, or closed after it.
	OverdueRate float64 `json:"overdue_rate"`
	// MeanTimeToClose is the mean of closed - created over closed records.
	MeanTimeToClose time.Duration `json:"mean_time_to_close"`
}

// Stats returns figures of the records created in [from, to) that a may
// see, per district or responsible unit, sorted by key.
func (l *Ledger) Stats(ctx context.Context, from, to time.Time, by GroupBy, a Actor) ([]GroupStats, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	col := map[GroupBy]string{ByDistrict: "district", ByUnit: "responsible_unit"}[by]
	if col == "" {
		return nil, fmt.Errorf("stats: %w", invalid("group by %q, want district or unit", by))
	}
	w := l.where(Filter{From: from, To: to}, a)
	query := `SELECT ` + col + `, COUNT(*),
		SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END),
		SUM(CASE WHEN status <> 'cancelled' AND (` + overdueSQL + `
			OR closed_at > deadline) THEN 1 ELSE 0 END),
		CAST(COALESCE(SUM(CASE WHEN status = 'closed'
			THEN closed_at - created_at END), 0) AS BIGINT)
		FROM hazard_records` + w.sql() + ` GROUP BY ` + col + ` ORDER BY ` + col
	args := append([]any{l.now().UnixMilli()}, w.args...)
	rows, err := l.db.Reader().QueryContext(ctx, l.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	var out []GroupStats
	for rows.Next() {
		var g GroupStats
		var closeMS int64
		err := rows.Scan(&g.Key, &g.Total, &g.Closed, &g.Cancelled, &g.Overdue, &closeMS)
		if err != nil {
			return nil, fmt.Errorf("stats: %w", err)
		}
		out = append(out, g.rates(closeMS))
	}
	return out, rows.Err()
}

func (g GroupStats) rates(closeMS int64) GroupStats {
	if live := g.Total - g.Cancelled; live > 0 {
		g.RectificationRate = float64(g.Closed) / float64(live)
		g.OverdueRate = float64(g.Overdue) / float64(live)
	}
	if g.Closed > 0 {
		g.MeanTimeToClose = time.Duration(closeMS/g.Closed) * time.Millisecond
	}
	return g
}
