package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"

	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/testsvc"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

const (
	tankFarm = "91320500MA1TANK01X" // the demo registry's enterprise, in 吴中区
	bucket   = "hwtrend/autogen"
)

// trendServer writes known readings into a real InfluxDB and serves the
// trend API over them, with the clock fixed at now.
func trendServer(t *testing.T, now time.Time) *httptest.Server {
	t.Helper()
	in := testsvc.StartInflux(t)
	cfg := tsdb.DefaultConfig()
	cfg.URL, cfg.Bucket, cfg.CreateDatabase = in.URL(), bucket, true
	w, err := tsdb.NewWriter(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// GT-102, through two gateways, in two minutes; GT-101 beside it,
	// which must not mix in; a bad reading, which has no value.
	var b tsdb.Batch
	add := func(gw, point string, at time.Time, v float64) {
		b.AddReading(tankFarm, gw, uint64(b.Len()+1), false, &wire.Reading{
			Point: point, Time: at.UnixMilli(), Value: &v, Quality: wire.Good})
	}
	m10, m5 := now.Add(-10*time.Minute), now.Add(-5*time.Minute)
	add("gw-01", "GT-102", m10, 10)
	add("gw-01", "GT-102", m10.Add(20*time.Second), 20)
	add("gw-01", "GT-102", m10.Add(40*time.Second), 30)
	add("gw-02", "GT-102", m10.Add(50*time.Second), 50)
	add("gw-01", "GT-101", m10.Add(30*time.Second), 99)
	add("gw-01", "GT-102", m5.Add(10*time.Second), 40)
	add("gw-01", "GT-102", m5.Add(30*time.Second), 60)
	b.AddReading(tankFarm, "gw-01", 99, false, &wire.Reading{Point: "GT-102",
		Time: m5.Add(45 * time.Second).UnixMilli(), Quality: wire.Bad, Reason: "comm"})
	if _, err := w.Write(context.Background(), &b); err != nil {
		t.Fatalf("write readings: %v", err)
	}

	client := influxdb2.NewClient(in.URL(), "")
	t.Cleanup(client.Close)
	q, err := NewInfluxTrend(client, "hazardwatch", bucket)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Load("../../configs/registry-tankfarm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := TrendHandler(q, func() *registry.Registry { return reg }).(*trendHandler)
	h.now = func() time.Time { return now }
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestTrendOnInflux(t *testing.T) {
	if testing.Short() {
		t.Skip("needs InfluxDB")
	}
	now := time.Now().Truncate(time.Minute)
	srv := trendServer(t, now)

	// One-minute buckets (1 h over 60): each ends at its window's stop.
	got := trendOf(t, srv.URL, "point=GT-102&range=1h&width=60")
	want := []TrendPoint{
		{T: now.Add(-9 * time.Minute), Min: 10, Max: 50, Mean: 27.5},
		{T: now.Add(-4 * time.Minute), Min: 40, Max: 60, Mean: 50},
	}
	if got.Every != "1m0s" || len(got.Points) != len(want) {
		t.Fatalf("every %s, points %+v, want %+v", got.Every, got.Points, want)
	}
	for i, p := range got.Points {
		if !p.T.Equal(want[i].T) || p.Min != want[i].Min || p.Max != want[i].Max || p.Mean != want[i].Mean {
			t.Errorf("bucket %d: %+v, want %+v", i, p, want[i])
		}
	}

	// The point's limits are the GB/T 50493 defaults for %LEL.
	l := got.Limits
	if l.High == nil || l.High.Value != 25 || l.High.Level != 1 ||
		l.HighHigh == nil || l.HighHigh.Value != 50 || l.HighHigh.Level != 2 ||
		l.Low != nil || l.RangeHigh != 100 {
		t.Errorf("limits %+v", l)
	}
	if got.Unit != "%LEL" || got.Name == "" {
		t.Errorf("unit %q name %q", got.Unit, got.Name)
	}

	// 24 h at the default width: 108 s buckets, the same extremes.
	day := trendOf(t, srv.URL, "point=GT-102&range=24h")
	if day.Every != "1m48s" || len(day.Points) < 2 {
		t.Fatalf("24h: every %s, points %+v", day.Every, day.Points)
	}
	lo, hi := day.Points[0].Min, day.Points[0].Max
	for _, p := range day.Points {
		lo, hi = min(lo, p.Min), max(hi, p.Max)
	}
	if lo != 10 || hi != 60 {
		t.Errorf("24h extremes %v..%v, want 10..60", lo, hi)
	}

	// The district filter that the center's scope sets.
	if got := trendOf(t, srv.URL, "point=GT-102&width=60&district=吴中区"); len(got.Points) != 2 {
		t.Errorf("own district: %+v", got.Points)
	}
	if empty := trendOf(t, srv.URL, "point=GT-103"); len(empty.Points) != 0 {
		t.Errorf("GT-103 has no data, got %+v", empty.Points)
	}
}

func trendOf(t *testing.T, base, q string) trendJSON {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/trend?enterprise=" + tankFarm + "&" + q)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("%s: %s %v", q, resp.Status, e)
	}
	var out trendJSON
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// refusingQuerier fails the test if a refused request reaches the store.
type refusingQuerier struct{ t *testing.T }

func (r refusingQuerier) Trend(context.Context, TrendQuery) ([]TrendPoint, error) {
	r.t.Error("a bad request reached the store")
	return nil, nil
}

func TestTrendRefusesBadInput(t *testing.T) {
	reg, err := registry.Load("../../configs/registry-tankfarm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(TrendHandler(refusingQuerier{t}, func() *registry.Registry { return reg }))
	defer srv.Close()
	ent := "enterprise=" + tankFarm
	tests := []struct {
		query  string
		status int
	}{
		{"point=GT-102", 400},
		{ent, 400},
		{ent + "&point=" + url.QueryEscape(`GT-102") |> drop() //`), 400},
		{ent + "&point=" + url.QueryEscape("GT 102"), 400},
		{"enterprise=" + url.QueryEscape(`x"or true`) + "&point=GT-102", 400},
		{ent + "&point=GT-102&range=2h", 400},
		{ent + "&point=GT-102&range=-1h", 400},
		{ent + "&point=GT-102&width=10", 400},
		{ent + "&point=GT-102&width=100000", 400},
		{ent + "&point=GT-102&width=8e2", 400},
		{ent + "&point=GT-102&start=-30d", 400},
		{ent + "&point=NO-SUCH", 404},
		{ent + "&point=GT-102&district=" + url.QueryEscape("姑苏区"), 403},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/api/v1/trend?" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e map[string]string
			_ = json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode != tc.status || e["error"] == "" {
				t.Errorf("%d %v, want %d with an error", resp.StatusCode, e, tc.status)
			}
		})
	}
	resp, err := http.Post(srv.URL+"/api/v1/trend?"+ent+"&point=GT-102", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

func TestNewInfluxTrendRefusesUnsafeBucket(t *testing.T) {
	for _, b := range []string{"", `db"/rp`, `db\x`, "db/${x}", "db\n"} {
		if _, err := NewInfluxTrend(nil, "", b); err == nil ||
			!strings.Contains(err.Error(), "bucket") {
			t.Errorf("bucket %q: %v, want an error", b, err)
		}
	}
}
