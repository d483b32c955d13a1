package dispatch

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/registry"
)

// gatewayPrefix starts the point of a gateway's alarm in the journal.
const gatewayPrefix = "gateway:"

// offlineBeforeSQL reads the last activation or clearing of each
// gateway's offline alarm before the day began: an activation means the
// gateway entered the day offline. Its argument: day start (Unix ms).
//
// Not yet: alarm_journal has no index on alarm_condition, so this scans
// the journal's gateway rows before the day; it matters only when the
// journal holds years of a large fleet.
const offlineBeforeSQL = `SELECT enterprise, point, kind FROM alarm_journal
	WHERE id IN (SELECT MAX(id) FROM alarm_journal
	  WHERE alarm_condition = 'gateway_offline'
	    AND kind IN ('activated', 'cleared') AND at < ?
	  GROUP BY enterprise, point)`

// offlineDuringSQL reads the day's offline activations and clearings in
// order. Its arguments: day start and counted end (Unix ms).
const offlineDuringSQL = `SELECT enterprise, point, kind, at FROM alarm_journal
	WHERE alarm_condition = 'gateway_offline'
	  AND kind IN ('activated', 'cleared') AND at >= ? AND at < ?
	ORDER BY at, id`

// gatewayKey names a gateway.
type gatewayKey struct{ enterprise, gateway string }

// outage follows one gateway through the day.
type outage struct {
	offline  bool
	since    int64
	episodes int
	total    int64 // ms offline
}

func (o *outage) step(kind string, at int64) {
	switch {
	case kind == "activated" && !o.offline:
		o.offline, o.since = true, at
		o.episodes++
	case kind == "cleared" && o.offline:
		o.offline = false
		o.total += at - o.since
	}
}

