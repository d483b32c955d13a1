package hazard_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestEscalate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		late := f.create(t, hazard.General) // deadline t0+30d
		done := f.create(t, hazard.General) // submitted in time
		f.advance(t, done.ID, hazard.AwaitingVerification)
		deadline := late.Deadline

		escalate := func(id int64, at time.Time) []hazard.Action {
			evs, err := f.l.Escalate(ctx, at)
			wantErr(t, "escalate", err, nil)
			var out []hazard.Action
			for _, e := range evs {
				if e.RecordID != id {
					t.Fatalf("record %d escalated", e.RecordID)
				}
				out = append(out, e.Kind)
			}
			return out
		}
		steps := []struct {
			at   time.Time
			want []hazard.Action
		}{
			{deadline.Add(-time.Minute), nil},
			{deadline, []hazard.Action{hazard.ActRemind}},
			{deadline.Add(time.Hour), nil},
			{deadline.AddDate(0, 0, 7).Add(-time.Minute), nil},
			{deadline.AddDate(0, 0, 7), []hazard.Action{hazard.ActSupervise}},
			{deadline.AddDate(0, 0, 30), nil},
		}
		for _, s := range steps {
			if got := escalate(late.ID, s.at); !slices.Equal(got, s.want) {
				t.Fatalf("escalate at %s: %v, want %v", s.at, got, s.want)
			}
		}
		r := get(t, f, late.ID)
		checkHistory(t, r)
		if r.OverdueStage != hazard.Supervised || len(r.History) != 3 || r.Version != 1 {
			t.Fatalf("stage %s, %d history rows, version %d", r.OverdueStage, len(r.History), r.Version)
		}

		// Both stages are due at once when escalation ran late.
		f2 := f.create(t, hazard.Major)
		got := escalate(f2.ID, f2.Deadline.AddDate(0, 0, 8))
		if !slices.Equal(got, []hazard.Action{hazard.ActRemind, hazard.ActSupervise}) {
			t.Fatalf("late run: %v", got)
		}

		f.clock.Set(deadline.AddDate(0, 0, 100))
		yes, no := true, false
		for _, c := range []struct {
			overdue *bool
			want    int
		}{{&yes, 2}, {&no, 1}} {
			page, err := f.l.List(ctx, hazard.Filter{Overdue: c.overdue}, admin)
			wantErr(t, "list overdue", err, nil)
			if len(page.Records) != c.want {
				t.Errorf("overdue=%v: %d records, want %d", *c.overdue, len(page.Records), c.want)
			}
		}
	})
}

func TestExportCSV(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		r, err := f.l.Create(ctx, hazard.NewRecord{Origin: hazard.FromSelfReport,
			Grade: hazard.Major, Title: "=HYPERLINK(\"x\")", Description: "液氨储罐，\"压力\"表失灵\n需更换",
			Enterprise: entA, District: distA, Industry: chem, HazardSource: "罐区一",
			HazardSourceGrade: 1}, entIn)
		wantErr(t, "create", err, nil)
		var buf bytes.Buffer
		wantErr(t, "export", f.l.ExportCSV(ctx, &buf, hazard.Filter{}, admin), nil)
		if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) {
			t.Fatalf("export does not start with the UTF-8 BOM: % x", buf.Bytes()[:3])
		}
		rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
		if err != nil {
			t.Fatalf("parse export: %v", err)
		}
		if len(rows) != 2 || rows[0][0] != "编号" || rows[0][6] != "企业" {
			t.Fatalf("rows %d header %v", len(rows), rows[0])
		}
		row := strings.Join(rows[1], "|")
		for _, want := range []string{"重大隐患", "待整改", "液氨储罐，\"压力\"表失灵\n需更换",
			distA, "罐区一", "1级", chemU, "'=HYPERLINK"} {
			if !strings.Contains(row, want) {
				t.Errorf("export row lacks %q: %s", want, row)
			}
		}
		if rows[1][0] != strconv.FormatInt(r.ID, 10) {
			t.Errorf("id cell %q, want %d", rows[1][0], r.ID)
		}
	})
}
