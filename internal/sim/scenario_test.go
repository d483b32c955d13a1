package sim

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseScenarioDefaults(t *testing.T) {
	sc := scenarioOf(t, `
  - {name: x, table: input, address: 3, type: int32, kind: constant, value: 1}
  - {name: y, table: coil, address: 3, type: bool, kind: constant, value: 1}
`)
	if sc.Listen != DefaultListen || sc.UnitID != 1 || sc.Strict ||
		!sc.Start.IsZero() {
		t.Errorf("device defaults: listen %q, unit_id %d, strict %v, start %v",
			sc.Listen, sc.UnitID, sc.Strict, sc.Start)
	}
	x, ok := sc.Signal("x")
	if !ok {
		t.Fatal("signal x missing")
	}
	if x.ByteOrder != ABCD || x.Scale != 1 || x.Offset != 0 ||
		x.Interval != time.Second || x.Bit != nil {
		t.Errorf("signal defaults: %+v", *x)
	}
	if r := sc.Resolution("x"); r != 1 {
		t.Errorf("Resolution(x) = %v, want 1", r)
	}
	if r := sc.Resolution("y"); r != 1 {
		t.Errorf("Resolution(y) = %v, want 1", r)
	}
}

func TestResolution(t *testing.T) {
	sc := scenarioOf(t, `
  - {name: temp, table: input, address: 0, type: int16, scale: 0.1, kind: constant, value: 1}
  - {name: neg, table: input, address: 1, type: int16, scale: -0.5, kind: constant, value: 1}
  - {name: f32, table: input, address: 2, type: float32, scale: 0.1, kind: constant, value: 1}
  - {name: f64, table: input, address: 4, type: float64, kind: constant, value: 1}
  - {name: flag, table: input, address: 8, type: bool, bit: 3, kind: constant, value: 1}
`)
	tests := map[string]float64{
		"temp": 0.1, "neg": 0.5, "f32": 0, "f64": 0, "flag": 1,
	}
	for name, want := range tests {
		if got := sc.Resolution(name); got != want {
			t.Errorf("Resolution(%s) = %v, want %v", name, got, want)
		}
	}
	if got := sc.Resolution("nope"); got == got {
		t.Errorf("Resolution of an unknown signal = %v, want NaN", got)
	}
}

func TestValueAtNeedsAStart(t *testing.T) {
	sc := scenarioOf(t, `
  - {name: x, table: input, address: 0, type: int16, kind: constant, value: 1}
`)
	if _, err := sc.ValueAt("x", time.Now()); !errors.Is(err, ErrNotStarted) {
		t.Errorf("ValueAt before start: %v, want ErrNotStarted", err)
	}
	if _, err := sc.ValueAfter("y", 0); !errors.Is(err, ErrUnknownSignal) {
		t.Errorf("ValueAfter(y): %v, want ErrUnknownSignal", err)
	}

	pinned, err := ParseScenario([]byte(`
start: 2025-06-01T08:00:00Z
signals:
  - {name: x, table: input, address: 0, type: int16, kind: ramp, from: 0, to: 100, period: 100s}
`))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 1, 8, 0, 30, 0, time.UTC)
	if v, err := pinned.ValueAt("x", at); err != nil || v != 30 {
		t.Errorf("ValueAt 30 s after the start key = %v, %v; want 30", v, err)
	}
}

