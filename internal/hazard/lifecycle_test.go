package hazard_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestLifecycleWalkThrough(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		r := f.create(t, hazard.General)
		if r.ResponsibleUnit != distA+"应急管理局" || r.ResponsibleLevel != hazard.DistrictLevel {
			t.Fatalf("general record routed to %s %s", r.ResponsibleLevel, r.ResponsibleUnit)
		}
		if want := t0.AddDate(0, 0, 30); !r.Deadline.Equal(want) {
			t.Fatalf("deadline %s, want %s", r.Deadline, want)
		}
		id := r.ID

		_, err := f.l.Verify(ctx, id, entIn, true, "自己验收")
		wantErr(t, "enterprise verifies", err, hazard.ErrForbidden)
		_, err = f.l.SubmitForVerification(ctx, id, entIn, "x")
		wantErr(t, "submit while open", err, hazard.ErrInvalidTransition)
		var te *hazard.TransitionError
		if !errors.As(err, &te) || te.From != hazard.Open || te.To != hazard.AwaitingVerification {
			t.Fatalf("transition error %+v", te)
		}

		f.clock.Set(t0.Add(time.Hour))
		_, err = f.l.StartRectification(ctx, id, hazard.Plan{Owner: "张工"}, entIn)
		wantErr(t, "plan without measures", err, hazard.ErrValidation)
		_, err = f.l.StartRectification(ctx, id, plan(), entIn)
		wantErr(t, "enterprise starts", err, nil)
		_, err = f.l.SubmitForVerification(ctx, id, entIn, "已整改")
		wantErr(t, "enterprise submits", err, nil)
		_, err = f.l.Verify(ctx, id, distIn, false, "")
		wantErr(t, "reject without note", err, hazard.ErrValidation)
		r, err = f.l.Verify(ctx, id, distIn, false, "复查不合格：报警仍未恢复")
		wantErr(t, "district rejects", err, nil)
		if r.Status != hazard.Rectifying {
			t.Fatalf("after rejection status %s", r.Status)
		}
		_, err = f.l.SubmitForVerification(ctx, id, entIn, "再次整改")
		wantErr(t, "enterprise resubmits", err, nil)
		f.clock.Set(t0.Add(48 * time.Hour))
		r, err = f.l.Verify(ctx, id, distIn, true, "复查合格")
		wantErr(t, "district verifies", err, nil)
		if r.Status != hazard.Closed || !r.ClosedAt.Equal(t0.Add(48*time.Hour)) {
			t.Fatalf("closed record %s at %s", r.Status, r.ClosedAt)
		}

		_, err = f.l.Cancel(ctx, id, admin, "误报")
		wantErr(t, "cancel closed", err, hazard.ErrInvalidTransition)
		_, err = f.l.Get(ctx, id+1000, admin)
		wantErr(t, "get missing", err, hazard.ErrNotFound)
		_, err = f.l.Cancel(ctx, id+1000, admin, "误报")
		wantErr(t, "cancel missing", err, hazard.ErrNotFound)

		got, err := f.l.Get(ctx, id, entIn)
		wantErr(t, "get", err, nil)
		checkHistory(t, got)
		acts := []hazard.Action{}
		for _, e := range got.History {
			acts = append(acts, e.Action)
		}
		want := []hazard.Action{hazard.ActOpen, hazard.ActStart, hazard.ActSubmit,
			hazard.ActReject, hazard.ActSubmit, hazard.ActVerify}
		if !slices.Equal(acts, want) || !slices.Equal(f.eventKinds(), want) {
			t.Fatalf("history %v events %v, want %v", acts, f.eventKinds(), want)
		}
		if got.Version != 6 || got.History[3].Actor != "pd" {
			t.Fatalf("version %d, rejection by %s", got.Version, got.History[3].Actor)
		}
	})
}

func TestMajorPlanRules(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		r := f.create(t, hazard.Major)
		if r.ResponsibleUnit != chemU || !r.Deadline.Equal(t0.AddDate(0, 0, 60)) {
			t.Fatalf("major record: unit %s deadline %s", r.ResponsibleUnit, r.Deadline)
		}
		p := plan()
		p.Contingency = ""
		_, err := f.l.StartRectification(ctx, r.ID, p, entIn)
		wantErr(t, "major plan without contingency", err, hazard.ErrValidation)
		p = plan()
		p.Deadline = t0.AddDate(0, 0, 91)
		_, err = f.l.StartRectification(ctx, r.ID, p, entIn)
		wantErr(t, "plan deadline over 90 days", err, hazard.ErrValidation)
		p.Deadline = t0.AddDate(0, 0, 85)
		r, err = f.l.StartRectification(ctx, r.ID, p, entIn)
		wantErr(t, "plan deadline of 85 days", err, nil)
		if !r.Deadline.Equal(p.Deadline) {
			t.Fatalf("deadline %s, want the plan's %s", r.Deadline, p.Deadline)
		}
		_, err = f.l.Cancel(ctx, r.ID, deptIn, " ")
		wantErr(t, "cancel without reason", err, hazard.ErrValidation)
		_, err = f.l.Cancel(ctx, r.ID, deptIn, "重复录入")
		wantErr(t, "department cancels", err, nil)
		r, err = f.l.Reopen(ctx, r.ID, admin, "撤销有误")
		wantErr(t, "admin reopens", err, nil)
		if r.Status != hazard.Open || r.Plan.Owner != "张工" {
			t.Fatalf("reopened record %s plan %+v", r.Status, r.Plan)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		ok := hazard.NewRecord{Origin: hazard.FromSelfReport, Grade: hazard.General,
			Title: "消防通道堵塞", Enterprise: entA, District: distA}
		tests := []struct {
			mut  func(*hazard.NewRecord)
			want error
		}{
			{func(*hazard.NewRecord) {}, nil},
			{func(n *hazard.NewRecord) { n.Origin = hazard.FromAlarm }, hazard.ErrValidation},
			{func(n *hazard.NewRecord) { n.Grade = "severe" }, hazard.ErrValidation},
			{func(n *hazard.NewRecord) { n.Title = "" }, hazard.ErrValidation},
			{func(n *hazard.NewRecord) { n.HazardSourceGrade = 5 }, hazard.ErrValidation},
			{func(n *hazard.NewRecord) { n.Deadline = t0.AddDate(0, 0, 91) }, hazard.ErrValidation},
			{func(n *hazard.NewRecord) { n.Deadline = t0.Add(-time.Hour) }, hazard.ErrValidation},
			{func(n *hazard.NewRecord) { n.Deadline = t0.AddDate(0, 0, 7) }, nil},
			{func(n *hazard.NewRecord) { n.Enterprise = entB }, hazard.ErrForbidden},
		}
		for i, tt := range tests {
			n := ok
			tt.mut(&n)
			_, err := f.l.Create(ctx, n, entIn)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("case %d: Create = %v, want %v", i, err, tt.want)
			}
		}
		_, err := f.l.Create(ctx, ok, hazard.Actor{ID: "x", Role: "guest"})
		wantErr(t, "unknown role", err, hazard.ErrForbidden)
		_, err = f.l.Create(ctx, ok, hazard.Actor{ID: "x", Role: hazard.DistrictOperator})
		wantErr(t, "district operator without district", err, hazard.ErrForbidden)
	})
}
