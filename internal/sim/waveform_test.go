package sim

import (
	"math"
	"testing"
	"time"
)

// scenarioOf parses a scenario holding the given signals under a fixed
// header, failing the test on any error.
func scenarioOf(t *testing.T, signals string) *Scenario {
	t.Helper()
	sc, err := ParseScenario([]byte("signals:\n" + signals))
	if err != nil {
		t.Fatalf("parse scenario: %v", err)
	}
	return sc
}

const waveforms = `
  - {name: flat, table: holding, address: 0, type: float64, kind: constant, value: 7.5}
  - {name: saw, table: holding, address: 4, type: float64, kind: ramp, from: 10, to: 20, period: 10s}
  - {name: fill, table: holding, address: 8, type: float64, kind: ramp, from: 10, to: 20, period: 10s, once: true}
  - {name: wave, table: holding, address: 12, type: float64, kind: sine, mean: 50, amplitude: 10, period: 40s}
  - {name: cycle, table: holding, address: 16, type: float64, kind: steps, values: [1, 2, 3], period: 5s}
  - name: leak
    table: input
    address: 0
    type: uint16
    scale: 0.1
    kind: constant
    value: 5
    events:
      - {at: 20s, to: 62, ramp: 40s}
      - {at: 120s, to: base, ramp: 30s}
  - name: recover-to-wave
    table: holding
    address: 20
    type: float64
    kind: sine
    mean: 50
    amplitude: 10
    period: 40s
    events:
      - {at: 10s, to: 0}
      - {at: 20s, to: base, ramp: 10s}
  - name: interrupted
    table: holding
    address: 24
    type: float64
    kind: constant
    value: 0
    events:
      - {at: 0s, to: 10, ramp: 10s}
      - {at: 5s, to: 0, ramp: 5s}
`

func TestWaveforms(t *testing.T) {
	sc := scenarioOf(t, waveforms)
	s := time.Second
	tests := []struct {
		name string
		at   time.Duration
		want float64
	}{
		{"flat", 0, 7.5},
		{"flat", time.Hour, 7.5},
		{"flat", -time.Minute, 7.5},

		{"saw", 0, 10},
		{"saw", 2500 * time.Millisecond, 12.5},
		{"saw", 9 * s, 19},
		{"saw", 10 * s, 10},
		{"saw", 37 * s, 17},
		{"saw", -5 * s, 10},

		{"fill", 5 * s, 15},
		{"fill", 10 * s, 20},
		{"fill", time.Hour, 20},

		{"wave", 0, 50},
		{"wave", 10 * s, 60},
		{"wave", 20 * s, 50},
		{"wave", 30 * s, 40},
		{"wave", 50 * s, 60},

		{"cycle", 0, 1},
		{"cycle", 4 * s, 1},
		{"cycle", 5 * s, 2},
		{"cycle", 14 * s, 3},
		{"cycle", 15 * s, 1},

		// The gas leak: 5 %LEL, ramp to 62 between 20 s and 60 s, hold,
		// recover to the base 5 between 120 s and 150 s.
		{"leak", 0, 5},
		{"leak", 20 * s, 5},
		{"leak", 40 * s, 33.5},
		{"leak", 60 * s, 62},
		{"leak", 90 * s, 62},
		{"leak", 120 * s, 62},
		{"leak", 135 * s, 33.5},
		{"leak", 150 * s, 5},
		{"leak", time.Hour, 5},

		// A jump to 0 at 10 s, then back onto the sine over 10 s: half
		// way the value is half way between 0 and the moving sine.
		{"recover-to-wave", 5 * s, 50 + 10*math.Sin(math.Pi/4)},
		{"recover-to-wave", 10 * s, 0},
		{"recover-to-wave", 19 * s, 0},
		{"recover-to-wave", 25 * s, 0.5 * (50 + 10*math.Sin(2*math.Pi*25/40))},
		{"recover-to-wave", 30 * s, 40},
		{"recover-to-wave", 40 * s, 50},

		// An event that starts mid-ramp of the one before moves from
		// where that one had got to.
		{"interrupted", 5 * s, 5},
		{"interrupted", 7500 * time.Millisecond, 2.5},
		{"interrupted", 10 * s, 0},
	}
	for _, tt := range tests {
		got, err := sc.ValueAfter(tt.name, tt.at)
		if err != nil {
			t.Fatalf("ValueAfter(%s, %v): %v", tt.name, tt.at, err)
		}
		if math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s at %v = %v, want %v", tt.name, tt.at, got, tt.want)
		}
	}
}

