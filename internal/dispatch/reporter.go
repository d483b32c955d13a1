package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/store"
)

// Defaults of Deps.
const (
	DefaultTimeZone             = "Asia/Shanghai"
	DefaultRateWindow           = 90 * 24 * time.Hour
	DefaultMinCompleteness      = 0.95
	DefaultMinRectificationRate = 0.8
)

// DateLayout is how a report's day is written (2026-12-03).
const DateLayout = time.DateOnly

// Deps are the Reporter's collaborators and settings. DB, Ledger,
// Registry and Influx are required.
type Deps struct {
	// DB holds the alarm journal and the hazard tables, read only.
	DB *store.DB
	// Ledger gives the rectification rates (Stats).
	Ledger *hazard.Ledger
	// Registry returns the registry in service.
	Registry func() *registry.Registry
	// Influx is queried with Flux for the readings of the day.
	Influx influxdb2.Client
	// Bucket and Org are where readings are ("db/rp" on InfluxDB 1.8).
	Bucket, Org string
	// Location is the time zone of a day; Asia/Shanghai by default.
	Location *time.Location
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Log defaults to discarding.
	Log *slog.Logger
	// RateWindow is how far back from the end of the day the records
	// whose rectification rate is ranked were created; 90 days default.
	RateWindow time.Duration
	// MinCompleteness and MinRectificationRate are the thresholds under
	// which a unit is listed as lagging; 0.95 and 0.8 by default.
	MinCompleteness      float64
	MinRectificationRate float64
}

// Reporter builds daily dispatch reports. It is safe for concurrent use.
type Reporter struct {
	d   Deps
	log *slog.Logger
}

// NewReporter returns a Reporter, filling in the defaults of d.
func NewReporter(d Deps) (*Reporter, error) {
	if d.DB == nil || d.Ledger == nil || d.Registry == nil || d.Influx == nil {
		return nil, errors.New("new dispatch reporter: db, ledger, " +
			"registry and influx are required")
	}
	if d.Bucket == "" {
		return nil, errors.New("new dispatch reporter: bucket is required")
	}
	if d.Location == nil {
		loc, err := time.LoadLocation(DefaultTimeZone)
		if err != nil {
			return nil, fmt.Errorf("new dispatch reporter: %w", err)
		}
		d.Location = loc
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.RateWindow <= 0 {
		d.RateWindow = DefaultRateWindow
	}
	if d.MinCompleteness <= 0 {
		d.MinCompleteness = DefaultMinCompleteness
	}
	if d.MinRectificationRate <= 0 {
		d.MinRectificationRate = DefaultMinRectificationRate
	}
	return &Reporter{d: d, log: d.Log.With("component", "dispatch")}, nil
}

// Location returns the time zone of the reports' days.
func (r *Reporter) Location() *time.Location { return r.d.Location }

// Yesterday returns the day before the current one, the day a morning
// dispatch meeting reviews.
func (r *Reporter) Yesterday() string {
	return r.d.Now().In(r.d.Location).AddDate(0, 0, -1).Format(DateLayout)
}

// ErrFutureDay is returned for a day that has not begun yet.
var ErrFutureDay = errors.New("day has not begun")

// ErrBadDate is returned for a date that is not YYYY-MM-DD.
var ErrBadDate = errors.New("bad date")

// window is the day being reported and what of it is counted.
type window struct {
	from, to, until time.Time
	district        string // "" for the whole city
}

// span is the counted part of the day.
func (w window) span() time.Duration { return w.until.Sub(w.from) }

// Build returns the report of date (YYYY-MM-DD in the Reporter's time
// zone), narrowed to district unless it is empty.
func (r *Reporter) Build(ctx context.Context, date, district string) (*Report, error) {
	day, err := time.ParseInLocation(DateLayout, date, r.d.Location)
	if err != nil {
		return nil, fmt.Errorf("dispatch report %q: %w: want YYYY-MM-DD",
			date, ErrBadDate)
	}
	now := r.d.Now().In(r.d.Location)
	w := window{from: day, to: day.AddDate(0, 0, 1), district: district}
	if !now.After(w.from) {
		return nil, fmt.Errorf("dispatch report %s: %w", date, ErrFutureDay)
	}
	w.until = w.to
	if now.Before(w.to) {
		w.until = now
	}
	rep := &Report{Date: date, TimeZone: r.d.Location.String(),
		From: w.from, To: w.to, Until: w.until, Partial: w.until.Before(w.to),
		GeneratedAt: now, District: district}
	reg := r.d.Registry()
	if reg == nil {
		return nil, fmt.Errorf("dispatch report %s: no registry loaded", date)
	}
	if err := r.build(ctx, rep, w, reg); err != nil {
		return nil, fmt.Errorf("dispatch report %s: %w", date, err)
	}
	r.log.Info("dispatch report built", "date", date, "district", district,
		"partial", rep.Partial)
	return rep, nil
}

// build fills rep's sections in.
func (r *Reporter) build(ctx context.Context, rep *Report, w window, reg *registry.Registry) error {
	places := newPlaces(reg, w.district)
	var err error
	if rep.Alarms, err = r.alarms(ctx, w, places); err != nil {
		return err
	}
	if rep.Hazards, err = r.hazards(ctx, w); err != nil {
		return err
	}
	if rep.Data, err = r.data(ctx, w, reg, places); err != nil {
		return err
	}
	rep.Lagging = r.lagging(rep)
	return nil
}

// place is what the report shows of an enterprise.
type place struct{ name, district string }

// places maps enterprise codes to their place, for the enterprises in
// the report's scope.
type places struct {
	m        map[string]place
	district string
}

func newPlaces(reg *registry.Registry, district string) places {
	p := places{m: map[string]place{}, district: district}
	for _, e := range reg.Enterprises() {
		p.m[e.Code] = place{name: e.Name, district: e.District}
	}
	return p
}

// unregistered is the district shown for an enterprise the registry no
// longer lists.
const unregistered = "（未登记）"

// of returns the place of an enterprise and whether it is in scope.
func (p places) of(code string) (place, bool) {
	pl, ok := p.m[code]
	if !ok {
		pl = place{district: unregistered}
	}
	return pl, p.district == "" || pl.district == p.district
}
