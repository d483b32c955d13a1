package dispatch

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
)

// activationsSQL reads the day's activations with the time of their
// first acknowledgement up to the generation time (NULL if none). Its
// arguments: generation time, day start, counted end, all Unix ms.
const activationsSQL = `SELECT a.enterprise, a.level, a.at,
	(SELECT MIN(k.at) FROM alarm_journal k
	  WHERE k.enterprise = a.enterprise AND k.point = a.point
	    AND k.alarm_condition = a.alarm_condition
	    AND k.episode = a.episode AND k.kind = 'acked' AND k.at <= ?)
	FROM alarm_journal a
	WHERE a.kind = 'activated' AND a.at >= ? AND a.at < ?
	ORDER BY a.id`

// activation is one activation and when it was acknowledged.
type activation struct {
	enterprise string
	level      int
	at         int64
	acked      sql.NullInt64
}

// alarms counts the day's activations by district, enterprise and level.
func (r *Reporter) alarms(ctx context.Context, w window, pl places) (AlarmSection, error) {
	acts, err := r.activations(ctx, w)
	if err != nil {
		return AlarmSection{}, err
	}
	var sec AlarmSection
	byDistrict := map[string]*AlarmGroup{}
	byEnt := map[string]*AlarmGroup{}
	byLevel := map[string]*AlarmGroup{}
	for _, a := range acts {
		p, ok := pl.of(a.enterprise)
		if !ok {
			continue
		}
		after := float64(a.acked.Int64-a.at) / 1000
		sec.Total.add(a.acked.Valid, after)
		group(byDistrict, p.district, "", "").add(a.acked.Valid, after)
		group(byEnt, a.enterprise, p.name, p.district).add(a.acked.Valid, after)
		group(byLevel, strconv.Itoa(a.level), "", "").add(a.acked.Valid, after)
	}
	sec.ByDistrict = sortedGroups(byDistrict, byKey)
	sec.ByEnterprise = sortedGroups(byEnt, byActivations)
	sec.ByLevel = sortedGroups(byLevel, byKey)
	return sec, nil
}

func (r *Reporter) activations(ctx context.Context, w window) ([]activation, error) {
	q := r.d.DB.Dialect().Rebind(activationsSQL)
	rows, err := r.d.DB.Reader().QueryContext(ctx, q,
		r.d.Now().UnixMilli(), w.from.UnixMilli(), w.until.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("query alarm activations: %w", err)
	}
	defer rows.Close()
	var out []activation
	for rows.Next() {
		var a activation
		if err := rows.Scan(&a.enterprise, &a.level, &a.at, &a.acked); err != nil {
			return nil, fmt.Errorf("read alarm activations: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read alarm activations: %w", err)
	}
	return out, nil
}

func group(m map[string]*AlarmGroup, key, name, district string) *AlarmCount {
	g, ok := m[key]
	if !ok {
		g = &AlarmGroup{Key: key, Name: name, District: district}
		m[key] = g
	}
	return &g.AlarmCount
}

func byKey(a, b AlarmGroup) int { return cmp.Compare(a.Key, b.Key) }

// byActivations puts the busiest enterprise first.
func byActivations(a, b AlarmGroup) int {
	if c := cmp.Compare(b.Activations, a.Activations); c != 0 {
		return c
	}
	return cmp.Compare(a.Key, b.Key)
}

func sortedGroups(m map[string]*AlarmGroup, order func(a, b AlarmGroup) int) []AlarmGroup {
	out := make([]AlarmGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	slices.SortFunc(out, order)
	return out
}
