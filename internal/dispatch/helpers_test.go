package dispatch_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/dispatch"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
	"github.com/hazardwatch/hazardwatch/internal/testclock"
	"github.com/hazardwatch/hazardwatch/internal/testsvc"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

var ctx = context.Background()

// The constructed day: 2026-12-03 in Shanghai.
const (
	day      = "2026-12-03"
	entA     = "ENT-A"
	entB     = "ENT-B"
	wuzhong  = "吴中区"
	gusu     = "姑苏区"
	chemUnit = "市应急管理局危化处"
	bucket   = "hw/autogen"
)

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at returns a Shanghai wall time in December 2026.
func at(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, shanghai) }

// atNov returns a Shanghai wall time in November 2026.
func atNov(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, shanghai) }

// reportTime is when the dispatch meeting asks: the next morning.
var reportTime = at(4, 9, 0)

// registryYAML: ENT-A has two points every 60 s (2 x 1440 expected
// readings a day), ENT-B one point every hour (24 a day).
const registryYAML = `
enterprises:
  - {code: ENT-A, name: 甲化工, district: 吴中区, industry: hazardous_chemicals, gateways: [gw-a]}
  - {code: ENT-B, name: 乙化工, district: 姑苏区, industry: hazardous_chemicals, gateways: [gw-b]}
hazard_sources:
  - code: SA
    name: 甲储罐区
    grade: 2
    enterprise: ENT-A
    points:
      - {id: A1, name: 液位, kind: level, unit: m, expected_interval: 60s}
      - {id: A2, name: 温度, kind: temperature, unit: C, expected_interval: 60s}
  - code: SB
    name: 乙储罐区
    grade: 3
    enterprise: ENT-B
    points:
      - {id: B1, name: 压力, kind: pressure, unit: MPa, expected_interval: 1h}
`

func testRegistry(t testing.TB) *registry.Registry {
	t.Helper()
	reg, err := registry.Parse([]byte(registryYAML))
	if err != nil {
		t.Fatalf("parse test registry: %v", err)
	}
	return reg
}

// influx is a private InfluxDB holding the constructed day's readings,
// shared by the dialects' subtests.
type influx struct {
	svc *testsvc.Influx
	w   *tsdb.Writer
}

func startInflux(t *testing.T) *influx {
	t.Helper()
	svc := testsvc.StartInflux(t)
	svc.CreateDatabase(t, "hw")
	cfg := tsdb.DefaultConfig()
	cfg.URL, cfg.Bucket = svc.URL(), bucket
	w, err := tsdb.NewWriter(ctx, cfg, discard(), nil)
	if err != nil {
		t.Fatalf("influx writer: %v", err)
	}
	t.Cleanup(w.Close)
	in := &influx{svc: svc, w: w}
	in.writeDay(t)
	return in
}

// writeDay writes the readings of the constructed day:
//   - A1: one good reading a minute all day (1440 of 1440), one more at
//     the next day's midnight, which belongs to the next day;
//   - A2: nothing within the day (0 of 1440), one reading a millisecond
//     before it;
//   - B1: 30 readings, every 40 minutes, one of them bad: more than the
//     24 expected, so it counts 24.
//
// A1's first hour is written twice (a replay), which must count once.
func (in *influx) writeDay(t *testing.T) {
	t.Helper()
	var b tsdb.Batch
	start := at(3, 0, 0)
	v := 1.5
	good := func(p string, ts time.Time) *wire.Reading {
		return &wire.Reading{Point: p, Time: ts.UnixMilli(), Value: &v,
			Quality: wire.Good}
	}
	for i := range 1440 {
		b.AddReading(entA, "gw-a", uint64(i+1), false,
			good("A1", start.Add(time.Duration(i)*time.Minute)))
	}
	for i := range 60 {
		b.AddReading(entA, "gw-a", uint64(i+1), true,
			good("A1", start.Add(time.Duration(i)*time.Minute)))
	}
	b.AddReading(entA, "gw-a", 5000, false, good("A1", at(4, 0, 0)))
	b.AddReading(entA, "gw-a", 5001, false,
		good("A2", start.Add(-time.Millisecond)))
	for i := range 30 {
		r := good("B1", start.Add(time.Duration(i)*40*time.Minute))
		if i == 7 {
			r.Value, r.Quality, r.Reason = nil, wire.Bad, "comm_lost"
		}
		b.AddReading(entB, "gw-b", uint64(i+1), false, r)
	}
	if _, err := in.w.Write(ctx, &b); err != nil {
		t.Fatalf("write readings: %v", err)
	}
}

