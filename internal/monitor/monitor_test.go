package monitor

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

func TestGasPointThresholds(t *testing.T) {
	steps := []struct {
		name  string
		value float64
		// journal rows this step adds, in order, and the live events'
		// levels
		want   []string
		levels []int
		// stored state of the two alarms after the step
		high, highHigh string
	}{
		{"normal", 5, nil, nil,
			"none: sql: no rows in result set",
			"none: sql: no rows in result set"},
		{"above high", 30, []string{"GT-101/high:activated"}, []int{1},
			"unacked true 1", "none: sql: no rows in result set"},
		{"above high_high", 55, []string{"GT-101/high_high:activated"},
			[]int{2}, "unacked true 1", "unacked true 1"},
		{"still above", 60, nil, nil, "unacked true 1", "unacked true 1"},
		{"back to normal", 5, []string{"GT-101/high_high:cleared",
			"GT-101/high:cleared"}, []int{2, 1},
			"rtn_unacked false 1", "rtn_unacked false 1"},
	}
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, storetest.Open(t, d), nil)
		conn := f.subscribe("kind=alarm")
		var journal []string
		for _, s := range steps {
			f.advance(10 * time.Second)
			f.send("GT-101", s.value)
			journal = append(journal, s.want...)
			if got := f.journal(); !slices.Equal(got, journal) {
				t.Fatalf("%s: journal %q, want %q", s.name, got, journal)
			}
			for i, e := range readLive(t, conn, len(s.want)) {
				v := eventData(t, e)
				got := v.Point + "/" + v.Condition + ":" + v.Kind
				if got != s.want[i] || e.Level != s.levels[i] ||
					e.District != dist || e.Enterprise != ent ||
					v.PointName != "可燃气体 T1 泵坑" || v.HazardSource != "TF-01" ||
					v.Value != s.value || v.Limit == nil || v.Episode != 1 {
					t.Fatalf("%s: live event %+v data %+v, want %s level %d",
						s.name, e, v, s.want[i], s.levels[i])
				}
			}
			if got := f.stateRow("GT-101", "high"); got != s.high {
				t.Errorf("%s: high state %q, want %q", s.name, got, s.high)
			}
			if got := f.stateRow("GT-101", "high_high"); got != s.highHigh {
				t.Errorf("%s: high_high state %q, want %q", s.name, got,
					s.highHigh)
			}
		}
	})
}

func TestUnknownPointsAndGateways(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.SQLite), nil)
	v := 99.0
	tel := &wire.Telemetry{V: 1, Readings: []wire.Reading{
		{Point: "NOPE", Time: t0.UnixMilli(), Value: &v, Quality: wire.Good},
	}}
	f.m.ObserveTelemetry(wire.Topic{Enterprise: ent, Gateway: gw}, tel, t0)
	f.m.ObserveTelemetry(wire.Topic{Enterprise: ent, Gateway: "gw-99"},
		tel, t0)
	f.m.ObserveStatus(wire.Topic{Enterprise: ent, Gateway: "gw-99"},
		wire.Status{V: 1, State: wire.StateOffline}, t0)
	if got := counterValue(f.m.m.unregistered); got != 1 {
		t.Errorf("unregistered readings %v, want 1", got)
	}
	if got := counterValue(f.m.m.mismatch); got != 2 {
		t.Errorf("gateway mismatches %v, want 2", got)
	}
	if j := f.journal(); len(j) != 0 {
		t.Errorf("journal %q, want nothing", j)
	}
}

func TestGatewayOffline(t *testing.T) {
	const gwAlarm = "gateway:gw-01/gateway_offline"
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, storetest.Open(t, d), nil)
		conn := f.subscribe("kind=alarm")
		status := func(state string) {
			f.m.ObserveStatus(wire.Topic{Enterprise: ent, Gateway: gw,
				Kind: wire.KindStatus}, wire.Status{V: 1, State: state},
				f.clock.Now())
		}

		// From the last will, and back with the birth message.
		f.send("GT-101", 5)
		status(wire.StateOffline)
		if e := readLive(t, conn, 1)[0]; e.Level != int(GatewayLevel) ||
			eventData(t, e).Kind != "activated" {
			t.Fatalf("offline event %+v", e)
		}
		f.advance(5 * time.Minute)
		f.m.tick(f.clock.Now())
		status(wire.StateOnline)
		want := []string{gwAlarm + ":activated", gwAlarm + ":cleared"}
		if got := f.journal(); !slices.Equal(got, want) {
			t.Fatalf("journal %q, want %q (no stale points)", got, want)
		}
		readLive(t, conn, 1)

		// From silence: offline once OfflineAfter has passed, as of
		// that moment; its points do not go stale meanwhile. Nobody
		// acknowledged the first outage, so this one continues its
		// episode (ISA-18.2).
		f.send("GT-101", 5)
		f.send("GT-102", 5)
		last := f.clock.Now()
		f.advance(59 * time.Second)
		f.m.tick(f.clock.Now())
		if n := len(f.journal()); n != 2 {
			t.Fatalf("offline before OfflineAfter: %q", f.journal())
		}
		f.advance(time.Second)
		f.m.tick(f.clock.Now())
		e := readLive(t, conn, 1)[0]
		if v := eventData(t, e); v.Kind != "activated" ||
			!v.Time.Equal(last.Add(time.Minute)) || v.Episode != 1 ||
			v.From != "rtn_unacked" {
			t.Fatalf("silence event %+v", v)
		}
		for range 10 {
			f.advance(time.Minute)
			f.m.tick(f.clock.Now())
		}
		f.send("GT-101", 5)
		// The episode began with the first outage, unacknowledged for
		// over EscalateAfter (15 minutes) by now.
		want = append(want, gwAlarm+":activated", gwAlarm+":escalated",
			gwAlarm+":cleared")
		if got := f.journal(); !slices.Equal(got, want) {
			t.Fatalf("journal %q, want %q", got, want)
		}
		if got := f.stateRow("gateway:gw-01", "gateway_offline"); got !=
			"rtn_unacked false 1" {
			t.Errorf("gateway alarm state %q", got)
		}
	})
}

