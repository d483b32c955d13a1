package hazard_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// op is one ledger operation, with the status a record needs for it.
type op struct {
	name string
	from hazard.Status
	run  func(f *fixture, id int64, a hazard.Actor) error
}

var ops = []op{
	{"start", hazard.Open, func(f *fixture, id int64, a hazard.Actor) error {
		_, err := f.l.StartRectification(ctx, id, plan(), a)
		return err
	}},
	{"submit", hazard.Rectifying, func(f *fixture, id int64, a hazard.Actor) error {
		_, err := f.l.SubmitForVerification(ctx, id, a, "已整改")
		return err
	}},
	{"verify", hazard.AwaitingVerification, func(f *fixture, id int64, a hazard.Actor) error {
		_, err := f.l.Verify(ctx, id, a, true, "复查合格")
		return err
	}},
	{"reject", hazard.AwaitingVerification, func(f *fixture, id int64, a hazard.Actor) error {
		_, err := f.l.Verify(ctx, id, a, false, "复查不合格")
		return err
	}},
	{"cancel", hazard.Open, func(f *fixture, id int64, a hazard.Actor) error {
		_, err := f.l.Cancel(ctx, id, a, "误报")
		return err
	}},
	{"reopen", hazard.Cancelled, func(f *fixture, id int64, a hazard.Actor) error {
		_, err := f.l.Reopen(ctx, id, a, "撤销有误")
		return err
	}},
	{"get", hazard.Open, func(f *fixture, id int64, a hazard.Actor) error {
		_, err := f.l.Get(ctx, id, a)
		return err
	}},
}

// allowed is the role matrix of docs/hazard-ledger.md, restated by hand:
// grade, operation -> actors that may. The record belongs to entA in
// distA, industry hazardous_chemicals (routed to deptIn when major).
var allowed = map[hazard.Grade]map[string][]string{
	hazard.General: {
		"start":  {"admin", "distIn", "entIn"},
		"submit": {"admin", "entIn"},
		"verify": {"admin", "distIn"},
		"reject": {"admin", "distIn"},
		"cancel": {"admin", "oper", "distIn"},
		"reopen": {"admin"},
		"get":    {"admin", "oper", "distIn", "deptIn", "entIn"},
	},
	hazard.Major: {
		"start":  {"admin", "deptIn", "entIn"},
		"submit": {"admin", "entIn"},
		"verify": {"admin", "deptIn"},
		"reject": {"admin", "deptIn"},
		"cancel": {"admin", "oper", "deptIn"},
		"reopen": {"admin"},
		"get":    {"admin", "oper", "distIn", "deptIn", "entIn"},
	},
}

var actors = map[string]hazard.Actor{"admin": admin, "oper": oper,
	"distIn": distIn, "distOut": distOut, "deptIn": deptIn,
	"deptOut": deptOut, "entIn": entIn, "entOut": entOut}

func TestRoleMatrix(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		for _, g := range []hazard.Grade{hazard.General, hazard.Major} {
			for _, o := range ops {
				for name, a := range actors {
					r := f.create(t, g)
					f.advance(t, r.ID, o.from)
					err := o.run(f, r.ID, a)
					want := slices.Contains(allowed[g][o.name], name)
					what := fmt.Sprintf("%s %s by %s", g, o.name, name)
					if want {
						wantErr(t, what, err, nil)
					} else {
						wantErr(t, what, err, hazard.ErrForbidden)
					}
				}
			}
		}
	})
}

func TestCreateMatrix(t *testing.T) {
	want := map[hazard.Origin][]string{
		hazard.FromInspection: {"admin", "oper", "distIn", "deptIn"},
		hazard.FromSelfReport: {"admin", "entIn"},
	}
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		for origin, who := range want {
			for name, a := range actors {
				_, err := f.l.Create(ctx, hazard.NewRecord{Origin: origin,
					Grade: hazard.General, Title: "t", Enterprise: entA,
					District: distA, Industry: chem}, a)
				what := fmt.Sprintf("create %s by %s", origin, name)
				if slices.Contains(who, name) {
					wantErr(t, what, err, nil)
				} else {
					wantErr(t, what, err, hazard.ErrForbidden)
				}
			}
		}
	})
}