// outages returns the offline time of every gateway that was offline at
// some moment of the counted part of the day.
func (r *Reporter) outages(ctx context.Context, w window) (map[gatewayKey]*outage, error) {
	from, until := w.from.UnixMilli(), w.until.UnixMilli()
	out := map[gatewayKey]*outage{}
	get := func(ent, point string) *outage {
		k := gatewayKey{ent, strings.TrimPrefix(point, gatewayPrefix)}
		if out[k] == nil {
			out[k] = &outage{}
		}
		return out[k]
	}

	// Gateways already offline when the day began.
	db := r.d.DB
	rows, err := db.Reader().QueryContext(ctx,
		db.Dialect().Rebind(offlineBeforeSQL), from)
	if err != nil {
		return nil, fmt.Errorf("query gateway outages: %w", err)
	}
	err = scanRows(rows, func(scan func(...any) error) error {
		var ent, point, kind string
		if err := scan(&ent, &point, &kind); err != nil {
			return err
		}
		if kind == "activated" {
			o := get(ent, point)
			o.offline, o.since, o.episodes = true, from, 1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read gateway outages: %w", err)
	}

	// The day's changes.
	rows, err = db.Reader().QueryContext(ctx,
		db.Dialect().Rebind(offlineDuringSQL), from, until)
	if err != nil {
		return nil, fmt.Errorf("query gateway outages: %w", err)
	}
	err = scanRows(rows, func(scan func(...any) error) error {
		var ent, point, kind string
		var at int64
		if err := scan(&ent, &point, &kind, &at); err != nil {
			return err
		}
		get(ent, point).step(kind, at)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read gateway outages: %w", err)
	}

	// Those still offline count up to the end.
	for k, o := range out {
		if o.offline {
			o.total += until - o.since
		}
		if o.episodes == 0 {
			delete(out, k) // cleared only: came back from before the day
		}
	}
	return out, nil
}

// rowScanner is the part of *sql.Rows that scanRows needs.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// scanRows calls each for every row and closes rows.
func scanRows(rows rowScanner, each func(scan func(...any) error) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// data builds the gateway outages and the completeness figures.
func (r *Reporter) data(ctx context.Context, w window, reg *registry.Registry, pl places) (DataSection, error) {
	outs, err := r.outages(ctx, w)
	if err != nil {
		return DataSection{}, err
	}
	counts, err := r.readingCounts(ctx, w)
	if err != nil {
		return DataSection{}, err
	}
	var sec DataSection
	sec.OfflineGateways = offlineGateways(outs, pl)
	span := w.span()
	for _, e := range reg.Enterprises() {
		if _, ok := pl.of(e.Code); !ok {
			continue
		}
		ed := enterpriseData(e, reg.EnterprisePoints(e.Code), counts, span)
		online(&ed, e, reg, outs, span)
		sec.Enterprises = append(sec.Enterprises, ed)
	}
	slices.SortFunc(sec.Enterprises, func(a, b EnterpriseData) int {
		return cmp.Or(cmp.Compare(a.District, b.District),
			cmp.Compare(a.Enterprise, b.Enterprise))
	})
	sec.Districts = districtData(sec.Enterprises)
	return sec, nil
}

func offlineGateways(outs map[gatewayKey]*outage, pl places) []GatewayOffline {
	var out []GatewayOffline
	for k, o := range outs {
		p, ok := pl.of(k.enterprise)
		if !ok {
			continue
		}
		out = append(out, GatewayOffline{Enterprise: k.enterprise,
			Name: p.name, District: p.district, Gateway: k.gateway,
			Episodes: o.episodes, OfflineSeconds: float64(o.total) / 1000,
			OfflineAtEnd: o.offline})
	}
	slices.SortFunc(out, func(a, b GatewayOffline) int {
		return cmp.Or(cmp.Compare(b.OfflineSeconds, a.OfflineSeconds),
			cmp.Compare(a.Enterprise, b.Enterprise),
			cmp.Compare(a.Gateway, b.Gateway))
	})
	return out
}

// enterpriseData computes an enterprise's completeness. A point counts
// at most the readings it was expected to send, so a point that reports
// more often than its expected interval cannot hide a silent one.
func enterpriseData(e registry.Enterprise, points []registry.Point,
	counts map[pointCountKey]pointCount, span time.Duration) EnterpriseData {
	ed := EnterpriseData{Enterprise: e.Code, Name: e.Name,
		District: e.District, Points: len(points)}
	for _, p := range points {
		if p.ExpectedInterval <= 0 {
			continue
		}
		want := int64(span / p.ExpectedInterval)
		got := counts[pointCountKey{e.Code, p.ID}]
		ed.Expected += want
		ed.Received += min(got.all, want)
		ed.Bad += got.bad
	}
	ed.Completeness = ratio(ed.Received, ed.Expected)
	return ed
}

// online computes an enterprise's online rate over its gateways: those
// the registry lists (for the enterprise or its points) and those that
// went offline; one when it names none.
func online(ed *EnterpriseData, e registry.Enterprise, reg *registry.Registry,
	outs map[gatewayKey]*outage, span time.Duration) {
	gws := map[string]bool{}
	for _, g := range e.Gateways {
		gws[g] = true
	}
	for _, p := range reg.EnterprisePoints(e.Code) {
		if p.Gateway != "" {
			gws[p.Gateway] = true
		}
	}
	var offline int64
	for k, o := range outs {
		if k.enterprise == e.Code {
			gws[k.gateway] = true
			offline += o.total
		}
	}
	ed.Gateways = max(len(gws), 1)
	ed.OfflineSeconds = float64(offline) / 1000
	total := float64(ed.Gateways) * span.Seconds()
	ed.OnlineRate = 1
	if total > 0 {
		ed.OnlineRate = max(0, 1-ed.OfflineSeconds/total)
	}
}

func districtData(ents []EnterpriseData) []DistrictData {
	at := map[string]int{}
	var out []DistrictData
	for _, e := range ents {
		i, ok := at[e.District]
		if !ok {
			i = len(out)
			at[e.District] = i
			out = append(out, DistrictData{District: e.District})
		}
		out[i].Expected += e.Expected
		out[i].Received += e.Received
	}
	for i := range out {
		out[i].Completeness = ratio(out[i].Received, out[i].Expected)
	}
	return out
}

// ratio is n / d, 1 when nothing was expected.
func ratio(n, d int64) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}