// world is one dialect's database, ledger and reporter.
type world struct {
	db    *store.DB
	clock *testclock.Clock
	l     *hazard.Ledger
	r     *dispatch.Reporter
}

func newWorld(t *testing.T, d store.Dialect, in *influx) *world {
	t.Helper()
	w := &world{db: storetest.Open(t, d), clock: testclock.New(reportTime)}
	var err error
	w.l, err = hazard.New(w.db, hazard.DefaultPolicy(),
		hazard.Options{Now: w.clock.Now, Location: shanghai})
	if err != nil {
		t.Fatal(err)
	}
	reg := testRegistry(t)
	w.r, err = dispatch.NewReporter(dispatch.Deps{DB: w.db, Ledger: w.l,
		Registry: func() *registry.Registry { return reg },
		Influx:   in.w.Client(), Bucket: bucket, Org: "hazardwatch",
		Location: shanghai, Now: w.clock.Now, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// journal appends one alarm journal row as the alarm service would.
func (w *world) journal(t *testing.T, ent, point, cond string, episode int64,
	kind string, level int, ts time.Time) {
	t.Helper()
	q := w.db.Dialect().Rebind(`INSERT INTO alarm_journal (enterprise,
		point, alarm_condition, episode, kind, from_state, to_state, level,
		value, late, actor, at, recorded_at)
		VALUES (?, ?, ?, ?, ?, 'normal', 'unacked', ?, 0, ?, '', ?, ?)`)
	_, err := w.db.Writer().ExecContext(ctx, q, ent, point, cond, episode,
		kind, level, false, ts.UnixMilli(), ts.UnixMilli())
	if err != nil {
		t.Fatalf("append journal row: %v", err)
	}
}

// alarmDay writes the constructed day's alarm journal:
//   - A1 high (level 1) at 08:00, acknowledged 08:05 (300 s);
//   - A1 high_high (level 2) at 08:10, never acknowledged (an ack of
//     another episode does not count);
//   - B1 high (level 1) at 12:00, acknowledged the next day at 01:00
//     (46800 s), before the report is asked for;
//   - gw-a offline 10:00-16:00 and again from 23:00 to the end of the
//     day (2 activations of level 0, 7 h offline);
//   - gw-b offline since the previous evening (22:00), back at 03:00
//     (3 h within the day, an activation of the previous day);
//   - A2 high activated the evening before: not of this day.
func (w *world) alarmDay(t *testing.T) {
	t.Helper()
	w.journal(t, entA, "A1", "high", 1, "activated", 1, at(3, 8, 0))
	w.journal(t, entA, "A1", "high", 1, "acked", 1, at(3, 8, 5))
	w.journal(t, entA, "A1", "high_high", 4, "activated", 2, at(3, 8, 10))
	w.journal(t, entA, "A1", "high_high", 3, "acked", 2, at(3, 8, 12))
	w.journal(t, entB, "B1", "high", 3, "activated", 1, at(3, 12, 0))
	w.journal(t, entB, "B1", "high", 3, "acked", 1, at(4, 1, 0))
	w.journal(t, entA, "gateway:gw-a", "gateway_offline", 1, "activated", 0, at(3, 10, 0))
	w.journal(t, entA, "gateway:gw-a", "gateway_offline", 1, "cleared", 0, at(3, 16, 0))
	w.journal(t, entA, "gateway:gw-a", "gateway_offline", 2, "activated", 0, at(3, 23, 0))
	w.journal(t, entB, "gateway:gw-b", "gateway_offline", 7, "activated", 0, at(2, 22, 0))
	w.journal(t, entB, "gateway:gw-b", "gateway_offline", 7, "cleared", 0, at(3, 3, 0))
	w.journal(t, entA, "A2", "high", 1, "activated", 1, at(2, 23, 0))
}

var admin = hazard.Actor{ID: "admin", Role: hazard.CityAdmin}

// record files an inspection record at created with an optional
// deadline.
func (w *world) record(t *testing.T, district string, g hazard.Grade,
	created, deadline time.Time) int64 {
	t.Helper()
	w.clock.Set(created)
	ent := entA
	if district == gusu {
		ent = entB
	}
	r, err := w.l.Create(ctx, hazard.NewRecord{Origin: hazard.FromInspection,
		Grade: g, Title: "检查发现", Enterprise: ent, District: district,
		Industry: "hazardous_chemicals", HazardSource: "S", Deadline: deadline},
		admin)
	if err != nil {
		t.Fatalf("create record: %v", err)
	}
	return r.ID
}

// close walks record id to closed: plan and submission at submitted,
// verification at verified (zero: left awaiting verification).
func (w *world) close(t *testing.T, id int64, submitted, verified time.Time) {
	t.Helper()
	w.clock.Set(submitted)
	plan := hazard.Plan{Owner: "张三", Measures: "更换", Contingency: "预案"}
	if _, err := w.l.StartRectification(ctx, id, plan, admin); err != nil {
		t.Fatalf("start rectification %d: %v", id, err)
	}
	if _, err := w.l.SubmitForVerification(ctx, id, admin, "done"); err != nil {
		t.Fatalf("submit %d: %v", id, err)
	}
	if verified.IsZero() {
		return
	}
	w.clock.Set(verified)
	if _, err := w.l.Verify(ctx, id, admin, true, "ok"); err != nil {
		t.Fatalf("verify %d: %v", id, err)
	}
}

// hazardDay fills the ledger:
//
//	R1 吴中区 general, created 11-28, open, deadline far       -> open
//	R2 吴中区 general, created on the day                      -> opened, open
//	R3 吴中区 major, deadline 11-20, reminded 11-21            -> open, overdue
//	R4 姑苏区 general, deadline 11-30, never escalated          -> open, overdue
//	R5 姑苏区 general, closed on the day at 14:00               -> closed
//	R6 吴中区 general, submitted 12-01, closed 12-04 08:00      -> open at end
//	R7 吴中区 general, cancelled 11-06                          -> nothing
//	R8 吴中区 general, created 12-04 07:00                      -> nothing
func (w *world) hazardDay(t *testing.T) {
	t.Helper()
	w.record(t, wuzhong, hazard.General, atNov(28, 10), time.Time{})
	w.record(t, wuzhong, hazard.General, at(3, 9, 0), time.Time{})
	w.record(t, wuzhong, hazard.Major, atNov(1, 10), atNov(20, 10))
	w.clock.Set(atNov(21, 10))
	if _, err := w.l.Escalate(ctx, atNov(21, 10)); err != nil {
		t.Fatal(err)
	}
	w.record(t, gusu, hazard.General, atNov(10, 10), atNov(30, 10))
	r5 := w.record(t, gusu, hazard.General, atNov(15, 10), time.Time{})
	w.close(t, r5, at(2, 10, 0), at(3, 14, 0))
	r6 := w.record(t, wuzhong, hazard.General, atNov(20, 10), time.Time{})
	w.close(t, r6, at(1, 10, 0), at(4, 8, 0))
	r7 := w.record(t, wuzhong, hazard.General, atNov(5, 10), time.Time{})
	w.clock.Set(atNov(6, 10))
	if _, err := w.l.Cancel(ctx, r7, admin, "duplicate"); err != nil {
		t.Fatal(err)
	}
	w.record(t, wuzhong, hazard.General, at(4, 7, 0), time.Time{})
	w.clock.Set(reportTime)
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
