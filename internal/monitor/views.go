package monitor

import (
	"cmp"
	"slices"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// AlarmView is an alarm's current state with its registry context.
type AlarmView struct {
	Enterprise   string    `json:"enterprise"`
	District     string    `json:"district,omitempty"`
	Point        string    `json:"point"`
	PointName    string    `json:"point_name,omitempty"`
	HazardSource string    `json:"hazard_source,omitempty"`
	Condition    string    `json:"condition"`
	State        string    `json:"state"`
	Active       bool      `json:"active"`
	Level        int       `json:"level"`
	Value        float64   `json:"value"`
	Episode      uint64    `json:"episode"`
	ActiveSince  time.Time `json:"active_since,omitzero"`
	UnackedSince time.Time `json:"unacked_since,omitzero"`
	Escalated    bool      `json:"escalated"`
	AckedBy      string    `json:"acked_by,omitempty"`
	AckedAt      time.Time `json:"acked_at,omitzero"`
	SuppressedBy string    `json:"suppressed_by,omitempty"`
	SuppressedAt time.Time `json:"suppressed_at,omitzero"`
	Reason       string    `json:"reason,omitempty"`
	ShelvedUntil time.Time `json:"shelved_until,omitzero"`
}

// alarmView describes e; the lock is held.
func (m *Monitor) alarmView(e *alarmEntry) AlarmView {
	s := e.a.Snapshot()
	pl := m.placeOf(e.enterprise, e.point)
	return AlarmView{Enterprise: e.enterprise, District: pl.District,
		Point: e.point, PointName: pl.PointName,
		HazardSource: pl.HazardSource, Condition: s.Key.Condition.String(),
		State: s.State.String(), Active: s.Active, Level: int(s.Level),
		Value: finite(s.Value), Episode: s.Episode,
		ActiveSince: s.ActiveSince, UnackedSince: s.UnackedSince,
		Escalated: s.Escalated, AckedBy: s.AckedBy, AckedAt: s.AckedAt,
		SuppressedBy: s.SuppressedBy, SuppressedAt: s.SuppressedAt,
		Reason: s.Reason, ShelvedUntil: s.ShelvedUntil}
}

// AlarmFilter selects alarms; zero fields select all.
type AlarmFilter struct {
	Enterprise string
	District   string
	State      *alarm.State
	Level      int
	Active     *bool
	Condition  rules.Condition
}

func (f AlarmFilter) accepts(v *AlarmView, c rules.Condition,
	st alarm.State) bool {
	switch {
	case f.Enterprise != "" && v.Enterprise != f.Enterprise,
		f.District != "" && v.District != f.District,
		f.State != nil && st != *f.State,
		f.Level != 0 && v.Level != f.Level,
		f.Active != nil && v.Active != *f.Active,
		f.Condition != 0 && c != f.Condition:
		return false
	}
	return true
}

// Alarms returns the alarms f selects, by enterprise, point and
// condition.
func (m *Monitor) Alarms(f AlarmFilter) []AlarmView {
	m.mu.Lock()
	out := []AlarmView{}
	for k, e := range m.alarms {
		v := m.alarmView(e)
		if f.accepts(&v, k.Condition, e.a.State()) {
			out = append(out, v)
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b AlarmView) int {
		return cmp.Or(cmp.Compare(a.Enterprise, b.Enterprise),
			cmp.Compare(a.Point, b.Point),
			cmp.Compare(a.Condition, b.Condition))
	})
	return out
}

// PointView is a registered point with its newest reading and alarms,
// the operators' point list.
type PointView struct {
	Enterprise   string      `json:"enterprise"`
	ID           string      `json:"id"`
	Name         string      `json:"name"`
	HazardSource string      `json:"hazard_source"`
	Kind         string      `json:"kind"`
	Unit         string      `json:"unit"`
	Gateway      string      `json:"gateway,omitempty"`
	LastTime     time.Time   `json:"last_time,omitzero"`
	LastValue    *float64    `json:"last_value,omitempty"`
	LastQuality  string      `json:"last_quality,omitempty"`
	Alarms       []AlarmView `json:"alarms"`
}

// Points returns the registered points of enterprise (all when empty) in
// registry order, with their alarms that are not Normal.
func (m *Monitor) Points(enterprise string) []PointView {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []PointView{}
	for _, pt := range m.reg.Points() {
		if enterprise != "" && pt.Enterprise != enterprise {
			continue
		}
		ps := m.points[pointKey{pt.Enterprise, pt.ID}]
		if ps == nil {
			continue
		}
		out = append(out, m.pointView(ps))
	}
	return out
}

func (m *Monitor) pointView(ps *pointState) PointView {
	pt := ps.point
	v := PointView{Enterprise: pt.Enterprise, ID: pt.ID, Name: pt.Name,
		HazardSource: pt.HazardSource, Kind: pt.Kind.String(),
		Unit: pt.Unit, Gateway: m.gatewayOf(ps), Alarms: []AlarmView{}}
	if !ps.last.Time.IsZero() {
		v.LastTime, v.LastQuality = ps.last.Time, ps.last.Quality.String()
		if ps.last.Quality != rules.Bad {
			val := finite(ps.last.Value)
			v.LastValue = &val
		}
	}
	for _, c := range pointConditions {
		e := m.alarms[alarm.Key{Point: ps.key, Condition: c}]
		if e != nil && e.a.State() != alarm.Normal {
			v.Alarms = append(v.Alarms, m.alarmView(e))
		}
	}
	return v
}

// KPIView is the alarm load at one moment (see alarm.KPIs).
type KPIView struct {
	At            time.Time  `json:"at"`
	PerTenMinutes float64    `json:"per_ten_minutes"`
	Flood         bool       `json:"flood"`
	Stale         int        `json:"stale"`
	Chattering    []AlarmRef `json:"chattering"`
}

// AlarmRef names an alarm in the API.
type AlarmRef struct {
	Enterprise string `json:"enterprise"`
	Point      string `json:"point"`
	Condition  string `json:"condition"`
}

// KPI returns the alarm load now.
func (m *Monitor) KPI() KPIView {
	m.mu.Lock()
	now := m.now()
	k := m.kpi.Snapshot(now)
	m.mu.Unlock()
	v := KPIView{At: now, PerTenMinutes: k.PerTenMinutes, Flood: k.Flood,
		Stale: k.Stale, Chattering: []AlarmRef{}}
	for _, key := range k.Chattering {
		ent, pt := splitKey(key)
		v.Chattering = append(v.Chattering, AlarmRef{Enterprise: ent,
			Point: pt, Condition: key.Condition.String()})
	}
	return v
}
