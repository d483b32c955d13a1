package monitor

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// BenchmarkObserveTelemetry measures the path every reading takes: a
// 100-reading message of normal values, which changes no alarm.
func BenchmarkObserveTelemetry(b *testing.B) {
	const n = 100
	var y strings.Builder
	y.WriteString(strings.SplitAfter(testRegistry, "    points:\n")[0])
	for i := range n {
		fmt.Fprintf(&y, "      - {id: P-%03d, name: p%d, kind: combustible_gas, "+
			"unit: \"%%LEL\", expected_interval: 30s}\n", i, i)
	}
	reg := loadRegistry(b, y.String())
	m, err := New(b.Context(), DefaultConfig(), Deps{
		Registry: func() *registry.Registry { return reg },
		DB:       storetest.Open(b, store.SQLite),
		Now:      func() time.Time { return t0 },
	})
	if err != nil {
		b.Fatal(err)
	}
	tel := &wire.Telemetry{V: 1, Readings: make([]wire.Reading, n)}
	v := 10.0
	for i := range tel.Readings {
		tel.Readings[i] = wire.Reading{Point: fmt.Sprintf("P-%03d", i),
			Value: &v, Quality: wire.Good}
	}
	src := wire.Topic{Enterprise: ent, Gateway: gw, Kind: wire.KindTelemetry}

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		at := t0.Add(time.Duration(i) * time.Second).UnixMilli()
		for j := range tel.Readings {
			tel.Readings[j].Time = at
		}
		m.ObserveTelemetry(src, tel, t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n),
		"ns/reading")
	if j := len(m.alarms); j != 0 {
		b.Fatalf("%d alarms raised", j)
	}
}
