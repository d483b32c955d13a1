package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"

	"github.com/hazardwatch/hazardwatch/edge/agent"
	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/center"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/secret"
	"github.com/hazardwatch/hazardwatch/internal/sim"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/testsvc"
)

// repoFile returns the path of a file in the repository.
func repoFile(name string) string { return filepath.Join("..", "..", name) }

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("HW_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// plant is the whole pipeline, built from the demo's config files with
// the addresses of this test's private services.
type plant struct {
	t        testing.TB
	broker   *testsvc.Mosquitto
	influx   *testsvc.Influx
	scenario *sim.Scenario
	sim      *sim.Server
	edgeCfg  agent.Config
	center   center.Config
	bucket   string
	// token is a city administrator's API token, made when the center
	// starts.
	token string

	stopCenter func()
	stopEdge   func()
}

func startPlant(t testing.TB, pollInterval time.Duration) *plant {
	t.Helper()
	return startPlantWith(t, pollInterval, nil)
}

// startPlantWith is startPlant with a change to the demo scenario.
func startPlantWith(t testing.TB, pollInterval time.Duration, change func(*sim.Scenario)) *plant {
	t.Helper()
	p := &plant{t: t, broker: testsvc.StartMosquitto(t), influx: testsvc.StartInflux(t),
		bucket: "hw/autogen"}

	// The simulator serves the demo scenario on a free port.
	sc, err := sim.LoadScenario(repoFile("configs/sim-tankfarm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(sc)
	}
	p.scenario = sc
	p.sim, err = sim.Start(context.Background(), sc, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.sim.Close() })

	// The center and the edge take the demo's configs, pointed here.
	p.center, err = center.LoadConfig(repoFile("configs/center.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p.center.HTTP.Listen = "127.0.0.1:0"
	p.center.MQTT.Broker = p.broker.URL()
	p.center.Influx.URL = p.influx.URL()
	p.center.Influx.Bucket = p.bucket
	p.center.Ingest.FlushInterval = 50 * time.Millisecond
	p.center.Store.DSN = secret.String(filepath.Join(t.TempDir(), "center.db"))
	p.center.Registry.Path = repoFile("configs/registry-tankfarm.yaml")
	p.center.Hazard.Policy = repoFile("configs/hazard-policy.yaml")

	p.edgeCfg, err = agent.LoadConfig(repoFile("configs/edge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p.edgeCfg.MQTT.Broker = p.broker.URL()
	p.edgeCfg.MQTT.MaxReconnectInterval = time.Second
	p.edgeCfg.Buffer.Dir = filepath.Join(t.TempDir(), "buffer")
	p.edgeCfg.HTTP.Listen = "127.0.0.1:0"
	for i := range p.edgeCfg.Devices {
		p.edgeCfg.Devices[i].Address = p.sim.Addr()
		p.edgeCfg.Devices[i].PollInterval = pollInterval
	}
	t.Cleanup(func() {
		if p.stopEdge != nil {
			p.stopEdge()
		}
		if p.stopCenter != nil {
			p.stopCenter()
		}
	})
	return p
}

// runCenter starts a center; the returned function stops it cleanly.
func (p *plant) runCenter() *center.Center {
	p.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, err := center.New(ctx, p.center, testLogger(p.t).With("proc", "center"))
	if err != nil {
		p.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(p.t, 30*time.Second, "the center to subscribe", c.Ready)
	p.token = p.makeToken(ctx, auth.Principal{Name: "e2e-admin", Role: hazard.CityAdmin})
	p.stopCenter = func() {
		cancel()
		if err := <-done; err != nil {
			p.t.Errorf("center: %v", err)
		}
		p.stopCenter = nil
	}
	return c
}

func (p *plant) runEdge() *agent.Agent {
	p.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := agent.New(p.edgeCfg, testLogger(p.t).With("proc", "edge"))
	if err != nil {
		p.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	p.stopEdge = func() {
		cancel()
		if err := <-done; err != nil {
			p.t.Errorf("edge: %v", err)
		}
		p.stopEdge = nil
	}
	return a
}

// makeToken creates an API token in the center's store, as hw-admin would.
func (p *plant) makeToken(ctx context.Context, who auth.Principal) string {
	p.t.Helper()
	db, err := store.Open(ctx, p.center.Store, testLogger(p.t))
	if err != nil {
		p.t.Fatal(err)
	}
	defer db.Close()
	tok, err := auth.NewStore(db, auth.Options{}).Create(ctx, who, time.Hour)
	if err != nil {
		p.t.Fatal(err)
	}
	return tok
}

// stored is one reading read back from InfluxDB.
type stored struct {
	at      time.Time
	value   float64
	quality string
}

// readings returns every stored reading by point, in time order.
func (p *plant) readings(ctx context.Context) map[string][]stored {
	p.t.Helper()
	client := influxdb2.NewClient(p.influx.URL(), "")
	defer client.Close()
	flux := fmt.Sprintf(`from(bucket: %q)
  |> range(start: -1h, stop: 1h)
  |> filter(fn: (r) => r._measurement == "reading" and (r._field == "value" or r._field == "quality"))
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`, p.bucket)
	res, err := client.QueryAPI("hazardwatch").Query(ctx, flux)
	if err != nil {
		p.t.Fatalf("flux query: %v", err)
	}
	out := map[string][]stored{}
	for res.Next() {
		r := res.Record()
		s := stored{at: r.Time()}
		if v, ok := r.ValueByKey("value").(float64); ok {
			s.value = v
		} else {
			s.value = math.NaN()
		}
		s.quality, _ = r.ValueByKey("quality").(string)
		point, _ := r.ValueByKey("point").(string)
		out[point] = append(out[point], s)
	}
	if res.Err() != nil {
		p.t.Fatalf("flux result: %v", res.Err())
	}
	for _, rs := range out {
		sort.Slice(rs, func(i, j int) bool { return rs[i].at.Before(rs[j].at) })
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s", d, what)
}

type centerConfig = center.Config

// loadDemoCenterConfig reads the demo's center config with its files
// found from this folder.
func loadDemoCenterConfig(t testing.TB) (center.Config, error) {
	c, err := center.LoadConfig(repoFile("configs/center.yaml"))
	c.Store.DSN = secret.String(filepath.Join(t.TempDir(), "center.db"))
	c.Registry.Path = repoFile("configs/registry-tankfarm.yaml")
	c.Hazard.Policy = repoFile("configs/hazard-policy.yaml")
	return c, err
}
