package monitor

import (
	"slices"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestLedgerOpensRecords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		db := storetest.Open(t, d)
		f := newFixture(t, db, nil)
		l, err := hazard.New(db, hazard.DefaultPolicy(),
			hazard.Options{Now: f.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		f.deps.Ledger = l
		f.m = f.newMonitor()
		conn := f.subscribe("kind=hazard")

		// A level-2 alarm opens a record at once; the same message
		// delivered again and the re-sends of the tick loop count the
		// same episode, so nothing more.
		f.send("GT-101", 55)
		f.send("GT-101", 55)
		f.m.tick(f.clock.Now())
		if got := records(t, db); !slices.Equal(got, []string{
			ent + "/GT-101 high_high 1"}) {
			t.Fatalf("records %q", got)
		}
		e := readLive(t, conn, 1)[0]
		if e.Enterprise != ent || e.District != dist || e.Level != 2 {
			t.Fatalf("hazard event %+v", e)
		}

		// The level-1 alarm opens one once it has been active for the
		// policy's 10 minutes, judged on a re-send.
		for range 20 {
			f.advance(30 * time.Second)
			f.send("GT-101", 55)
			f.m.tick(f.clock.Now())
			if n := len(records(t, db)); n != 1 {
				break
			}
		}
		if got := records(t, db); !slices.Equal(got, []string{
			ent + "/GT-101 high 1", ent + "/GT-101 high_high 1"}) {
			t.Fatalf("records %q", got)
		}
		readLive(t, conn, 1)
		if got := f.clock.Now().Sub(t0); got != 10*time.Minute {
			t.Errorf("level-1 record opened after %v, want 10m", got)
		}
	})
}

// records lists "point condition occurrences" of every hazard record.
func records(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.Reader().Query(`SELECT point_id, alarm_condition,
		occurrences FROM hazard_records ORDER BY point_id, alarm_condition`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p, c, n string
		if err := rows.Scan(&p, &c, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, p+" "+c+" "+n)
	}
	return out
}
