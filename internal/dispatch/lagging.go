package dispatch

import (
	"cmp"
	"slices"
)

// lagging ranks the units to remind from the report's figures.
func (r *Reporter) lagging(rep *Report) Lagging {
	var l Lagging
	for _, d := range rep.Data.Districts {
		if d.Completeness < r.d.MinCompleteness {
			l.Completeness = append(l.Completeness,
				Lag{Kind: LagDistrict, Name: d.District, Value: d.Completeness})
		}
	}
	rank(l.Completeness, true)

	overdue := map[string]int{}
	for _, g := range rep.Hazards.ByDistrictGrade {
		overdue[g.District] += g.OverdueAtEnd
	}
	for d, n := range overdue {
		if n > 0 {
			l.Overdue = append(l.Overdue,
				Lag{Kind: LagDistrict, Name: d, Value: float64(n)})
		}
	}
	for _, u := range rep.Hazards.OverdueByUnit {
		l.Overdue = append(l.Overdue, Lag{Kind: LagDepartment, Name: u.Unit,
			Value: float64(u.OverdueAtEnd)})
	}
	rank(l.Overdue, false)

	add := func(kind LagKind, key string, rate float64, live int64) {
		if live > 0 && rate < r.d.MinRectificationRate {
			l.Rectification = append(l.Rectification,
				Lag{Kind: kind, Name: key, Value: rate})
		}
	}
	for _, g := range rep.Hazards.RatesByDistrict {
		add(LagDistrict, g.Key, g.RectificationRate, g.Total-g.Cancelled)
	}
	for _, g := range rep.Hazards.RatesByUnit {
		add(LagDepartment, g.Key, g.RectificationRate, g.Total-g.Cancelled)
	}
	rank(l.Rectification, true)
	return l
}

// rank sorts ls worst first (lowest value first when low is bad, else
// highest first), ties by kind and name, and numbers them from 1; equal
// values share a rank.
func rank(ls []Lag, lowIsBad bool) {
	slices.SortFunc(ls, func(a, b Lag) int {
		c := cmp.Compare(b.Value, a.Value)
		if lowIsBad {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	for i := range ls {
		ls[i].Rank = i + 1
		if i > 0 && ls[i].Value == ls[i-1].Value {
			ls[i].Rank = ls[i-1].Rank
		}
	}
}
