package device

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/internal/sim"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// startSim parses a scenario and serves it on a free port until the test
// ends.
func startSim(t testing.TB, yaml string) (*sim.Scenario, *sim.Server) {
	t.Helper()
	sc, err := sim.ParseScenario([]byte(yaml))
	if err != nil {
		t.Fatalf("parse scenario: %v\n%s", err, yaml)
	}
	srv, err := sim.Start(context.Background(), sc, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return sc, srv
}

// typedPoint is one constant signal and the point that reads it.
type typedPoint struct {
	name, table, typ, order string
	bit                     int // -1: none
	scale, offset, value    float64
}

// typedPoints lays one point of every type in every byte order at
// consecutive addresses, with values that need the sign, every byte and
// the scale and offset to come out right.
func typedPoints() []typedPoint {
	vals := []struct {
		typ           string
		value         float64
		scale, offset float64
	}{
		{"int16", -1234.5, 0.1, 0},
		{"uint16", 51234, 1, 0},
		{"int32", -123456.789, 0.001, 0},
		{"uint32", 4000000123, 1, 0},
		{"int64", -987654321012, 1, 0},
		{"uint64", 1234567890123456, 1, 0},
		{"float32", -273.15, 1, 0},
		{"float64", 6.02214076e23, 1, 0},
		{"uint16", 1017.3, 0.1, 1000}, // offset: 173 in the register
		{"int32", -50.25, 0.25, -20},
	}
	var out []typedPoint
	for _, order := range []string{"ABCD", "DCBA", "BADC", "CDAB"} {
		for i, v := range vals {
			out = append(out, typedPoint{
				name: fmt.Sprintf("%s-%s-%d", v.typ, order, i), table: "holding",
				typ: v.typ, order: order, bit: -1,
				scale: v.scale, offset: v.offset, value: v.value})
		}
	}
	// Input registers read the same way; one of each width suffices.
	out = append(out,
		typedPoint{name: "in-float32-CDAB", table: "input", typ: "float32", order: "CDAB", bit: -1, scale: 1, value: 12.5},
		typedPoint{name: "in-int16-ABCD", table: "input", typ: "int16", order: "ABCD", bit: -1, scale: 1, value: -2})
	return append(out,
		typedPoint{name: "coil-on", table: "coil", typ: "bool", order: "ABCD", bit: -1, scale: 1, value: 1},
		typedPoint{name: "coil-off", table: "coil", typ: "bool", order: "ABCD", bit: -1, scale: 1, value: 0},
		typedPoint{name: "di-on", table: "discrete_input", typ: "bool", order: "ABCD", bit: -1, scale: 1, value: 1},
		typedPoint{name: "bit-0", table: "holding", typ: "bool", order: "ABCD", bit: 0, scale: 1, value: 1},
		typedPoint{name: "bit-15", table: "holding", typ: "bool", order: "ABCD", bit: 15, scale: 1, value: 1},
		typedPoint{name: "bit-7", table: "holding", typ: "bool", order: "ABCD", bit: 7, scale: 1, value: 0})
}

var words = map[string]int{"bool": 1, "int16": 1, "uint16": 1, "int32": 2,
	"uint32": 2, "float32": 2, "int64": 4, "uint64": 4, "float64": 4}

// layout gives the points addresses (bit points share one status
// register at holding 500) and returns the scenario and device config.
func layout(pts []typedPoint, addr string) (string, Config) {
	var sc strings.Builder
	sc.WriteString("unit_id: 1\nsignals:\n")
	cfg := Config{Name: "plc", Address: addr, UnitID: 1}
	next := map[string]int{}
	for _, p := range pts {
		a := next[p.table]
		if p.bit >= 0 {
			a = 500
		} else {
			next[p.table] += words[p.typ]
		}
		fmt.Fprintf(&sc, "  - {name: %s, table: %s, address: %d, type: %s, kind: constant, value: %g",
			p.name, p.table, a, p.typ, p.value)
		pc := PointConfig{ID: p.name, Table: p.table, Address: a, Type: p.typ,
			Scale: p.scale, Offset: p.offset}
		if p.typ != "bool" {
			fmt.Fprintf(&sc, ", byte_order: %s, scale: %g, offset: %g", p.order, p.scale, p.offset)
			pc.ByteOrder = p.order
		}
		if p.bit >= 0 {
			fmt.Fprintf(&sc, ", bit: %d", p.bit)
			pc.Bit = &p.bit
		}
		sc.WriteString("}\n")
		cfg.Points = append(cfg.Points, pc)
	}
	return sc.String(), cfg
}

// TestPollEveryTypeAndByteOrder reads constants of every type in every
// byte order from the simulator and compares them with the scenario.
func TestPollEveryTypeAndByteOrder(t *testing.T) {
	pts := typedPoints()
	scYAML, _ := layout(pts, "")
	sc, srv := startSim(t, scYAML)
	_, cfg := layout(pts, srv.Addr())

	p, err := New(cfg, discard(), NewMetrics(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	now := time.Now()
	got := p.Poll(now)
	if len(got) != len(pts) {
		t.Fatalf("got %d readings, want %d", len(got), len(pts))
	}
	for _, r := range got {
		if r.Quality != wire.Good || r.Value == nil {
			t.Errorf("%s: quality %v reason %q, want good with a value", r.Point, r.Quality, r.Reason)
			continue
		}
		want, err := sc.ValueAt(r.Point, now)
		if err != nil {
			t.Fatal(err)
		}
		if !near(*r.Value, want, sc.Resolution(r.Point)) {
			t.Errorf("%s: read %v, simulator serves %v (resolution %v)",
				r.Point, *r.Value, want, sc.Resolution(r.Point))
		}
		if r.Time != now.UnixMilli() {
			t.Errorf("%s: time %d, want the cycle's %d", r.Point, r.Time, now.UnixMilli())
		}
	}
}

// near compares within half a step of an integer register, or the
// relative precision of a float32.
func near(got, want, res float64) bool {
	tol := math.Max(res/2+1e-9, 1e-6*math.Abs(want))
	return math.Abs(got-want) <= tol
}

// TestIllegalAddressCostsOnlyItsPoint maps a point onto a range the device
// refuses (exception 02) in the middle of a block of good registers.
func TestIllegalAddressCostsOnlyItsPoint(t *testing.T) {
	var sc strings.Builder
	sc.WriteString("illegal:\n  - {table: holding, address: 10, count: 2}\nsignals:\n")
	for a := 0; a < 20; a++ {
		if a == 10 || a == 11 {
			continue
		}
		fmt.Fprintf(&sc, "  - {name: h%d, table: holding, address: %d, type: uint16, kind: constant, value: %d}\n", a, a, 100+a)
	}
	scen, srv := startSim(t, sc.String())
	cfg := Config{Name: "plc", Address: srv.Addr(), UnitID: 1}
	for a := 0; a < 20; a++ {
		if a == 11 {
			continue
		}
		cfg.Points = append(cfg.Points, PointConfig{ID: fmt.Sprintf("h%d", a),
			Table: "holding", Address: a, Type: "uint16"})
	}
	reg := prometheus.NewRegistry()
	p, err := New(cfg, discard(), NewMetrics(reg))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if n := len(p.Requests()); n != 1 {
		t.Fatalf("plan has %d requests before the first poll, want 1", n)
	}

	// First poll: the merged request fails and is narrowed down.
	check := func(round int, got []wire.Reading) {
		t.Helper()
		for _, r := range got {
			if r.Point == "h10" {
				if r.Quality != wire.Bad || r.Reason != wire.ReasonConfigError {
					t.Errorf("poll %d: h10: %v %q, want bad config_error", round, r.Quality, r.Reason)
				}
				continue
			}
			want, _ := scen.ValueAt(r.Point, time.Now())
			if r.Quality != wire.Good || r.Value == nil || *r.Value != want {
				t.Errorf("poll %d: %s: %v %q, want good %v", round, r.Point, r.Quality, r.Reason, want)
			}
		}
	}
	check(1, p.Poll(time.Now()))
	failed := modbusErrors(t, reg)
	if failed == 0 {
		t.Fatal("no Modbus error counted for the refused request")
	}
	t.Logf("plan after narrowing: %d requests, %v errors on the first poll", len(p.Requests()), failed)

	// Second poll: only the lone refused point's request fails.
	check(2, p.Poll(time.Now()))
	if d := modbusErrors(t, reg) - failed; d != 1 {
		t.Errorf("second poll counted %v Modbus errors, want 1 (h10 alone)", d)
	}
	for _, r := range p.Requests() {
		if r.Address <= 10 && 10 < int(r.Address)+int(r.Count) && r.Count != 1 {
			t.Errorf("request %+v still covers address 10 with others", r)
		}
	}
}

// modbusErrors sums hw_edge_modbus_errors_total over its labels.
func modbusErrors(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "hw_edge_modbus_errors_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// closedAddr returns an address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestDeadDeviceDoesNotStopOthers polls a device nobody listens for beside
// a live one, as an agent does with one poller per device.
func TestDeadDeviceDoesNotStopOthers(t *testing.T) {
	_, srv := startSim(t, "signals:\n  - {name: ok-1, table: input, address: 3, type: int16, kind: constant, value: 42}\n")
	m := NewMetrics(prometheus.NewRegistry())
	dead, err := New(Config{Name: "dead", Address: closedAddr(t), UnitID: 1,
		Timeout: 200 * time.Millisecond, Retries: 1, RetryBackoff: time.Millisecond,
		Points: []PointConfig{
			{ID: "dead-1", Table: "holding", Address: 0, Type: "float32"},
			{ID: "dead-2", Table: "coil", Address: 0, Type: "bool"},
			{ID: "dead-3", Table: "input", Address: 9, Type: "uint16"},
		}}, discard(), m)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	live, err := New(Config{Name: "live", Address: srv.Addr(), UnitID: 1,
		Points: []PointConfig{{ID: "ok-1", Table: "input", Address: 3, Type: "int16"}}}, discard(), m)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()

	for round := 1; round <= 3; round++ {
		got := dead.Poll(time.Now())
		if len(got) != 3 {
			t.Fatalf("round %d: dead device gave %d readings, want 3", round, len(got))
		}
		for _, r := range got {
			if r.Quality != wire.Bad || r.Reason != wire.ReasonCommLost || r.Value != nil {
				t.Errorf("round %d: %s: %v %q, want bad comm_lost without value", round, r.Point, r.Quality, r.Reason)
			}
		}
		ok := live.Poll(time.Now())
		if len(ok) != 1 || ok[0].Quality != wire.Good || *ok[0].Value != 42 {
			t.Errorf("round %d: live device read %+v, want good 42", round, ok)
		}
	}
}
