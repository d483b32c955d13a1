package hazard_test

import (
	"sync"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestOnAlarmPolicy(t *testing.T) {
	tests := []struct {
		name      string
		mut       func(*hazard.AlarmSignal)
		wantOpen  bool
		wantGrade hazard.Grade
		wantUnit  string
	}{
		{"level 2 on grade-1 source", func(*hazard.AlarmSignal) {}, true, hazard.Major, chemU},
		{"level 2 on grade-3 source", func(s *hazard.AlarmSignal) { s.HazardSourceGrade = 3 },
			true, hazard.General, distA + "应急管理局"},
		{"level 2 of unlisted industry", func(s *hazard.AlarmSignal) { s.Industry = "metallurgy" },
			true, hazard.Major, "市应急管理局"},
		{"level 1 for 5 minutes", func(s *hazard.AlarmSignal) {
			s.Level, s.At = 1, s.Since.Add(5*time.Minute)
		}, false, "", ""},
		{"level 1 for 11 minutes", func(s *hazard.AlarmSignal) {
			s.Level, s.At = 1, s.Since.Add(11*time.Minute)
		}, true, hazard.General, distA + "应急管理局"},
		{"sensor fault for 30 minutes", func(s *hazard.AlarmSignal) {
			s.Condition, s.At = "sensor_fault", s.Since.Add(30*time.Minute)
		}, false, "", ""},
		{"sensor fault for 2 hours", func(s *hazard.AlarmSignal) {
			s.Condition, s.Level, s.At = "sensor_fault", 1, s.Since.Add(2*time.Hour)
		}, true, hazard.General, distA + "应急管理局"},
		{"gateway offline 31 minutes", func(s *hazard.AlarmSignal) {
			s.Condition, s.Level, s.At = "gateway_offline", 1, s.Since.Add(31*time.Minute)
		}, true, hazard.General, distA + "应急管理局"},
		{"methane power-off at level 1", func(s *hazard.AlarmSignal) {
			s.Condition, s.Level, s.HazardSourceGrade = "methane_power_off", 1, 0
			s.At = s.Since.Add(11 * time.Minute)
		}, true, hazard.Major, chemU},
	}
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		for i, tt := range tests {
			s := signal("P-"+tt.name, 2, int64(i+1))
			tt.mut(&s)
			r, opened, err := f.l.OnAlarm(ctx, s)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if opened != tt.wantOpen || (r != nil) != tt.wantOpen {
				t.Fatalf("%s: opened %v record %v, want %v", tt.name, opened, r, tt.wantOpen)
			}
			if !tt.wantOpen {
				continue
			}
			if r.Grade != tt.wantGrade || r.ResponsibleUnit != tt.wantUnit ||
				r.Origin != hazard.FromAlarm || r.Status != hazard.Open {
				t.Errorf("%s: %s %s %s %s, want %s %s", tt.name, r.Origin,
					r.Status, r.Grade, r.ResponsibleUnit, tt.wantGrade, tt.wantUnit)
			}
		}
		_, _, err := f.l.OnAlarm(ctx, hazard.AlarmSignal{Point: "x"})
		wantErr(t, "empty signal", err, hazard.ErrValidation)
	})
}

func TestOnAlarmOccurrences(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		r1, opened, err := f.l.OnAlarm(ctx, signal("LEL-101", 2, 1))
		if err != nil || !opened || r1.Occurrences != 1 {
			t.Fatalf("first alarm: %v %v %+v", err, opened, r1)
		}
		r, opened, err := f.l.OnAlarm(ctx, signal("LEL-101", 2, 1))
		if err != nil || opened || r.ID != r1.ID || r.Occurrences != 1 {
			t.Fatalf("episode again: %v opened=%v occurrences %d", err, opened, r.Occurrences)
		}
		s := signal("LEL-101", 2, 2)
		s.Since, s.At = t0.Add(time.Hour), t0.Add(time.Hour+time.Second)
		r, _, err = f.l.OnAlarm(ctx, s)
		if err != nil || r.ID != r1.ID || r.Occurrences != 2 ||
			!r.LastOccurrence.Equal(s.At) || !r.FirstOccurrence.Equal(t0) {
			t.Fatalf("second episode: %v %+v", err, r)
		}
		f.advance(t, r1.ID, hazard.AwaitingVerification)
		r, _, _ = f.l.OnAlarm(ctx, signal("LEL-101", 2, 3))
		if r.ID != r1.ID || r.Occurrences != 3 {
			t.Fatalf("awaiting verification takes occurrences: %+v", r)
		}
		if _, err := f.l.Verify(ctx, r1.ID, admin, true, "复查合格"); err != nil {
			t.Fatal(err)
		}
		r, opened, _ = f.l.OnAlarm(ctx, signal("LEL-101", 2, 3))
		if opened || r.ID != r1.ID {
			t.Fatalf("counted episode after close must not reopen: %v %+v", opened, r)
		}
		r, opened, _ = f.l.OnAlarm(ctx, signal("LEL-101", 2, 4))
		if !opened || r.ID == r1.ID || r.Occurrences != 1 {
			t.Fatalf("new episode after close: opened %v %+v", opened, r)
		}
		want := []hazard.Action{hazard.ActOpen, hazard.ActOccurrence,
			hazard.ActStart, hazard.ActSubmit, hazard.ActOccurrence,
			hazard.ActVerify, hazard.ActOpen}
		if got := f.eventKinds(); len(got) != len(want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})
}

// TestOnAlarmTwoInstances has two center instances, each with its own
// pool, receive the same alarm episodes from many goroutines at once.
func TestOnAlarmTwoInstances(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		_, ls := newTwins(t, d)
		const episodes, workers = 10, 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		opened := 0
		for w := range workers {
			wg.Go(func() {
				for ep := int64(1); ep <= episodes; ep++ {
					_, o, err := ls[w%2].OnAlarm(ctx, signal("LEL-7", 2, ep))
					if err != nil {
						t.Errorf("worker %d episode %d: %v", w, ep, err)
						return
					}
					mu.Lock()
					opened += map[bool]int{true: 1}[o]
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		page, err := ls[0].List(ctx, hazard.Filter{}, admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records) != 1 || opened != 1 {
			t.Fatalf("%d records, %d opened, want 1 and 1", len(page.Records), opened)
		}
		if n := page.Records[0].Occurrences; n != episodes {
			t.Fatalf("occurrences %d, want %d", n, episodes)
		}
	})
}
