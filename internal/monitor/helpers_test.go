package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/internal/live"
	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/testclock"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

const (
	ent  = "91320500MA1TANK01X"
	dist = "吴中区"
	gw   = "gw-01"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// testRegistry is one tank farm with two combustible gas points on the
// GB/T 50493 defaults (high 25 level 1, high_high 50 level 2). Their
// expected interval makes them stale after 90 s, later than a gateway is
// offline (60 s).
const testRegistry = `
enterprises:
  - code: 91320500MA1TANK01X
    name: 苏州示范储罐区有限公司
    district: 吴中区
    industry: hazardous_chemicals
    gateways: [gw-01]
hazard_sources:
  - code: TF-01
    name: 储罐区
    grade: 2
    enterprise: 91320500MA1TANK01X
    points:
      - id: GT-101
        name: 可燃气体 T1 泵坑
        kind: combustible_gas
        unit: "%LEL"
        range_low: 0
        range_high: 100
        expected_interval: 30s
      - id: GT-102
        name: 可燃气体 T2 泵坑
        kind: combustible_gas
        unit: "%LEL"
        range_low: 0
        range_high: 100
        expected_interval: 30s
`

// loadRegistry writes yaml to a file and loads it, as the center does.
func loadRegistry(t testing.TB, yaml string) *registry.Registry {
	t.Helper()
	path := filepath.Join(t.TempDir(), "registry.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := registry.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixture is a monitor on a fresh database with a live hub served over a
// real websocket.
type fixture struct {
	t     *testing.T
	db    *store.DB
	reg   *registry.Registry
	clock *testclock.Clock
	hub   *live.Hub
	srv   *httptest.Server
	m     *Monitor
	deps  Deps
}

func newFixture(t *testing.T, db *store.DB, ledger HazardSink) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, reg: loadRegistry(t, testRegistry),
		clock: testclock.New(t0)}
	f.hub = live.NewHub(1000, prometheus.NewRegistry())
	f.srv = httptest.NewServer(&live.Server{Hub: f.hub, QueueSize: 256})
	t.Cleanup(func() { f.hub.Close(); f.srv.Close() })
	f.deps = Deps{
		Registry: func() *registry.Registry { return f.reg },
		DB:       db, Hub: f.hub, Ledger: ledger,
		Actor: headerActor, Reg: prometheus.NewRegistry(), Now: f.clock.Now,
	}
	f.m = f.newMonitor()
	return f
}

// newMonitor builds a monitor on the fixture's database, as a restarted
// center would.
func (f *fixture) newMonitor() *Monitor {
	f.t.Helper()
	f.deps.Reg = prometheus.NewRegistry()
	m, err := New(context.Background(), DefaultConfig(), f.deps)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// headerActor takes the operator from a header; tests only, since any
// client can set it.
func headerActor(r *http.Request) (string, error) {
	if a := r.Header.Get("X-Test-Operator"); a != "" {
		return a, nil
	}
	return "", errors.New("no operator")
}

// send has the monitor observe one telemetry message of gw-01 received
// at the fixture's clock, with one reading per value, one second apart
// ending at the clock.
func (f *fixture) send(point string, values ...float64) {
	now := f.clock.Now()
	tel := &wire.Telemetry{V: 1, Epoch: 1, Seq: 1, Sent: now.UnixMilli()}
	for i, v := range values {
		at := now.Add(time.Duration(i-len(values)+1) * time.Second)
		tel.Readings = append(tel.Readings, wire.Reading{Point: point,
			Time: at.UnixMilli(), Value: &v, Quality: wire.Good})
	}
	f.m.ObserveTelemetry(wire.Topic{Enterprise: ent, Gateway: gw,
		Kind: wire.KindTelemetry}, tel, now)
}

// advance moves the clock on by d.
func (f *fixture) advance(d time.Duration) time.Time {
	f.clock.Set(f.clock.Now().Add(d))
	return f.clock.Now()
}

// subscribe dials the live feed; the hub has registered the client once
// its hello frame is read.
func (f *fixture) subscribe(query string) *websocket.Conn {
	f.t.Helper()
	url := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/?" + query
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		f.t.Fatalf("dial live feed: %v", err)
	}
	f.t.Cleanup(func() { conn.Close() })
	var hello struct{ Kind string }
	if err := conn.ReadJSON(&hello); err != nil || hello.Kind != "hello" {
		f.t.Fatalf("live hello: %+v %v", hello, err)
	}
	return conn
}

// readLive reads n events from conn.
func readLive(t *testing.T, conn *websocket.Conn, n int) []live.Event {
	t.Helper()
	var out []live.Event
	for range n {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var e live.Event
		if err := conn.ReadJSON(&e); err != nil {
			t.Fatalf("live event %d of %d: %v", len(out)+1, n, err)
		}
		out = append(out, e)
	}
	return out
}

// journal returns "point/condition:kind" of every journal row, oldest
// first.
func (f *fixture) journal() []string {
	f.t.Helper()
	es, err := f.m.Journal(context.Background(), JournalQuery{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[len(es)-1-i] = e.Point + "/" + e.Condition + ":" + e.Kind
	}
	return out
}

// stateRow is the stored state of one alarm, as "state active episode".
func (f *fixture) stateRow(point, cond string) string {
	f.t.Helper()
	var state string
	var active bool
	var episode int64
	q := f.db.Dialect().Rebind(`SELECT state, active, episode FROM
		alarm_state WHERE enterprise = ? AND point = ? AND
		alarm_condition = ?`)
	err := f.db.Reader().QueryRow(q, ent, point, cond).Scan(&state,
		&active, &episode)
	if err != nil {
		return "none: " + err.Error()
	}
	return fmt.Sprintf("%s %t %d", state, active, episode)
}

// eventData decodes the data of a live alarm event.
func eventData(t *testing.T, e live.Event) EventView {
	t.Helper()
	var v EventView
	if err := json.Unmarshal(e.Data, &v); err != nil {
		t.Fatalf("live event data %s: %v", e.Data, err)
	}
	return v
}
