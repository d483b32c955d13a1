package rules

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// step is one input of a scenario: a sample, a tick or a gateway change,
// at t0 plus at.
type step struct {
	at       time.Duration
	op       byte // 's' sample (default), 't' tick, 'u' gateway up, 'd' down
	v        float64
	q        Quality
	replayed bool
	want     string // the transitions it causes, see brief
}

// brief renders transitions as "high+@10s high_high-late@1m0s": condition,
// + for active or - for cleared, "late" when marked, and the offset from t0.
func brief(ts []Transition) string {
	var b []string
	for _, t := range ts {
		s := t.Condition.String() + "-"
		if t.Active {
			s = t.Condition.String() + "+"
		}
		if t.Late {
			s += "late"
		}
		b = append(b, s+"@"+t.Time.Sub(t0).String())
	}
	return strings.Join(b, " ")
}

func run(t *testing.T, e *Evaluator, steps []step) {
	t.Helper()
	for i, s := range steps {
		at := t0.Add(s.at)
		var got []Transition
		switch s.op {
		case 't':
			got = e.Tick(at)
		case 'u', 'd':
			got = e.SetGatewayOnline(s.op == 'u', at)
		default:
			q := s.q
			if q == 0 {
				q = Good
			}
			got = e.Observe(Sample{Time: at, Value: s.v, Quality: q,
				Replayed: s.replayed})
		}
		if g := brief(got); g != s.want {
			t.Fatalf("step %d (%c at %v, v %g): got %q, want %q",
				i, s.op, s.at, s.v, g, s.want)
		}
	}
}

