package hazard_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// edges are the transitions the lifecycle allows, restated by hand.
var edges = map[[2]hazard.Status]bool{
	{hazard.Open, hazard.Rectifying}:                 true,
	{hazard.Rectifying, hazard.AwaitingVerification}: true,
	{hazard.AwaitingVerification, hazard.Closed}:     true,
	{hazard.AwaitingVerification, hazard.Rectifying}: true,
	{hazard.Open, hazard.Cancelled}:                  true,
	{hazard.Rectifying, hazard.Cancelled}:            true,
	{hazard.Cancelled, hazard.Open}:                  true,
	{hazard.Open, hazard.Open}:                       true, // escalation
	{hazard.Rectifying, hazard.Rectifying}:           true, // escalation
}

// TestRandomSequences applies seeded random operations by random actors
// to a few records: every success follows an allowed edge, every failure
// is a typed error and changes nothing, and histories chain.
func TestRandomSequences(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		steps := 400
		if testing.Short() {
			steps = 100
		}
		f := newFixture(t, d)
		rng := rand.New(rand.NewPCG(20250301, uint64(len(d))))
		ids := []int64{f.create(t, hazard.General).ID, f.create(t, hazard.Major).ID}
		r, _, err := f.l.OnAlarm(ctx, signal("LEL-9", 2, 1))
		wantErr(t, "alarm record", err, nil)
		ids = append(ids, r.ID)
		names := []string{"admin", "oper", "distIn", "distOut", "deptIn", "deptOut", "entIn", "entOut"}
		now := t0
		for i := range steps {
			id := ids[rng.IntN(len(ids))]
			before := get(t, f, id)
			if rng.IntN(10) == 0 {
				now = now.Add(time.Duration(rng.IntN(40*24)) * time.Hour)
				f.clock.Set(now)
				_, err := f.l.Escalate(ctx, now)
				wantErr(t, "escalate", err, nil)
				continue
			}
			o := ops[rng.IntN(len(ops))]
			name := names[rng.IntN(len(names))]
			err := o.run(f, id, actors[name])
			after := get(t, f, id)
			checkStep(t, i, o.name+" by "+name, before, after, err)
		}
		for _, id := range ids {
			checkHistory(t, get(t, f, id))
		}
	})
}

func get(t *testing.T, f *fixture, id int64) *hazard.Record {
	t.Helper()
	r, err := f.l.Get(ctx, id, admin)
	if err != nil {
		t.Fatalf("get %d: %v", id, err)
	}
	return r
}

func checkStep(t *testing.T, i int, what string, before, after *hazard.Record, err error) {
	t.Helper()
	if err != nil {
		typed := errors.Is(err, hazard.ErrForbidden) ||
			errors.Is(err, hazard.ErrInvalidTransition) ||
			errors.Is(err, hazard.ErrValidation) || errors.Is(err, hazard.ErrConflict)
		if !typed {
			t.Fatalf("step %d %s: untyped error %v", i, what, err)
		}
		if after.Status != before.Status || after.Version != before.Version {
			t.Fatalf("step %d %s failed (%v) but changed the record", i, what, err)
		}
		return
	}
	if before.Status != after.Status && !edges[[2]hazard.Status{before.Status, after.Status}] {
		t.Fatalf("step %d %s: forbidden edge %s -> %s", i, what, before.Status, after.Status)
	}
	if after.Status == hazard.Closed && after.History[len(after.History)-1].Action != hazard.ActVerify {
		t.Fatalf("step %d %s: closed without verification", i, what)
	}
}
