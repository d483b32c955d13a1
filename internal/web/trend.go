package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"

	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/rules"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Ranges are the spans a trend may cover, by their query name.
var Ranges = map[string]time.Duration{
	"1h":  time.Hour,
	"24h": 24 * time.Hour,
	"7d":  7 * 24 * time.Hour,
}

// Bounds of the width parameter: the number of buckets a trend is
// aggregated to, about one per pixel of the chart.
const (
	DefaultWidth = 800
	MinWidth     = 50
	MaxWidth     = 4000
)

// minEvery keeps buckets at least a second wide: points report every
// second at the fastest, so narrower buckets would only be empty.
const minEvery = time.Second

// TrendQuery asks for one point's values in [Start, Stop), aggregated
// into buckets of Every.
type TrendQuery struct {
	Enterprise, Point string
	Start, Stop       time.Time
	Every             time.Duration
}

// TrendPoint is one bucket of a trend: its end time and the smallest,
// largest and mean value in it.
type TrendPoint struct {
	T    time.Time `json:"t"`
	Min  float64   `json:"min"`
	Max  float64   `json:"max"`
	Mean float64   `json:"mean"`
}

// TrendQuerier reads aggregated trends from the time-series store.
type TrendQuerier interface {
	Trend(ctx context.Context, q TrendQuery) ([]TrendPoint, error)
}

// InfluxTrend is a TrendQuerier on InfluxDB's Flux API (InfluxDB 2, or
// 1.8 with flux-enabled).
type InfluxTrend struct {
	client influxdb2.Client
	org    string
	bucket string
}

// NewInfluxTrend returns a TrendQuerier reading the readings that
// package tsdb writes into bucket. The bucket is written into the Flux
// text, so it must not hold quotes, backslashes, '$' or control
// characters.
func NewInfluxTrend(client influxdb2.Client, org, bucket string) (*InfluxTrend, error) {
	if bucket == "" || strings.ContainsFunc(bucket, unsafeInFlux) {
		return nil, fmt.Errorf("trend bucket %q: empty or holds a character "+
			"not allowed in a Flux string", bucket)
	}
	return &InfluxTrend{client: client, org: org, bucket: bucket}, nil
}

func unsafeInFlux(r rune) bool {
	return r == '"' || r == '\\' || r == '$' || r < 0x20 || r == 0x7f
}

// Trend runs q as one Flux script with a yield per aggregate and joins
// the three results by bucket time.
func (t *InfluxTrend) Trend(ctx context.Context, q TrendQuery) ([]TrendPoint, error) {
	flux, err := t.flux(q)
	if err != nil {
		return nil, err
	}
	res, err := t.client.QueryAPI(t.org).Query(ctx, flux)
	if err != nil {
		return nil, fmt.Errorf("trend query %s/%s: %w", q.Enterprise, q.Point, err)
	}
	defer res.Close()
	byTime := map[time.Time]*TrendPoint{}
	for res.Next() {
		r := res.Record()
		v, ok := r.Value().(float64)
		if !ok {
			continue
		}
		p := byTime[r.Time()]
		if p == nil {
			p = &TrendPoint{T: r.Time(), Min: math.NaN(), Max: math.NaN(), Mean: math.NaN()}
			byTime[r.Time()] = p
		}
		switch r.Result() {
		case "min":
			p.Min = v
		case "max":
			p.Max = v
		case "mean":
			p.Mean = v
		}
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("trend result %s/%s: %w", q.Enterprise, q.Point, err)
	}
	out := make([]TrendPoint, 0, len(byTime))
	for _, p := range byTime {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].T.Before(out[j].T) })
	return out, nil
}

