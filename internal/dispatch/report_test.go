package dispatch_test

import (
	"errors"
	"math"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/dispatch"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// TestReport checks every number of the constructed day on SQLite and
// PostgreSQL against a real InfluxDB.
func TestReport(t *testing.T) {
	if testing.Short() {
		t.Skip("needs InfluxDB and PostgreSQL")
	}
	in := startInflux(t)
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, in)
		w.alarmDay(t)
		w.hazardDay(t)
		rep, err := w.r.Build(ctx, day, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Run("window", func(t *testing.T) { checkWindow(t, rep) })
		t.Run("alarms", func(t *testing.T) { checkAlarms(t, rep.Alarms) })
		t.Run("hazards", func(t *testing.T) { checkHazards(t, rep.Hazards) })
		t.Run("data", func(t *testing.T) { checkData(t, rep.Data) })
		t.Run("lagging", func(t *testing.T) { checkLagging(t, rep.Lagging) })
		t.Run("district", func(t *testing.T) { checkDistrict(t, w) })
		t.Run("partial", func(t *testing.T) { checkPartial(t, w) })
		t.Run("http", func(t *testing.T) { checkHTTP(t, w) })
	})
}

func checkWindow(t *testing.T, rep *dispatch.Report) {
	if !rep.From.Equal(at(3, 0, 0)) || !rep.To.Equal(at(4, 0, 0)) ||
		!rep.Until.Equal(rep.To) || rep.Partial {
		t.Errorf("window %v..%v until %v partial %v", rep.From, rep.To,
			rep.Until, rep.Partial)
	}
	if rep.TimeZone != "Asia/Shanghai" || rep.Date != day {
		t.Errorf("date %s zone %s", rep.Date, rep.TimeZone)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkCount(t *testing.T, what string, got dispatch.AlarmCount, act, acked int, mtta float64) {
	t.Helper()
	if got.Activations != act || got.Acknowledged != acked ||
		got.Unacknowledged != act-acked || !near(got.MeanTimeToAck, mtta) {
		t.Errorf("%s: got %+v, want %d activations, %d acked, mtta %v",
			what, got, act, acked, mtta)
	}
}

func checkAlarms(t *testing.T, a dispatch.AlarmSection) {
	checkCount(t, "total", a.Total, 5, 2, (300+46800)/2)
	wantLevels := []struct {
		key        string
		act, acked int
		mtta       float64
	}{{"0", 2, 0, 0}, {"1", 2, 2, (300 + 46800) / 2}, {"2", 1, 0, 0}}
	if len(a.ByLevel) != len(wantLevels) {
		t.Fatalf("by level: %+v", a.ByLevel)
	}
	for i, w := range wantLevels {
		if a.ByLevel[i].Key != w.key {
			t.Errorf("level %d: key %s, want %s", i, a.ByLevel[i].Key, w.key)
		}
		checkCount(t, "level "+w.key, a.ByLevel[i].AlarmCount, w.act, w.acked, w.mtta)
	}
	if len(a.ByDistrict) != 2 {
		t.Fatalf("by district: %+v", a.ByDistrict)
	}
	for _, g := range a.ByDistrict {
		switch g.Key {
		case wuzhong:
			checkCount(t, g.Key, g.AlarmCount, 4, 1, 300)
		case gusu:
			checkCount(t, g.Key, g.AlarmCount, 1, 1, 46800)
		default:
			t.Errorf("unexpected district %q", g.Key)
		}
	}
	if len(a.ByEnterprise) != 2 || a.ByEnterprise[0].Key != entA ||
		a.ByEnterprise[0].Name != "甲化工" || a.ByEnterprise[0].District != wuzhong {
		t.Fatalf("by enterprise: %+v", a.ByEnterprise)
	}
	checkCount(t, entA, a.ByEnterprise[0].AlarmCount, 4, 1, 300)
	checkCount(t, entB, a.ByEnterprise[1].AlarmCount, 1, 1, 46800)
}

func checkHazards(t *testing.T, h dispatch.HazardSection) {
	want := dispatch.HazardCount{Opened: 1, Closed: 1, OpenAtEnd: 5, OverdueAtEnd: 2}
	if h.Total != want {
		t.Errorf("total %+v, want %+v", h.Total, want)
	}
	wantGroups := []dispatch.HazardGroup{
		{District: wuzhong, Grade: hazard.General, HazardCount: dispatch.HazardCount{
			Opened: 1, OpenAtEnd: 3}},
		{District: wuzhong, Grade: hazard.Major, HazardCount: dispatch.HazardCount{
			OpenAtEnd: 1, OverdueAtEnd: 1}},
		{District: gusu, Grade: hazard.General, HazardCount: dispatch.HazardCount{
			Closed: 1, OpenAtEnd: 1, OverdueAtEnd: 1}},
	}
	got := map[string]dispatch.HazardGroup{}
	for _, g := range h.ByDistrictGrade {
		got[g.District+string(g.Grade)] = g
	}
	if len(got) != len(wantGroups) {
		t.Errorf("groups %+v", h.ByDistrictGrade)
	}
	for _, w := range wantGroups {
		if g := got[w.District+string(w.Grade)]; g != w {
			t.Errorf("%s %s: %+v, want %+v", w.District, w.Grade, g, w)
		}
	}
	units := map[string]int{}
	for _, u := range h.OverdueByUnit {
		units[u.Unit] = u.OverdueAtEnd
	}
	if len(units) != 2 || units[chemUnit] != 1 || units["姑苏区应急管理局"] != 1 {
		t.Errorf("overdue by unit %+v", h.OverdueByUnit)
	}
	rates := map[string]float64{}
	for _, g := range append(h.RatesByDistrict, h.RatesByUnit...) {
		rates[g.Key] = g.RectificationRate
	}
	wantRates := map[string]float64{wuzhong: 0.25, gusu: 0.5,
		"吴中区应急管理局": 1.0 / 3, chemUnit: 0, "姑苏区应急管理局": 0.5}
	for k, v := range wantRates {
		if r, ok := rates[k]; !ok || !near(r, v) {
			t.Errorf("rectification rate of %s: %v (%v), want %v", k, r, ok, v)
		}
	}
}

func checkData(t *testing.T, d dispatch.DataSection) {
	if len(d.Enterprises) != 2 {
		t.Fatalf("enterprises %+v", d.Enterprises)
	}
	a, b := d.Enterprises[0], d.Enterprises[1] // 吴中区 sorts first
	if a.Enterprise != entA || b.Enterprise != entB {
		t.Fatalf("enterprise order %s, %s", d.Enterprises[0].Enterprise,
			d.Enterprises[1].Enterprise)
	}
	if a.Points != 2 || a.Expected != 2880 || a.Received != 1440 ||
		a.Bad != 0 || !near(a.Completeness, 0.5) {
		t.Errorf("ENT-A data %+v, want 1440 of 2880 (50%%)", a)
	}
	if b.Expected != 24 || b.Received != 24 || b.Bad != 1 ||
		!near(b.Completeness, 1) {
		t.Errorf("ENT-B data %+v, want 24 of 24 with 1 bad", b)
	}
	if a.Gateways != 1 || a.OfflineSeconds != 25200 ||
		!near(a.OnlineRate, 1-25200.0/86400) {
		t.Errorf("ENT-A online %+v, want 7 h offline", a)
	}
	if b.Gateways != 1 || b.OfflineSeconds != 10800 ||
		!near(b.OnlineRate, 0.875) {
		t.Errorf("ENT-B online %+v, want 3 h offline", b)
	}
	want := []dispatch.GatewayOffline{
		{Enterprise: entA, Name: "甲化工", District: wuzhong, Gateway: "gw-a",
			Episodes: 2, OfflineSeconds: 25200, OfflineAtEnd: true},
		{Enterprise: entB, Name: "乙化工", District: gusu, Gateway: "gw-b",
			Episodes: 1, OfflineSeconds: 10800},
	}
	if len(d.OfflineGateways) != 2 || d.OfflineGateways[0] != want[0] ||
		d.OfflineGateways[1] != want[1] {
		t.Errorf("offline gateways %+v, want %+v", d.OfflineGateways, want)
	}
	if len(d.Districts) != 2 || d.Districts[0].District != wuzhong ||
		!near(d.Districts[0].Completeness, 0.5) || !near(d.Districts[1].Completeness, 1) {
		t.Errorf("districts %+v", d.Districts)
	}
}

func checkLagging(t *testing.T, l dispatch.Lagging) {
	wantC := []dispatch.Lag{{Rank: 1, Kind: dispatch.LagDistrict, Name: wuzhong, Value: 0.5}}
	if !equalLags(l.Completeness, wantC) {
		t.Errorf("completeness %+v, want %+v", l.Completeness, wantC)
	}
	if len(l.Overdue) != 4 {
		t.Errorf("overdue %+v, want two districts and two units", l.Overdue)
	}
	for _, x := range l.Overdue {
		if x.Rank != 1 || x.Value != 1 {
			t.Errorf("overdue %+v, want all first with 1", x)
		}
	}
	wantR := []dispatch.Lag{
		{Rank: 1, Kind: dispatch.LagDepartment, Name: chemUnit, Value: 0},
		{Rank: 2, Kind: dispatch.LagDistrict, Name: wuzhong, Value: 0.25},
		{Rank: 3, Kind: dispatch.LagDepartment, Name: "吴中区应急管理局", Value: 1.0 / 3},
		{Rank: 4, Kind: dispatch.LagDepartment, Name: "姑苏区应急管理局", Value: 0.5},
		{Rank: 4, Kind: dispatch.LagDistrict, Name: gusu, Value: 0.5},
	}
	if !equalLags(l.Rectification, wantR) {
		t.Errorf("rectification %+v\nwant %+v", l.Rectification, wantR)
	}
}

func equalLags(a, b []dispatch.Lag) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Rank != b[i].Rank || a[i].Kind != b[i].Kind ||
			a[i].Name != b[i].Name || !near(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

// checkDistrict: a district's report holds only its own district.
func checkDistrict(t *testing.T, w *world) {
	rep, err := w.r.Build(ctx, day, wuzhong)
	if err != nil {
		t.Fatal(err)
	}
	checkCount(t, "吴中区 total", rep.Alarms.Total, 4, 1, 300)
	if len(rep.Alarms.ByEnterprise) != 1 || len(rep.Data.Enterprises) != 1 ||
		rep.Data.Enterprises[0].Enterprise != entA ||
		len(rep.Data.OfflineGateways) != 1 {
		t.Errorf("district report has other districts: %+v", rep.Data)
	}
	want := dispatch.HazardCount{Opened: 1, OpenAtEnd: 4, OverdueAtEnd: 1}
	if rep.Hazards.Total != want {
		t.Errorf("district hazards %+v, want %+v", rep.Hazards.Total, want)
	}
	for _, g := range rep.Hazards.RatesByDistrict {
		if g.Key != wuzhong {
			t.Errorf("rates of %s in 吴中区's report", g.Key)
		}
	}
}

// checkPartial: the day still running counts up to now; a day not begun
// is refused.
func checkPartial(t *testing.T, w *world) {
	w.clock.Set(at(3, 12, 0))
	defer w.clock.Set(reportTime)
	rep, err := w.r.Build(ctx, day, "")
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Data.Enterprises[0]
	if !rep.Partial || a.Expected != 2*720 || a.Received != 720 {
		t.Errorf("partial day: partial %v, ENT-A %+v, want 720 of 1440",
			rep.Partial, a)
	}
	// gw-a offline 10:00-12:00 so far; B1's ack at 01:00 lies ahead.
	if a.OfflineSeconds != 7200 || rep.Alarms.Total.Activations != 3 ||
		rep.Alarms.Total.Acknowledged != 1 {
		t.Errorf("partial day: offline %v, alarms %+v", a.OfflineSeconds,
			rep.Alarms.Total)
	}
	if _, err := w.r.Build(ctx, "2026-12-05", ""); !errors.Is(err, dispatch.ErrFutureDay) {
		t.Errorf("future day: %v, want ErrFutureDay", err)
	}
	if _, err := w.r.Build(ctx, "3.12.2026", ""); !errors.Is(err, dispatch.ErrBadDate) {
		t.Errorf("bad date: %v, want ErrBadDate", err)
	}
}
