package hazard_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
	"github.com/hazardwatch/hazardwatch/internal/testclock"
)

const (
	entA  = "91310115MA1H00001A"
	entB  = "91310101MA1H00002B"
	distA = "浦东新区"
	distB = "黄浦区"
	chem  = "hazardous_chemicals"
	chemU = "市应急管理局危化处"
)

var (
	ctx     = context.Background()
	t0      = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	admin   = hazard.Actor{ID: "admin", Role: hazard.CityAdmin}
	oper    = hazard.Actor{ID: "op", Role: hazard.CityOperator}
	distIn  = hazard.Actor{ID: "pd", Role: hazard.DistrictOperator, District: distA}
	distOut = hazard.Actor{ID: "hp", Role: hazard.DistrictOperator, District: distB}
	deptIn  = hazard.Actor{ID: "wh", Role: hazard.Department, Unit: chemU}
	deptOut = hazard.Actor{ID: "mine", Role: hazard.Department, Unit: "市应急管理局非煤矿山处"}
	entIn   = hazard.Actor{ID: "e1", Role: hazard.EnterpriseUser, Enterprise: entA}
	entOut  = hazard.Actor{ID: "e2", Role: hazard.EnterpriseUser, Enterprise: entB}
)

// fixture is a ledger on a fresh database with a test clock that
// collects the published events.
type fixture struct {
	db     *store.DB
	l      *hazard.Ledger
	clock  *testclock.Clock
	mu     sync.Mutex
	events []hazard.Event
}

func testPolicy() hazard.Policy {
	p := hazard.DefaultPolicy()
	p.Routing.Departments["non_coal_mine"] = "市应急管理局非煤矿山处"
	return p
}

func newFixture(t testing.TB, d store.Dialect) *fixture {
	t.Helper()
	f := &fixture{db: storetest.Open(t, d), clock: testclock.New(t0)}
	f.l = f.ledger(t, f.db)
	return f
}

// newTwins returns a fixture and two ledgers on one fresh database, each
// with its own pool, as two center instances.
func newTwins(t testing.TB, d store.Dialect) (*fixture, [2]*hazard.Ledger) {
	t.Helper()
	cfg := storetest.Config(t, d)
	f := &fixture{clock: testclock.New(t0)}
	var ls [2]*hazard.Ledger
	for i := range ls {
		db := storetest.OpenConfig(t, cfg)
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Errorf("close ledger: %v", err)
			}
		})
		ls[i] = f.ledger(t, db)
	}
	f.db, f.l = nil, ls[0]
	return f, ls
}

// ledger returns another ledger on db sharing f's clock and events, as a
// second center instance.
func (f *fixture) ledger(t testing.TB, db *store.DB) *hazard.Ledger {
	t.Helper()
	l, err := hazard.New(db, testPolicy(), hazard.Options{Now: f.clock.Now,
		Location: time.UTC, OnEvent: func(e hazard.Event) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.events = append(f.events, e)
		}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (f *fixture) eventKinds() []hazard.Action {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []hazard.Action
	for _, e := range f.events {
		out = append(out, e.Kind)
	}
	return out
}

// create files an inspection record of grade g for entA in distA.
func (f *fixture) create(t testing.TB, g hazard.Grade) *hazard.Record {
	t.Helper()
	r, err := f.l.Create(ctx, hazard.NewRecord{Origin: hazard.FromInspection,
		Grade: g, Title: "储罐区可燃气体检测器失效", Description: "检查发现",
		Enterprise: entA, District: distA, Industry: chem,
		HazardSource: "HS-01", HazardSourceGrade: 2}, admin)
	if err != nil {
		t.Fatalf("create %s record: %v", g, err)
	}
	return r
}

func plan() hazard.Plan {
	return hazard.Plan{Owner: "张工", Measures: "更换检测器", FundsYuan: 12000,
		Contingency: "临时停用储罐并加密巡检"}
}

// advance drives record id as admin to status s along the lifecycle.
func (f *fixture) advance(t testing.TB, id int64, s hazard.Status) {
	t.Helper()
	var err error
	switch s {
	case hazard.Open:
	case hazard.Rectifying:
		_, err = f.l.StartRectification(ctx, id, plan(), admin)
	case hazard.AwaitingVerification:
		f.advance(t, id, hazard.Rectifying)
		_, err = f.l.SubmitForVerification(ctx, id, admin, "已更换")
	case hazard.Closed:
		f.advance(t, id, hazard.AwaitingVerification)
		_, err = f.l.Verify(ctx, id, admin, true, "复查合格")
	case hazard.Cancelled:
		_, err = f.l.Cancel(ctx, id, admin, "误报")
	}
	if err != nil {
		t.Fatalf("advance record %d to %s: %v", id, s, err)
	}
}

// signal is a level-2 alarm on a grade-1 hazard source of entA.
func signal(point string, level int, episode int64) hazard.AlarmSignal {
	return hazard.AlarmSignal{Enterprise: entA, District: distA, Industry: chem,
		HazardSource: "HS-01", HazardSourceGrade: 1, Point: point,
		Condition: "high_high", Level: level, Active: true, Since: t0,
		At: t0.Add(time.Second), Episode: episode}
}

// checkHistory checks that each entry starts where the previous ended and
// the last ends at the record's status.
func checkHistory(t testing.TB, r *hazard.Record) {
	t.Helper()
	if len(r.History) == 0 || r.History[0].From != "" || r.History[0].To != hazard.Open {
		t.Fatalf("record %d: history must start with '' -> open: %+v", r.ID, r.History)
	}
	for i := 1; i < len(r.History); i++ {
		if r.History[i].From != r.History[i-1].To {
			t.Fatalf("record %d: history entry %d from %s, previous to %s",
				r.ID, i, r.History[i].From, r.History[i-1].To)
		}
	}
	if last := r.History[len(r.History)-1]; last.To != r.Status {
		t.Fatalf("record %d: history ends at %s, status %s", r.ID, last.To, r.Status)
	}
}

func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil {
		t.Fatalf("%s: %v, want success", what, err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}
