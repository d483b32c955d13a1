package e2e

import (
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/dispatch"
	"github.com/hazardwatch/hazardwatch/internal/monitor"
	"github.com/hazardwatch/hazardwatch/internal/sim"
)

// TestGasLeakRaisesAndClearsAlarm runs the demo with its gas leak made
// faster: GT-102 climbs from 5 to 62 %LEL from 3 s to 8 s after start and
// falls back from 14 s. The registry gives GT-102 no limits of its own, so
// the GB/T 50493-2019 defaults apply: level 1 at 25 %LEL (high), level 2
// at 50 %LEL (high_high). Both alarms are raised, then return to normal.
// The level-2 alarm opens one major hazard record routed to the city,
// which is walked to closed (see walkHazard). Stopping the edge makes the
// gateway offline, which raises its alarm.
func TestGasLeakRaisesAndClearsAlarm(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	p := startPlantWith(t, 250*time.Millisecond, func(sc *sim.Scenario) {
		s, ok := sc.Signal("GT-102")
		if !ok {
			t.Fatal("no GT-102 in the demo scenario")
		}
		s.Events = []sim.Event{
			{At: 3 * time.Second, To: sim.Target{Value: 62}, Ramp: 5 * time.Second},
			{At: 14 * time.Second, To: sim.Target{Base: true}, Ramp: 2 * time.Second},
		}
	})
	c := p.runCenter()
	p.runEdge()
	api := "http://" + c.Addr() + "/api/v1/alarms?enterprise=" + p.edgeCfg.Gateway.Enterprise

	alarmOf := func(point, cond string) (monitor.AlarmView, bool) {
		for _, a := range getJSON[[]monitor.AlarmView](t, p.token, api) {
			if a.Point == point && a.Condition == cond {
				return a, true
			}
		}
		return monitor.AlarmView{}, false
	}
	var hh monitor.AlarmView
	waitFor(t, 30*time.Second, "a level-2 high_high alarm on GT-102", func() bool {
		a, ok := alarmOf("GT-102", "high_high")
		hh = a
		return ok && a.Active
	})
	if hh.Level != 2 || hh.State != "unacked" || hh.Value < 50 {
		t.Fatalf("high_high alarm: %+v", hh)
	}
	if a, ok := alarmOf("GT-102", "high"); !ok || a.Level != 1 {
		t.Fatalf("no level-1 high alarm beside it: %+v", a)
	}
	waitFor(t, 30*time.Second, "both alarms to return to normal", func() bool {
		a, _ := alarmOf("GT-102", "high_high")
		b, _ := alarmOf("GT-102", "high")
		return !a.Active && a.State == "rtn_unacked" && !b.Active && b.State == "rtn_unacked"
	})
	for _, other := range []string{"GT-101", "GT-103", "GT-104"} {
		if a, ok := alarmOf(other, "high"); ok {
			t.Errorf("alarm on %s, which did not leak: %+v", other, a)
		}
	}

	// The level-2 alarm opened one major hazard record, which the right
	// roles walk to closed.
	p.walkHazard(t, "http://"+c.Addr())

	// Today's dispatch report counts the leak's alarms and the record.
	p.checkDispatch(t, "http://"+c.Addr())

	// The gateway goes away: its offline status raises the gateway alarm.
	p.stopEdge()
	waitFor(t, 30*time.Second, "a gateway offline alarm", func() bool {
		a, ok := alarmOf("gateway:gw-01", "gateway_offline")
		return ok && a.Active
	})
	t.Logf("high_high raised at %v", hh.ActiveSince)
}

// checkDispatch reads today's dispatch report as a city operator would:
// the leak's two activations (high, high_high) and the record it opened
// and the operators closed are counted.
func (p *plant) checkDispatch(t *testing.T, base string) {
	today := time.Now().In(shanghai(t)).Format("2006-01-02")
	rep := getJSON[dispatch.Report](t, p.token, base+"/api/v1/dispatch?date="+today)
	if rep.Alarms.Total.Activations < 2 {
		t.Errorf("dispatch report: %d alarm activations, want at least 2", rep.Alarms.Total.Activations)
	}
	if rep.Hazards.Total.Opened != 1 || rep.Hazards.Total.Closed != 1 {
		t.Errorf("dispatch report: hazards %+v, want 1 opened and 1 closed", rep.Hazards.Total)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