func TestNoiseIsDeterministic(t *testing.T) {
	const signals = `
  - {name: a, table: holding, address: 0, type: float64, kind: noise, mean: 10, stddev: 2, seed: 7}
  - {name: b, table: holding, address: 4, type: float64, kind: noise, mean: 10, stddev: 2, seed: 7}
  - {name: c, table: holding, address: 8, type: float64, kind: noise, mean: 10, stddev: 2, seed: 8}
  - {name: fast, table: holding, address: 12, type: float64, kind: noise, mean: 10, stddev: 2, seed: 7, interval: 100ms}
`
	sc := scenarioOf(t, signals)
	again := scenarioOf(t, signals)
	value := func(sc *Scenario, name string, d time.Duration) float64 {
		v, err := sc.ValueAfter(name, d)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// Same seed and time: the same value, in another scenario too.
	const n = 5000
	var sum, sumSq float64
	differs := 0
	for i := range n {
		d := time.Duration(i) * time.Second
		a := value(sc, "a", d)
		if b := value(again, "b", d); a != b {
			t.Fatalf("seed 7 at %v: %v, then %v", d, a, b)
		}
		if value(sc, "c", d) != a {
			differs++
		}
		sum += a
		sumSq += a * a
	}
	if differs < n*9/10 {
		t.Errorf("seeds 7 and 8 agree at %d of %d times", n-differs, n)
	}

	// Held still within an interval, moving between intervals.
	if value(sc, "a", 3*time.Second) != value(sc, "a", 3900*time.Millisecond) {
		t.Error("noise moved within one interval")
	}
	if value(sc, "fast", 0) == value(sc, "fast", 100*time.Millisecond) {
		t.Error("noise with interval 100ms did not move after 100ms")
	}

	// Roughly the asked mean and deviation (wide bounds: 5000 samples).
	mean := sum / n
	sd := math.Sqrt(sumSq/n - mean*mean)
	if math.Abs(mean-10) > 0.2 || math.Abs(sd-2) > 0.2 {
		t.Errorf("mean %.3f, stddev %.3f; want about 10 and 2", mean, sd)
	}
}

// The demo scenario must tell the leak story the demo and end-to-end tests
// rely on: GT-102 below the 25 %LEL alarm before the leak, past 50 %LEL
// within 90 s, back near 5 %LEL at 150 s.
func TestDemoScenarioLeak(t *testing.T) {
	sc, err := LoadScenario("../../configs/sim-tankfarm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at       time.Duration
		low, top float64
	}{
		{0, 3, 7},
		{19 * time.Second, 3, 7},
		{60 * time.Second, 55, 70},
		{89 * time.Second, 50, 70},
		{150 * time.Second, 3, 7},
		{10 * time.Minute, 3, 7},
	}
	for _, tt := range tests {
		v, err := sc.ValueAfter("GT-102", tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if v < tt.low || v > tt.top {
			t.Errorf("GT-102 at %v = %.2f %%LEL, want %v..%v",
				tt.at, v, tt.low, tt.top)
		}
	}
	for _, s := range sc.Signals {
		if s.Name == "GT-102" || s.Unit != "%LEL" {
			continue
		}
		for i := range 300 {
			v, _ := sc.ValueAfter(s.Name, time.Duration(i)*time.Second)
			if v >= 25 {
				t.Errorf("%s reaches %.1f %%LEL at %d s; only GT-102 leaks",
					s.Name, v, i)
				break
			}
		}
	}
}