// TestListScope checks that List, ExportCSV and Stats show each actor
// exactly what Get lets them read.
func TestListScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		f.create(t, hazard.General)
		f.create(t, hazard.Major)
		_, err := f.l.Create(ctx, hazard.NewRecord{Origin: hazard.FromInspection,
			Grade: hazard.Major, Title: "尾矿库", Enterprise: entB,
			District: distB, Industry: "non_coal_mine"}, admin)
		wantErr(t, "create mine record", err, nil)
		want := map[string]int{"admin": 3, "oper": 3, "distIn": 2, "distOut": 1,
			"deptIn": 2, "deptOut": 1, "entIn": 2, "entOut": 1}
		for name, a := range actors {
			page, err := f.l.List(ctx, hazard.Filter{}, a)
			wantErr(t, "list as "+name, err, nil)
			var csv strings.Builder
			wantErr(t, "export", f.l.ExportCSV(ctx, &csv, hazard.Filter{}, a), nil)
			stats, err := f.l.Stats(ctx, t0, t0.Add(1e12), hazard.ByDistrict, a)
			wantErr(t, "stats", err, nil)
			total := int64(0)
			for _, s := range stats {
				total += s.Total
			}
			lines := strings.Count(csv.String(), "\r\n") - 1
			if len(page.Records) != want[name] || lines != want[name] || total != int64(want[name]) {
				t.Errorf("%s sees %d listed, %d exported, %d counted; want %d",
					name, len(page.Records), lines, total, want[name])
			}
			for _, r := range page.Records {
				if _, err := f.l.Get(ctx, r.ID, a); err != nil {
					t.Errorf("%s lists record %d but cannot get it: %v", name, r.ID, err)
				}
			}
		}
	})
}

// TestConcurrentTransitions has two instances race to submit, verify
// and cancel the same records: exactly one of each race wins.
func TestConcurrentTransitions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		_, ls := newTwins(t, d)
		r, err := ls[0].Create(ctx, hazard.NewRecord{Origin: hazard.FromInspection,
			Grade: hazard.General, Title: "t", Enterprise: entA, District: distA}, admin)
		wantErr(t, "create", err, nil)
		_, err = ls[0].StartRectification(ctx, r.ID, plan(), admin)
		wantErr(t, "start", err, nil)

		wins := race(t, 12, func(i int) error {
			if i%2 == 0 {
				_, err := ls[i%2].SubmitForVerification(ctx, r.ID, entIn, "已整改")
				return err
			}
			_, err := ls[i%2].Cancel(ctx, r.ID, oper, "误报")
			return err
		})
		if wins != 1 {
			t.Fatalf("%d transitions won, want 1", wins)
		}
		got, err := ls[1].Get(ctx, r.ID, admin)
		wantErr(t, "get", err, nil)
		checkHistory(t, got)
		if len(got.History) != 3 || got.Version != 3 {
			t.Fatalf("history %d entries version %d, want 3 and 3", len(got.History), got.Version)
		}
	})
}

// race runs n calls of fn at once and returns how many succeeded; the
// others must fail with ErrConflict or ErrInvalidTransition.
func race(t *testing.T, n int, fn func(i int) error) int {
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		go func() {
			<-start
			errs <- fn(i)
		}()
	}
	close(start)
	wins := 0
	for range n {
		err := <-errs
		switch {
		case err == nil:
			wins++
		case errors.Is(err, hazard.ErrConflict), errors.Is(err, hazard.ErrInvalidTransition):
		default:
			t.Errorf("racing transition: %v", err)
		}
	}
	return wins
}
