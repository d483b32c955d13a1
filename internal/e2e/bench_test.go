package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/loadgen"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkPipelineSustained runs the whole center on this machine (real
// Mosquitto, InfluxDB and SQLite) under a load generator and reports the
// readings per second it stored with zero loss, and the alarm latency from
// a reading's sample time to its level-2 alarm event on a websocket
// client. Every
// 50th message of each gateway puts a gas point at 60 %LEL, the next one
// back at 5, so alarms rise and clear all the time.
//
//	go test ./internal/e2e -run '^$' -bench PipelineSustained -benchtime 1x
//
// HW_BENCH_GATEWAYS (20), HW_BENCH_POINTS (100), HW_BENCH_INTERVAL_MS
// (100) and HW_BENCH_SECONDS (30) size the load. The run fails if any
// reading sent is missing from InfluxDB.
func BenchmarkPipelineSustained(b *testing.B) {
	r := newLoadRig(b)
	cfg := r.fleet(time.Duration(envInt("HW_BENCH_SECONDS", 30)) * time.Second)
	cfg.Gateways = envInt("HW_BENCH_GATEWAYS", 20)
	cfg.Points = envInt("HW_BENCH_POINTS", 100)
	cfg.Interval = time.Duration(envInt("HW_BENCH_INTERVAL_MS", 100)) * time.Millisecond
	cfg.CrossEvery = 50
	r.plant.center.Registry.Path = r.registryFileFor(cfg)
	c := r.plant.runCenter()
	token := r.plant.makeToken(context.Background(), auth.Principal{Name: "bench", Role: hazard.CityAdmin})

	// A websocket client measures alarm latency.
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+c.Addr()+"/api/v1/live?kind=alarm",
		http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	latencies := make(chan []time.Duration, 1)
	go func() { latencies <- alarmLatencies(ws) }()

	for b.Loop() {
		rep, err := loadgen.Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		r.expectAll(rep)
		b.ReportMetric(rep.ReadingsPerS, "readings/s")
		b.ReportMetric(float64(rep.Readings), "readings")
	}
	time.Sleep(2 * time.Second)
	if sum, n := metricSumCount(b, "http://"+c.Addr()+"/metrics", "hw_ingest_lag_seconds"); n > 0 {
		b.ReportMetric(1000*sum/n, "ingest-lag-mean-ms")
	}
	ws.Close()
	lat := <-latencies
	if len(lat) == 0 {
		b.Fatal("no alarm reached the websocket client")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat)), "alarms")
	b.ReportMetric(ms(lat[len(lat)/2]), "alarm-p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "alarm-p99-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// alarmLatencies reads activation events until the connection closes and
// returns, for each, the time from the reading's sample time to arrival.
func alarmLatencies(ws *websocket.Conn) []time.Duration {
	var out []time.Duration
	for {
		var ev struct {
			Kind string
			Data struct {
				Kind      string    `json:"kind"`
				Condition string    `json:"condition"`
				Time      time.Time `json:"time"`
			}
		}
		_, b, err := ws.ReadMessage()
		if err != nil {
			return out
		}
		at := time.Now()
		// Only the injected crossings count: when the load stops, every
		// point goes stale, and those alarms are dated by the clock.
		if json.Unmarshal(b, &ev) != nil || ev.Kind != "alarm" || ev.Data.Kind != "activated" ||
			ev.Data.Condition != "high_high" {
			continue
		}
		out = append(out, at.Sub(ev.Data.Time))
	}
}

// metricSumCount reads a histogram's _sum and _count from a /metrics page.
func metricSumCount(tb testing.TB, url, name string) (sum, count float64) {
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		var v float64
		if _, err := fmt.Sscanf(line, name+"_sum %g", &v); err == nil {
			sum = v
		}
		if _, err := fmt.Sscanf(line, name+"_count %g", &v); err == nil {
			count = v
		}
	}
	return sum, count
}