// flux builds the query text. InfluxDB 1.8 has no Flux parameters (a
// query using params answers `undefined identifier "params"`), so the
// values are written into the text; that is safe only because every one
// of them is checked here: ids by wire.CheckID, which allows letters,
// digits, '.', '_' and '-', and times and durations formatted by us.
func (t *InfluxTrend) flux(q TrendQuery) (string, error) {
	if err := wire.CheckID(q.Enterprise); err != nil {
		return "", fmt.Errorf("trend enterprise: %w", err)
	}
	if err := wire.CheckID(q.Point); err != nil {
		return "", fmt.Errorf("trend point: %w", err)
	}
	if !q.Stop.After(q.Start) || q.Every < time.Millisecond {
		return "", fmt.Errorf("trend %s/%s: empty span or bucket", q.Enterprise, q.Point)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "data = from(bucket: \"%s\")\n", t.bucket)
	fmt.Fprintf(&b, "  |> range(start: %s, stop: %s)\n",
		q.Start.UTC().Format(time.RFC3339Nano), q.Stop.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(&b, "  |> filter(fn: (r) => r._measurement == \"%s\" and "+
		"r._field == \"value\" and r.enterprise == \"%s\" and r.point == \"%s\")\n",
		tsdb.Measurement, q.Enterprise, q.Point)
	// Readings of one point may come from more than one gateway tag.
	b.WriteString("  |> group(columns: [\"_measurement\", \"_field\"])\n")
	every := strconv.FormatInt(q.Every.Milliseconds(), 10) + "ms"
	for _, fn := range []string{"min", "max", "mean"} {
		fmt.Fprintf(&b, "data |> aggregateWindow(every: %s, fn: %s, createEmpty: false)"+
			" |> yield(name: \"%s\")\n", every, fn, fn)
	}
	return b.String(), nil
}

// PointFinder returns the registry in service; TrendHandler looks the
// point's district and limits up in it.
type PointFinder func() *registry.Registry

// trendHandler serves GET /api/v1/trend.
type trendHandler struct {
	q   TrendQuerier
	reg PointFinder
	now func() time.Time
}

// TrendHandler serves a monitoring point's trend, aggregated for a chart:
//
//	GET /api/v1/trend?enterprise=&point=&range=1h|24h|7d&width=800
//	-> {"enterprise", "point", "name", "unit", "range", "every",
//	    "points": [{"t", "min", "max", "mean"}], "limits": {...}}
//
// The range is cut into width buckets (every = range / width, at least
// 1 s). limits are the point's effective rules (its own or the standard
// defaults): high_high, high, low, low_low as {"value", "level"},
// range_low and range_high, and methane's alarm, power_off and restore.
// An optional district= must be the enterprise's own, which lets the
// center's scope filter pin a district operator to their district.
// Unknown parameters, a bad id, range or width are answered 400, an
// unknown point 404, a district mismatch 403, a failed query 502.
func TrendHandler(q TrendQuerier, reg PointFinder) http.Handler {
	return &trendHandler{q: q, reg: reg, now: time.Now}
}

// trendRequest is a checked trend request.
type trendRequest struct {
	enterprise, point, district, rangeName string
	span                                   time.Duration
	width                                  int
}

var trendParams = map[string]bool{"enterprise": true, "point": true,
	"range": true, "width": true, "district": true}

func parseTrendRequest(r *http.Request) (trendRequest, error) {
	v := r.URL.Query()
	for k := range v {
		if !trendParams[k] {
			return trendRequest{}, fmt.Errorf("unknown parameter %q", k)
		}
	}
	t := trendRequest{enterprise: v.Get("enterprise"), point: v.Get("point"),
		district: v.Get("district"), rangeName: v.Get("range"), width: DefaultWidth}
	if err := wire.CheckID(t.enterprise); err != nil {
		return t, fmt.Errorf("enterprise: %w", err)
	}
	if err := wire.CheckID(t.point); err != nil {
		return t, fmt.Errorf("point: %w", err)
	}
	if t.rangeName == "" {
		t.rangeName = "1h"
	}
	var ok bool
	if t.span, ok = Ranges[t.rangeName]; !ok {
		return t, fmt.Errorf("range: %q, want 1h, 24h or 7d", t.rangeName)
	}
	if s := v.Get("width"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < MinWidth || n > MaxWidth {
			return t, fmt.Errorf("width: %q, want %d to %d", s, MinWidth, MaxWidth)
		}
		t.width = n
	}
	return t, nil
}

// errOutOfScope answers a district that is not the enterprise's.
var errOutOfScope = errors.New("outside your scope")

func (h *trendHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, errors.New("method not allowed"))
		return
	}
	req, err := parseTrendRequest(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}

	// The registry names the point, its district and its limits.
	reg := h.reg()
	pt, ok := reg.Point(req.enterprise, req.point)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("unknown point %s of enterprise %s",
			req.point, req.enterprise))
		return
	}
	if ent, _ := reg.Enterprise(req.enterprise); req.district != "" && ent.District != req.district {
		writeError(w, http.StatusForbidden, errOutOfScope)
		return
	}

	// Buckets end on multiples of every, so the last one holds the
	// newest readings.
	every := max(req.span/time.Duration(req.width), minEvery).Truncate(time.Millisecond)
	stop := h.now()
	points, err := h.q.Trend(r.Context(), TrendQuery{Enterprise: req.enterprise,
		Point: req.point, Start: stop.Add(-req.span), Stop: stop, Every: every})
	if err != nil {
		writeError(w, http.StatusBadGateway, fmt.Errorf("read trend: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, trendJSON{Enterprise: req.enterprise, Point: req.point,
		Name: pt.Name, Unit: pt.Unit, Range: req.rangeName, Every: every.String(),
		From: stop.Add(-req.span), To: stop, Points: finitePoints(points),
		Limits: newLimits(pt.RuleConfig())})
}