func TestRestartKeepsEpisode(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		cfg := storetest.Config(t, d)
		db := storetest.OpenConfig(t, cfg)
		f := newFixture(t, db, nil)
		f.send("GT-101", 30)
		if _, err := f.m.Acknowledge(context.Background(),
			PointAlarmKey(ent, "GT-101", 2), "li.wei", "seen"); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}

		// A new center on the same database.
		f.db = storetest.OpenConfig(t, cfg)
		defer f.db.Close()
		f.deps.DB = f.db
		f.m = f.newMonitor()
		conn := f.subscribe("kind=alarm")
		got := f.m.Alarms(AlarmFilter{})
		if len(got) != 1 || got[0].State != "acked" || got[0].Episode != 1 ||
			!got[0].Active || got[0].AckedBy != "li.wei" {
			t.Fatalf("restored alarms %+v", got)
		}

		f.advance(10 * time.Second)
		f.send("GT-101", 31)
		f.advance(10 * time.Second)
		f.m.tick(f.clock.Now())
		want := []string{"GT-101/high:activated", "GT-101/high:acked"}
		if got := f.journal(); !slices.Equal(got, want) {
			t.Fatalf("after restart, still high: journal %q, want %q",
				got, want)
		}
		f.send("GT-101", 5)
		e := readLive(t, conn, 1)[0]
		if v := eventData(t, e); v.Kind != "cleared" || v.Episode != 1 ||
			v.State != "normal" {
			t.Fatalf("clear after restart %+v", v)
		}
		if got := f.stateRow("GT-101", "high"); got != "normal false 1" {
			t.Errorf("state %q", got)
		}
	})
}

func TestKPIAndGauges(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.SQLite), nil)
	for i := range 3 {
		f.advance(5 * time.Second)
		f.send("GT-101", 30+float64(i))
		f.advance(5 * time.Second)
		f.send("GT-101", 5)
	}
	k := f.m.KPI()
	if k.PerTenMinutes != 3 || k.Flood || len(k.Chattering) != 1 ||
		k.Chattering[0] != (AlarmRef{ent, "GT-101", "high"}) {
		t.Fatalf("KPI %+v", k)
	}
	f.send("GT-102", 60)
	f.m.tick(f.clock.Now())
	if got := gaugeValue(f.m.m.active.WithLabelValues("2")); got != 1 {
		t.Errorf("hw_alarm_active{level=2} %v, want 1", got)
	}
	if got := gaugeValue(f.m.m.rate); got != 5 {
		t.Errorf("hw_alarm_rate_10m %v, want 5", got)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		mut  func(*Config)
		want string
	}{
		{func(*Config) {}, ""},
		{func(c *Config) { c.TickInterval = 0 }, "monitor.tick_interval"},
		{func(c *Config) { c.OfflineAfter = time.Second },
			"monitor.offline_after"},
		{func(c *Config) { c.EscalateAfter = -1 }, "monitor.escalate_after"},
		{func(c *Config) { c.MaxShelve = 0 }, "monitor.max_shelve"},
		{func(c *Config) { c.LedgerResend = time.Millisecond },
			"monitor.ledger_resend"},
		{func(c *Config) { c.AnnotationQueue = 0 },
			"monitor.annotation_queue"},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		tt.mut(&c)
		err := c.Validate()
		if (tt.want == "") != (err == nil) ||
			(err != nil && !containsKey(err.Error(), tt.want)) {
			t.Errorf("Validate() = %v, want %q", err, tt.want)
		}
	}
}

func TestRegistryChangeKeepsAlarms(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.SQLite), nil)
	f.send("GT-101", 30)

	// GT-101 gets its own high limit of 35: its evaluator is rebuilt,
	// resumes the active alarm, and 30 now clears it in its episode.
	changed := strings.Replace(testRegistry, "expected_interval: 30s",
		"expected_interval: 30s\n        high: {value: 35}", 1)
	f.reg = loadRegistry(t, changed)
	f.advance(10 * time.Second)
	f.send("GT-101", 30)
	want := []string{"GT-101/high:activated", "GT-101/high:cleared"}
	if got := f.journal(); !slices.Equal(got, want) {
		t.Fatalf("journal %q, want %q", got, want)
	}
	if got := f.stateRow("GT-101", "high"); got != "rtn_unacked false 1" {
		t.Errorf("state %q", got)
	}
}
