package agent

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/edge/device"
	"github.com/hazardwatch/hazardwatch/internal/sim"
	"github.com/hazardwatch/hazardwatch/internal/testsvc"
)

// BenchmarkAgent1000RSS runs the whole agent (poller, disk buffer,
// publisher) on a 1,000-point map against the simulator and a real
// Mosquitto for some poll cycles, and reports the process's resident
// memory afterwards. One iteration is one run of the agent.
func BenchmarkAgent1000RSS(b *testing.B) {
	if testing.Short() {
		b.Skip("needs Mosquitto")
	}
	broker := testsvc.StartMosquitto(b)
	scYAML, points := pointMap(1000)
	sc, err := sim.ParseScenario([]byte(scYAML))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := sim.Start(context.Background(), sc, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()

	const cycles = 40
	for b.Loop() {
		cfg := DefaultConfig()
		cfg.Gateway = GatewayConfig{Enterprise: "ENT1", ID: "gw-bench"}
		cfg.MQTT.Broker = broker.URL()
		cfg.Buffer.Dir = b.TempDir()
		cfg.HTTP.Listen = ""
		cfg.Devices = []device.Config{{Name: "big", Address: srv.Addr(), UnitID: 1,
			PollInterval: 100 * time.Millisecond, Points: points}}
		a, err := New(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		for a.q.Last() < cycles*2 { // 1,000 readings are two messages
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(vmRSS(b))/1024, "VmRSS_MiB")
}

// pointMap lays n two-register points over holding and input registers
// with small gaps, and returns the scenario and the points.
func pointMap(n int) (string, []device.PointConfig) {
	var sc strings.Builder
	sc.WriteString("signals:\n")
	next := map[string]int{}
	var points []device.PointConfig
	for i := range n {
		table := []string{"holding", "input"}[i%2]
		a := next[table]
		next[table] += 2 + i%4
		id := fmt.Sprintf("P-%04d", i)
		fmt.Fprintf(&sc, "  - {name: %s, table: %s, address: %d, type: float32, kind: sine, mean: 50, amplitude: 5, period: 1m}\n",
			id, table, a)
		points = append(points, device.PointConfig{ID: id, Table: table, Address: a, Type: "float32"})
	}
	return sc.String(), points
}

// vmRSS reads the resident set size in KiB from /proc/self/status.
func vmRSS(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatalf("parse VmRSS %q: %v", rest, err)
			}
			return kb
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