type trendJSON struct {
	Enterprise string       `json:"enterprise"`
	Point      string       `json:"point"`
	Name       string       `json:"name"`
	Unit       string       `json:"unit"`
	Range      string       `json:"range"`
	Every      string       `json:"every"`
	From       time.Time    `json:"from"`
	To         time.Time    `json:"to"`
	Points     []TrendPoint `json:"points"`
	Limits     limits       `json:"limits"`
}

// finitePoints drops buckets with a missing aggregate: JSON has no NaN.
func finitePoints(ps []TrendPoint) []TrendPoint {
	out := make([]TrendPoint, 0, len(ps))
	for _, p := range ps {
		if !math.IsNaN(p.Min+p.Max+p.Mean) && !math.IsInf(p.Min+p.Max+p.Mean, 0) {
			out = append(out, p)
		}
	}
	return out
}

type limit struct {
	Value float64 `json:"value"`
	Level int     `json:"level"`
}

type limits struct {
	HighHigh  *limit   `json:"high_high,omitempty"`
	High      *limit   `json:"high,omitempty"`
	Low       *limit   `json:"low,omitempty"`
	LowLow    *limit   `json:"low_low,omitempty"`
	RangeLow  float64  `json:"range_low"`
	RangeHigh float64  `json:"range_high"`
	Methane   *methane `json:"methane,omitempty"`
}

type methane struct {
	Alarm    float64 `json:"alarm"`
	PowerOff float64 `json:"power_off"`
	Restore  float64 `json:"restore"`
}

func newLimits(c rules.Config) limits {
	l := limits{HighHigh: newLimit(c.HighHigh), High: newLimit(c.High),
		Low: newLimit(c.Low), LowLow: newLimit(c.LowLow),
		RangeLow: c.RangeLow, RangeHigh: c.RangeHigh}
	if m := c.Methane; m != nil {
		l.Methane = &methane{Alarm: m.Alarm, PowerOff: m.PowerOff, Restore: m.Restore}
	}
	return l
}

func newLimit(l *rules.Limit) *limit {
	if l == nil {
		return nil
	}
	return &limit{Value: l.Value, Level: int(l.Level)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