func mustEval(t *testing.T, c Config) *Evaluator {
	t.Helper()
	e, err := NewEvaluator(c.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

const sec = time.Second

func gas() Config {
	return Config{Kind: CombustibleGas, Unit: "%LEL", RangeHigh: 100}
}

func TestEvaluatorScenarios(t *testing.T) {
	withDelays := gas()
	withDelays.OnDelay, withDelays.OffDelay = 5*sec, 10*sec
	withDeadband := gas()
	withDeadband.Deadband = 2
	level := Config{Kind: LiquidLevel, Unit: "m", RangeHigh: 20,
		LowLow: &Limit{1, Level2}, Low: &Limit{2, Level1},
		High: &Limit{15, Level1}, HighHigh: &Limit{18, Level2}}
	stale := gas()
	stale.ExpectedInterval = 10 * sec
	roc := Config{Kind: Temperature, Unit: "C",
		RateOfChange: &RateLimit{PerMinute: 5}}

	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{"high then both highs then back", gas(), []step{
			{at: 0, v: 10},
			{at: 1 * sec, v: 25, want: "high+@1s"},
			{at: 2 * sec, v: 60, want: "high_high+@2s"},
			{at: 3 * sec, v: 49.9, want: "high_high-@3s"},
			{at: 4 * sec, v: 24.9, want: "high-@4s"},
		}},
		{"jump over both highs raises both", gas(), []step{
			{at: 0, v: 80, want: "high_high+@0s high+@0s"},
			{at: 1 * sec, v: 0, want: "high_high-@1s high-@1s"},
		}},
		{"lows", level, []step{
			{at: 0, v: 5},
			{at: 1 * sec, v: 2, want: "low+@1s"},
			{at: 2 * sec, v: 0.5, want: "low_low+@2s"},
			{at: 3 * sec, v: 1.5, want: "low_low-@3s"},
			{at: 4 * sec, v: 2.1, want: "low-@4s"},
			{at: 5 * sec, v: 18, want: "high_high+@5s high+@5s"},
		}},
		{"deadband holds the alarm", withDeadband, []step{
			{at: 0, v: 26, want: "high+@0s"},
			{at: 1 * sec, v: 24},
			{at: 2 * sec, v: 23},
			{at: 3 * sec, v: 22.9, want: "high-@3s"},
			{at: 4 * sec, v: 24.9},
			{at: 5 * sec, v: 25, want: "high+@5s"},
		}},
		{"spike shorter than on-delay raises nothing", withDelays, []step{
			{at: 0, v: 10},
			{at: 1 * sec, v: 30},
			{at: 5 * sec, v: 10},
			{at: 60 * sec, op: 't'},
		}},
		{"on-delay elapses with the next sample", withDelays, []step{
			{at: 0, v: 30},
			{at: 4 * sec, v: 31},
			{at: 7 * sec, v: 32, want: "high+@5s"},
		}},
		{"on-delay and off-delay elapse by tick", withDelays, []step{
			{at: 0, v: 30},
			{at: 4 * sec, op: 't'},
			{at: 5 * sec, op: 't', want: "high+@5s"},
			{at: 6 * sec, v: 10},
			{at: 15 * sec, op: 't'},
			{at: 16 * sec, op: 't', want: "high-@16s"},
		}},
		{"off-delay restarts when the value returns", withDelays, []step{
			{at: 0, v: 30},
			{at: 5 * sec, op: 't', want: "high+@5s"},
			{at: 6 * sec, v: 10},
			{at: 12 * sec, v: 30},
			{at: 14 * sec, v: 10},
			{at: 23 * sec, op: 't'},
			{at: 24 * sec, op: 't', want: "high-@24s"},
		}},
		{"bad sample raises sensor fault and keeps limits", gas(), []step{
			{at: 0, v: 30, want: "high+@0s"},
			{at: 1 * sec, q: Bad, want: "sensor_fault+@1s"},
			{at: 2 * sec, q: Bad},
			{at: 3 * sec, v: 10, want: "sensor_fault-@3s high-@3s"},
		}},
		{"unknown quality counts as bad", gas(), []step{
			{at: 0, v: 30, q: 9, want: "sensor_fault+@0s"},
		}},
		{"uncertain is evaluated", gas(), []step{
			{at: 0, v: 30, q: Uncertain, want: "high+@0s"},
		}},
		{"out of range is a sensor fault", gas(), []step{
			{at: 0, v: 101, want: "sensor_fault+@0s"},
			{at: 1 * sec, v: 100, want: "sensor_fault-@1s high_high+@1s high+@1s"},
			{at: 2 * sec, v: -0.1, want: "sensor_fault+@2s"},
		}},
		{"stale by tick, cleared by the next sample", stale, []step{
			{at: 0, v: 1},
			{at: 30 * sec, op: 't'},
			{at: 31 * sec, op: 't', want: "stale+@30s"},
			{at: 40 * sec, op: 't'},
			{at: 41 * sec, v: 1, want: "stale-@41s"},
		}},
		{"never reporting point goes stale", stale, []step{
			{at: 0, op: 't'},
			{at: 31 * sec, op: 't', want: "stale+@30s"},
		}},
		{"offline gateway is not stale", stale, []step{
			{at: 0, v: 1},
			{at: 5 * sec, op: 'd', want: "gateway_offline+@5s"},
			{at: 5 * sec, op: 'd'},
			{at: 100 * sec, op: 't'},
			{at: 110 * sec, op: 'u', want: "gateway_offline-@1m50s"},
			{at: 140 * sec, op: 't'},
			{at: 141 * sec, op: 't', want: "stale+@2m20s"},
		}},
		{"replayed sample clears stale no earlier than it rose", stale,
			[]step{
				{at: 0, v: 1},
				{at: 40 * sec, op: 't', want: "stale+@30s"},
				{at: 10 * sec, v: 1, replayed: true, want: "stale-late@30s"},
				{at: 20 * sec, v: 1, replayed: true},
			}},
		{"delays need data across an outage", withDelays, []step{
			{at: 0, v: 30},
			{at: 2 * sec, op: 'd', want: "gateway_offline+@2s"},
			{at: 60 * sec, op: 't'},
			{at: 70 * sec, op: 'u', want: "gateway_offline-@1m10s"},
			{at: 71 * sec, v: 30},
			{at: 75 * sec, op: 't'},
			{at: 76 * sec, op: 't', want: "high+@1m16s"},
		}},
		{"delays need data across a stale gap", func() Config {
			c := withDelays
			c.ExpectedInterval = time.Second
			return c
		}(), []step{
			{at: 0, v: 30},
			{at: 2 * sec, op: 't'},
			{at: 4 * sec, op: 't', want: "stale+@3s"},
			{at: 8 * sec, v: 30, want: "stale-@8s"},
			{at: 10 * sec, v: 30},
			{at: 12 * sec, v: 30},
			{at: 13 * sec, op: 't', want: "high+@13s"},
		}},
		{"duplicate samples change nothing", gas(), []step{
			{at: 0, v: 30, want: "high+@0s"},
			{at: 0, v: 30},
			{at: 0, v: 30, replayed: true},
		}},
		{"rate of change within a minute", roc, []step{
			{at: 0, v: 20},
			{at: 20 * sec, v: 22},
			{at: 40 * sec, v: 25, want: "rate_of_change+@40s"},
			{at: 60 * sec, v: 26},
			{at: 90 * sec, v: 27, want: "rate_of_change-@1m30s"},
			{at: 100 * sec, v: 19, want: "rate_of_change+@1m40s"},
		}},
		{"replayed in-order samples give late transitions", gas(), []step{
			{at: 0, v: 30, replayed: true, want: "high+late@0s"},
			{at: 1 * sec, v: 10, replayed: true, want: "high-late@1s"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run(t, mustEval(t, tt.cfg), tt.steps)
		})
	}
}

func TestMethaneTriple(t *testing.T) {
	cfg := Config{Kind: Methane, Unit: "%", RangeHigh: 4}
	cfg.OnDelay = time.Minute // must not delay methane
	run(t, mustEval(t, cfg), []step{
		{at: 0, v: 0.5},
		{at: 1 * sec, v: 0.99},
		{at: 2 * sec, v: 1.0, want: "methane_alarm+@2s"},
		{at: 3 * sec, v: 1.49},
		{at: 4 * sec, v: 1.5, want: "methane_power_off+@4s"},
		{at: 5 * sec, v: 1.0},
		{at: 6 * sec, v: 1.2},
		{at: 7 * sec, v: 0.99,
			want: "methane_alarm-@7s methane_power_off-@7s"},
		{at: 8 * sec, v: 1.7,
			want: "methane_alarm+@8s methane_power_off+@8s"},
	})
}

func TestMethaneRestoreBelowAlarm(t *testing.T) {
	cfg := Config{Kind: Methane, Unit: "%",
		Methane: &MethaneTriple{Alarm: 0.8, PowerOff: 1.0, Restore: 0.7}}
	run(t, mustEval(t, cfg), []step{
		{at: 0, v: 0.8, want: "methane_alarm+@0s"},
		{at: 1 * sec, v: 0.75},
		{at: 2 * sec, v: 0.69, want: "methane_alarm-@2s"},
		{at: 3 * sec, v: 0.79},
	})
}

func TestLateSamples(t *testing.T) {
	delayed := gas()
	delayed.OnDelay = 5 * sec
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{"missed excursion gives one late pair", gas(), []step{
			{at: 10 * sec, v: 10},
			{at: 5 * sec, v: 30, replayed: true,
				want: "high+late@5s high-late@5s"},
			{at: 6 * sec, v: 31, replayed: true},
			{at: 11 * sec, v: 10},
		}},
		{"late sample never clears a live alarm", gas(), []step{
			{at: 10 * sec, v: 30, want: "high+@10s"},
			{at: 5 * sec, v: 10},
			{at: 11 * sec, v: 30},
		}},
		{"late sample within a live episode is not reported", gas(),
			[]step{
				{at: 10 * sec, v: 30, want: "high+@10s"},
				{at: 20 * sec, v: 10, want: "high-@20s"},
				{at: 15 * sec, v: 30},
				{at: 21 * sec, v: 30, want: "high+@21s"},
			}},
		{"late pair again after the next live change", gas(), []step{
			{at: 10 * sec, v: 10},
			{at: 5 * sec, v: 30, want: "high+late@5s high-late@5s"},
			{at: 20 * sec, v: 30, want: "high+@20s"},
			{at: 30 * sec, v: 10, want: "high-@30s"},
			{at: 40 * sec, v: 10},
			{at: 35 * sec, v: 30, want: "high+late@35s high-late@35s"},
		}},
		{"on-delay points take no late alarms", delayed, []step{
			{at: 10 * sec, v: 10},
			{at: 5 * sec, v: 60},
		}},
		{"bad late sample is ignored", gas(), []step{
			{at: 10 * sec, v: 10},
			{at: 5 * sec, q: Bad},
			{at: 6 * sec, v: 200},
		}},
		{"late sample does not move the state back", gas(), []step{
			{at: 10 * sec, v: 30, want: "high+@10s"},
			{at: 5 * sec, v: 0},
			{at: 11 * sec, v: 24, want: "high-@11s"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run(t, mustEval(t, tt.cfg), tt.steps)
		})
	}
}

func TestTransitionFields(t *testing.T) {
	cfg := gas()
	cfg.Deadband = 1
	e := mustEval(t, cfg)
	got := e.Observe(Sample{Time: t0, Value: 30, Quality: Good})
	want := Transition{Condition: High, Active: true, Level: Level1,
		Value: 30, Limit: 25, Time: t0}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	got = e.Observe(Sample{Time: t0.Add(sec), Value: 20, Quality: Good})
	want = Transition{Condition: High, Level: Level1, Value: 20, Limit: 24,
		Time: t0.Add(sec)}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	got = e.Observe(Sample{Time: t0.Add(2 * sec), Value: 150,
		Quality: Good})
	if len(got) != 1 || got[0].Condition != SensorFault ||
		got[0].Limit != 100 {
		t.Fatalf("out of range: got %v", got)
	}
}

func TestResumeClearsAfterRestart(t *testing.T) {
	e := mustEval(t, gas())
	e.Resume(t0, High, HighHigh)
	if !e.Active(High) || e.Active(Low) {
		t.Fatal("Resume did not mark High active")
	}
	got := brief(e.Observe(Sample{Time: t0.Add(sec), Value: 30,
		Quality: Good}))
	if want := "high_high-@1s"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestNaNIsAFault(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1)} {
		e := mustEval(t, Config{Kind: Pressure, High: &Limit{Value: 1}})
		got := e.Observe(Sample{Time: t0, Value: v, Quality: Good})
		if len(got) != 1 || got[0].Condition != SensorFault {
			t.Errorf("value %v: got %v", v, got)
		}
	}
}

// TestRandomSequences drives evaluators with random inputs and checks that
// every condition alternates between active and cleared, that late pairs
// come whole, and that transitions of one call never go back in time.
func TestRandomSequences(t *testing.T) {
	cfg := gas()
	cfg.OnDelay, cfg.OffDelay, cfg.Deadband = 3*sec, 4*sec, 1
	cfg.ExpectedInterval = 5 * sec
	cfg.RateOfChange = &RateLimit{PerMinute: 20}
	seed := uint64(1)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	for run := 0; run < 200; run++ {
		e := mustEval(t, cfg)
		on := map[Condition]bool{}
		now := t0
		for i := 0; i < 300; i++ {
			now = now.Add(time.Duration(rnd(4000)) * time.Millisecond)
			got := randomStep(e, now, rnd)
			checkSequence(t, got, on)
			if !slices.IsSortedFunc(got, func(a, b Transition) int {
				return a.Time.Compare(b.Time)
			}) && !lateOnly(got) {
				t.Fatalf("transitions out of time order: %v", got)
			}
		}
	}
}

func randomStep(e *Evaluator, now time.Time, rnd func(int) int) []Transition {
	switch rnd(10) {
	case 0:
		return e.Tick(now)
	case 1:
		return e.SetGatewayOnline(rnd(2) == 0, now)
	case 2:
		return e.Observe(Sample{Time: now.Add(-time.Duration(rnd(60)) * sec),
			Value: float64(rnd(110)), Quality: Good, Replayed: true})
	}
	q := Good
	if rnd(15) == 0 {
		q = Bad
	}
	return e.Observe(Sample{Time: now, Value: float64(rnd(110)), Quality: q})
}

func lateOnly(ts []Transition) bool {
	for _, t := range ts {
		if !t.Late {
			return false
		}
	}
	return true
}

func checkSequence(t *testing.T, ts []Transition, on map[Condition]bool) {
	t.Helper()
	for i := 0; i < len(ts); i++ {
		tr := ts[i]
		if tr.Late && tr.Active && !on[tr.Condition] && i+1 < len(ts) &&
			ts[i+1].Late && !ts[i+1].Active &&
			ts[i+1].Condition == tr.Condition && ts[i+1].Time == tr.Time {
			i++ // a late pair
			continue
		}
		if on[tr.Condition] == tr.Active {
			t.Fatalf("%v repeats the state of %s", tr, tr.Condition)
		}
		on[tr.Condition] = tr.Active
	}
}