// Every rejected scenario must name the key at fault.
func TestValidateNamesTheKey(t *testing.T) {
	const ok = "{name: ok, table: holding, address: 0, type: uint16, kind: constant, value: 1}"
	sig := func(fields string) string {
		return "signals:\n  - {" + fields + "}\n"
	}
	base := "name: s, table: holding, address: 0, type: uint16, kind: constant, value: 1"

	tests := []struct {
		name, doc, want string
	}{
		{"empty", "", "empty document"},
		{"two documents", sig(base) + "---\n" + sig(base), "more than one document"},
		{"unknown top key", "colour: red\n" + sig(base), "colour"},
		{"unknown signal key", sig(base + ", colour: red"), "colour"},
		{"listen", "listen: nowhere\n" + sig(base), "listen:"},
		{"unit id", "unit_id: 300\n" + sig(base), "unit_id: 300"},
		{"no signals", "listen: 127.0.0.1:5020\n", "signals: none"},

		{"illegal table", "illegal: [{table: memory, address: 1}]\n" + sig(base),
			"illegal[0].table"},
		{"illegal address", "illegal: [{table: coil, address: 65536}]\n" + sig(base),
			"illegal[0].address: 65536 past 65535"},
		{"illegal count", "illegal: [{table: coil, address: 1, count: 0}]\n" + sig(base),
			"illegal[0].count"},
		{"illegal too long", "illegal: [{table: coil, address: 65530, count: 7}]\n" + sig(base),
			"illegal[0].count"},
		{"illegal over signal", "illegal: [{table: holding, address: 0, count: 3}]\n" + sig(base),
			"illegal[0]: holding 0..2 overlaps signal s"},

		{"address past end", sig(strings.Replace(base, "address: 0", "address: 70000", 1)),
			"signals[0].address: 70000 past 65535"},
		{"negative address", sig(strings.Replace(base, "address: 0", "address: -1", 1)),
			"signals[0].address"},
		{"wide value past end", sig(strings.Replace(strings.Replace(base,
			"address: 0", "address: 65534", 1), "uint16", "float64", 1)),
			"signals[0].address: 65534 holds 4 registers"},
		{"no name", sig(strings.Replace(base, "name: s", "name: ''", 1)),
			"signals[0].name: required"},
		{"topic unsafe name", sig(strings.Replace(base, "name: s", "name: 'a/b'", 1)),
			"signals[0].name"},
		{"duplicate name", "signals:\n  - " + ok + "\n  - " +
			strings.Replace(ok, "address: 0", "address: 9", 1) + "\n",
			"signals[1].name: \"ok\" already used by signals[0]"},
		{"overlap", "signals:\n  - " + ok + "\n  - {" +
			strings.Replace(base, "uint16", "float32", 1) + "}\n",
			"signals[1].address: holding 0 already served by ok"},
		{"table", sig(strings.Replace(base, "holding", "holdings", 1)),
			"signals[0].table: \"holdings\""},
		{"type", sig(strings.Replace(base, "uint16", "int8", 1)),
			"signals[0].type: \"int8\""},
		{"type in bit table", sig(strings.Replace(base, "holding", "coil", 1)),
			"signals[0].type: uint16 cannot live in table coil"},
		{"byte order", sig(base + ", byte_order: ACBD"),
			"signals[0].byte_order"},
		{"byte order on bool", sig(strings.Replace(base, "uint16", "bool", 1) +
			", byte_order: DCBA"), "signals[0].byte_order: not used by type bool"},
		{"scale on bool", sig(strings.Replace(base, "uint16", "bool", 1) +
			", scale: 2"), "signals[0].scale: not used by type bool"},
		{"scale zero", sig(base + ", scale: 0"), "signals[0].scale"},
		{"offset nan", sig(base + ", offset: .nan"), "signals[0].offset"},
		{"bit on uint16", sig(base + ", bit: 2"), "signals[0].bit: only for type bool"},
		{"bit on coil", sig(strings.Replace(strings.Replace(base, "holding",
			"coil", 1), "uint16", "bool", 1) + ", bit: 2"),
			"signals[0].bit: only for tables"},
		{"bit 16", sig(strings.Replace(base, "uint16", "bool", 1) + ", bit: 16"),
			"signals[0].bit: 16 outside 0..15"},
		{"bit taken", "signals:\n" +
			"  - {name: a, table: input, address: 5, type: bool, bit: 3, kind: constant, value: 1}\n" +
			"  - {name: b, table: input, address: 5, type: bool, bit: 3, kind: constant, value: 1}\n",
			"signals[1].bit: bit 3 of input 5 already used by a"},
		{"bit over register", "signals:\n" +
			"  - {name: a, table: input, address: 5, type: bool, bit: 3, kind: constant, value: 1}\n" +
			"  - {name: b, table: input, address: 4, type: int32, kind: constant, value: 1}\n",
			"signals[1].address: input 5 already holds bit 3 of a"},

		{"kind", sig(strings.Replace(base, "constant", "square", 1)),
			"signals[0].kind: \"square\""},
		{"missing value", sig(strings.Replace(base, ", value: 1", "", 1)),
			"signals[0].value: required by kind constant"},
		{"ramp without period", sig(strings.Replace(base,
			"kind: constant, value: 1", "kind: ramp, from: 0, to: 1", 1)),
			"signals[0].period: required by kind ramp"},
		{"parameter of another kind", sig(strings.Replace(base,
			"kind: constant, value: 1",
			"kind: ramp, from: 0, to: 1, period: 1s, amplitude: 3", 1)),
			"signals[0].amplitude: not used by kind ramp"},
		{"period zero", sig(strings.Replace(base, "kind: constant, value: 1",
			"kind: sine, mean: 0, amplitude: 1, period: 0s", 1)),
			"signals[0].period: 0s must be positive"},
		// Decode errors come from the YAML library: they give the line.
		{"period as a bare number", sig(strings.Replace(base, "kind: constant, value: 1",
			"kind: sine, mean: 0, amplitude: 1, period: 10", 1)),
			"line 2: cannot unmarshal !!int `10` into time.Duration"},
		{"steps without values", sig(strings.Replace(base, "kind: constant, value: 1",
			"kind: steps, values: [], period: 1s", 1)),
			"signals[0].values: at least one"},
		{"steps value inf", sig(strings.Replace(base, "kind: constant, value: 1",
			"kind: steps, values: [1, .inf], period: 1s", 1)),
			"signals[0].values[1]"},
		{"stddev", sig(base + ", stddev: -1"), "signals[0].stddev"},
		{"interval", sig(base + ", stddev: 1, interval: 0s"), "signals[0].interval"},
		{"value nan", sig(strings.Replace(base, "value: 1", "value: .nan", 1)),
			"signals[0].value"},

		{"events out of order", sig(base + ", events: [{at: 60s, to: 1}, {at: 20s, to: 2}]"),
			"signals[0].events[1].at: 20s comes before"},
		{"event negative at", sig(base + ", events: [{at: -1s, to: 1}]"),
			"signals[0].events[0].at"},
		{"event negative ramp", sig(base + ", events: [{at: 1s, to: 1, ramp: -1s}]"),
			"signals[0].events[0].ramp"},
		{"event bad target", sig(base + ", events: [{at: 1s, to: baseline}]"),
			"number or base"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario([]byte(tt.doc))
			if err == nil {
				t.Fatalf("accepted:\n%s", tt.doc)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadScenarioMissingFile(t *testing.T) {
	if _, err := LoadScenario("testdata/no-such-file.yaml"); err == nil {
		t.Error("LoadScenario of a missing file succeeded")
	}
}
