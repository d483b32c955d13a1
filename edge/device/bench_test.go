package device

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// bigMap lays n two-register points over holding and input registers,
// alternating tables, with a gap of 0 to 3 registers after each, and
// returns the scenario and the matching points.
func bigMap(n int) (string, []PointConfig) {
	var sc strings.Builder
	sc.WriteString("signals:\n")
	types := []string{"float32", "int32", "uint32"}
	next := map[string]int{}
	points := make([]PointConfig, 0, n)
	for i := range n {
		table := "holding"
		if i%2 == 1 {
			table = "input"
		}
		typ := types[i%len(types)]
		a := next[table]
		next[table] += 2 + i%4
		id := fmt.Sprintf("P-%04d", i)
		fmt.Fprintf(&sc, "  - {name: %s, table: %s, address: %d, type: %s, kind: sine, mean: %d, amplitude: 5, period: 1m}\n",
			id, table, a, typ, 100+i%50)
		points = append(points, PointConfig{ID: id, Table: table, Address: a, Type: typ})
	}
	return sc.String(), points
}

// BenchmarkPoll1000 polls a 1,000-point map from the simulator with the
// requests merged (the defaults) and with one request per point
// (max_registers 2, the size of every point).
func BenchmarkPoll1000(b *testing.B) {
	scYAML, points := bigMap(1000)
	_, srv := startSim(b, scYAML)
	for _, bc := range []struct {
		name   string
		maxReg int
	}{{"merged", 0}, {"per_point", 2}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := Config{Name: "big", Address: srv.Addr(), UnitID: 1,
				MaxRegisters: bc.maxReg, Points: points}
			p, err := New(cfg, discard(), NewMetrics(prometheus.NewRegistry()))
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			reqs := len(p.Requests())
			b.ResetTimer()
			for b.Loop() {
				for _, r := range p.Poll(time.Now()) {
					if r.Value == nil {
						b.Fatalf("%s: %v %s", r.Point, r.Quality, r.Reason)
					}
				}
			}
			b.ReportMetric(float64(reqs), "requests/cycle")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/poll")
		})
	}
}
