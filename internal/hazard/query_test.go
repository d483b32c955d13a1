package hazard_test

import (
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestListPagesAndFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		for i := range 25 {
			f.clock.Set(t0.Add(time.Duration(i) * time.Hour))
			g := hazard.General
			if i%5 == 0 {
				g = hazard.Major
			}
			r := f.create(t, g)
			if i%3 == 0 {
				f.advance(t, r.ID, hazard.Rectifying)
			}
		}
		seen, prev, pages := map[int64]bool{}, int64(1<<62), 0
		for cur := int64(0); ; pages++ {
			p, err := f.l.List(ctx, hazard.Filter{Limit: 10, After: cur}, admin)
			wantErr(t, "list", err, nil)
			for _, r := range p.Records {
				if seen[r.ID] || r.ID >= prev {
					t.Fatalf("record %d repeated or out of order", r.ID)
				}
				seen[r.ID], prev = true, r.ID
			}
			if cur = p.Next; cur == 0 {
				break
			}
		}
		if len(seen) != 25 || pages != 2 {
			t.Fatalf("paged %d records in %d+1 pages", len(seen), pages)
		}
		counts := []struct {
			f    hazard.Filter
			want int
		}{
			{hazard.Filter{Grade: hazard.Major}, 5},
			{hazard.Filter{Status: hazard.Rectifying}, 9},
			{hazard.Filter{District: distB}, 0},
			{hazard.Filter{Enterprise: entA, Grade: hazard.General, Status: hazard.Open}, 13},
			{hazard.Filter{From: t0.Add(5 * time.Hour), To: t0.Add(10 * time.Hour)}, 5},
		}
		for _, c := range counts {
			p, err := f.l.List(ctx, c.f, admin)
			wantErr(t, "list", err, nil)
			if len(p.Records) != c.want {
				t.Errorf("List(%+v) = %d records, want %d", c.f, len(p.Records), c.want)
			}
		}
		_, err := f.l.List(ctx, hazard.Filter{Limit: hazard.MaxLimit + 1}, admin)
		wantErr(t, "limit too large", err, hazard.ErrValidation)
	})
}

func TestStats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		closed := f.create(t, hazard.General)
		f.create(t, hazard.General) // stays open, overdue at the end
		cancelled := f.create(t, hazard.Major)
		f.advance(t, cancelled.ID, hazard.Cancelled)
		f.clock.Set(t0.Add(48 * time.Hour))
		f.advance(t, closed.ID, hazard.Closed)
		f.clock.Set(t0.AddDate(0, 0, 31))

		s, err := f.l.Stats(ctx, t0, t0.Add(time.Hour), hazard.ByDistrict, admin)
		wantErr(t, "stats", err, nil)
		if len(s) != 1 {
			t.Fatalf("stats groups %+v", s)
		}
		g := s[0]
		if g.Key != distA || g.Total != 3 || g.Closed != 1 || g.Cancelled != 1 ||
			g.Overdue != 1 || g.RectificationRate != 0.5 || g.OverdueRate != 0.5 ||
			g.MeanTimeToClose != 48*time.Hour {
			t.Errorf("stats %+v", g)
		}
		s, err = f.l.Stats(ctx, t0, t0.Add(time.Hour), hazard.ByUnit, admin)
		wantErr(t, "stats by unit", err, nil)
		if len(s) != 2 || s[0].Key != distA+"应急管理局" && s[1].Key != distA+"应急管理局" {
			t.Errorf("stats by unit %+v", s)
		}
		_, err = f.l.Stats(ctx, t0, t0, "industry", admin)
		wantErr(t, "bad grouping", err, hazard.ErrValidation)
	})
}
