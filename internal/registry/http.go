package registry

import (
	"encoding/json"
	"net/http"

	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// Handler serves the registry in service as JSON, read-only:
//
//	GET /api/v1/registry/enterprises                  enterprises, with hazard sources
//	GET /api/v1/registry/points?enterprise=CODE       points (all without the parameter)
//	GET /api/v1/registry/points/{enterprise}/{point}  one point, with its effective rules
//	GET /api/v1/registry/status                       file, loaded at, last error
//
// Mount it under /api/v1/registry/.
func (w *Watcher) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/registry/enterprises", w.serveEnterprises)
	mux.HandleFunc("GET /api/v1/registry/points", w.servePoints)
	mux.HandleFunc("GET /api/v1/registry/points/{enterprise}/{point}",
		w.servePoint)
	mux.HandleFunc("GET /api/v1/registry/status",
		func(rw http.ResponseWriter, _ *http.Request) {
			writeJSON(rw, http.StatusOK, w.Status())
		})
	return mux
}

func (w *Watcher) serveEnterprises(rw http.ResponseWriter, _ *http.Request) {
	r := w.Current()
	out := make([]enterpriseJSON, 0, len(r.enterpriseList))
	index := make(map[string]int, len(r.enterpriseList))
	for _, e := range r.enterpriseList {
		index[e.Code] = len(out)
		out = append(out, enterpriseJSON{
			Code: e.Code, Name: e.Name, District: e.District,
			Industry: e.Industry, Gateways: nonNil(e.Gateways),
			HazardSources: []sourceJSON{},
		})
	}
	for _, s := range r.sourceList {
		e := &out[index[s.Enterprise]]
		e.HazardSources = append(e.HazardSources,
			sourceJSON{Code: s.Code, Name: s.Name, Grade: s.Grade})
	}
	for _, p := range r.pointList {
		out[index[p.Enterprise]].Points++
	}
	writeJSON(rw, http.StatusOK, out)
}

func (w *Watcher) servePoints(rw http.ResponseWriter, req *http.Request) {
	r := w.Current()
	ps := r.pointList
	if ent := req.URL.Query().Get("enterprise"); ent != "" {
		if _, ok := r.enterprise(ent); !ok {
			writeError(rw, http.StatusNotFound, "unknown enterprise "+ent)
			return
		}
		ps = r.EnterprisePoints(ent)
	}
	out := make([]pointJSON, len(ps))
	for i, p := range ps {
		out[i] = newPointJSON(p)
	}
	writeJSON(rw, http.StatusOK, out)
}

func (w *Watcher) servePoint(rw http.ResponseWriter, req *http.Request) {
	ent, id := req.PathValue("enterprise"), req.PathValue("point")
	p, ok := w.Current().Point(ent, id)
	if !ok {
		writeError(rw, http.StatusNotFound,
			"unknown point "+id+" of enterprise "+ent)
		return
	}
	out := newPointJSON(p)
	eff := newRulesJSON(p.RuleConfig())
	out.Effective = &eff
	writeJSON(rw, http.StatusOK, out)
}

type enterpriseJSON struct {
	Code          string       `json:"code"`
	Name          string       `json:"name"`
	District      string       `json:"district"`
	Industry      Industry     `json:"industry"`
	Gateways      []string     `json:"gateways"`
	HazardSources []sourceJSON `json:"hazard_sources"`
	Points        int          `json:"points"`
}

type sourceJSON struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Grade int    `json:"grade"`
}

// pointJSON shows a point with the keys of the registry file.
type pointJSON struct {
	ID           string `json:"id"`
	Enterprise   string `json:"enterprise"`
	HazardSource string `json:"hazard_source"`
	Gateway      string `json:"gateway,omitempty"`
	Name         string `json:"name"`
	rulesJSON
	// Effective are the rules the center applies, defaults included.
	Effective *rulesJSON `json:"effective,omitempty"`
}

type rulesJSON struct {
	Kind             string       `json:"kind"`
	Unit             string       `json:"unit"`
	RangeLow         float64      `json:"range_low"`
	RangeHigh        float64      `json:"range_high"`
	HighHigh         *limitJSON   `json:"high_high,omitempty"`
	High             *limitJSON   `json:"high,omitempty"`
	Low              *limitJSON   `json:"low,omitempty"`
	LowLow           *limitJSON   `json:"low_low,omitempty"`
	Deadband         float64      `json:"deadband"`
	OnDelay          string       `json:"on_delay"`
	OffDelay         string       `json:"off_delay"`
	RateOfChange     *rateJSON    `json:"rate_of_change,omitempty"`
	ExpectedInterval string       `json:"expected_interval"`
	StaleAfter       int          `json:"stale_after"`
	Methane          *methaneJSON `json:"methane,omitempty"`
}

type limitJSON struct {
	Value float64 `json:"value"`
	Level int     `json:"level"`
}

type rateJSON struct {
	PerMinute float64 `json:"per_minute"`
	Level     int     `json:"level"`
}

type methaneJSON struct {
	Alarm    float64 `json:"alarm"`
	PowerOff float64 `json:"power_off"`
	Restore  float64 `json:"restore"`
}

func newPointJSON(p Point) pointJSON {
	return pointJSON{
		ID: p.ID, Enterprise: p.Enterprise, HazardSource: p.HazardSource,
		Gateway: p.Gateway, Name: p.Name,
		rulesJSON: newRulesJSON(rules.Config{
			Kind: p.Kind, Unit: p.Unit,
			RangeLow: p.RangeLow, RangeHigh: p.RangeHigh,
			HighHigh: p.HighHigh, High: p.High, Low: p.Low, LowLow: p.LowLow,
			Deadband: p.Deadband, OnDelay: p.OnDelay, OffDelay: p.OffDelay,
			RateOfChange:     p.RateOfChange,
			ExpectedInterval: p.ExpectedInterval, StaleAfter: p.StaleAfter,
			Methane: p.Methane,
		}),
	}
}

func newRulesJSON(c rules.Config) rulesJSON {
	out := rulesJSON{
		Kind: c.Kind.String(), Unit: c.Unit,
		RangeLow: c.RangeLow, RangeHigh: c.RangeHigh,
		HighHigh: newLimitJSON(c.HighHigh), High: newLimitJSON(c.High),
		Low: newLimitJSON(c.Low), LowLow: newLimitJSON(c.LowLow),
		Deadband: c.Deadband,
		OnDelay:  c.OnDelay.String(), OffDelay: c.OffDelay.String(),
		ExpectedInterval: c.ExpectedInterval.String(),
		StaleAfter:       c.StaleAfter,
	}
	if r := c.RateOfChange; r != nil {
		out.RateOfChange = &rateJSON{PerMinute: r.PerMinute,
			Level: int(r.Level)}
	}
	if m := c.Methane; m != nil {
		out.Methane = &methaneJSON{Alarm: m.Alarm, PowerOff: m.PowerOff,
			Restore: m.Restore}
	}
	return out
}

func newLimitJSON(l *rules.Limit) *limitJSON {
	if l == nil {
		return nil
	}
	return &limitJSON{Value: l.Value, Level: int(l.Level)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeError(rw http.ResponseWriter, status int, msg string) {
	writeJSON(rw, status, map[string]string{"error": msg})
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	enc := json.NewEncoder(rw)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to do
}
