package monitor

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/live"
)

// pending collects what one call changed, to be journalled in one
// transaction and then announced.
type pending struct {
	changes []change
	touched []*alarmEntry // alarms whose state row must be written
	signals []hazard.AlarmSignal
}

// change is one journal event of one alarm.
type change struct {
	entry *alarmEntry
	ev    alarm.Event
	info  transitionInfo
}

// transitionInfo is what an event caused by package rules adds to it.
type transitionInfo struct {
	limit    float64
	hasLimit bool
}

// record adds the events of e to p, with the ledger signals of those
// that start, change or end an excursion.
func (m *Monitor) record(p *pending, e *alarmEntry, evs []alarm.Event,
	info transitionInfo) {
	if len(evs) == 0 {
		return
	}
	for _, ev := range evs {
		p.changes = append(p.changes, change{entry: e, ev: ev, info: info})
		if sig, ok := m.signal(e, ev); ok {
			p.signals = append(p.signals, sig)
		}
	}
	for _, t := range p.touched {
		if t == e {
			return
		}
	}
	p.touched = append(p.touched, e)
}

// commit journals p, logging a failure (the alarms have changed in memory
// and go on; their state row is written again with their next event), and
// announces it.
func (m *Monitor) commit(p *pending) {
	if len(p.changes) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := m.persist(ctx, p); err != nil {
		m.m.journalErrors.Add(float64(len(p.changes)))
		m.log.Error("alarm events not journalled",
			"events", len(p.changes), "err", err)
	}
	m.announce(p)
}

// announce counts the journalled events of p and sends them to the live
// hub and the annotation queue.
func (m *Monitor) announce(p *pending) {
	for i := range p.changes {
		c := &p.changes[i]
		m.kpi.Add(c.ev)
		m.m.events.WithLabelValues(c.ev.Kind.String()).Inc()
		v := m.eventView(c)
		m.publish(v)
		if m.ann != nil {
			m.ann.push(annotationLine(v))
		}
		m.log.Debug("alarm event", "alarm", c.ev.Key.String(),
			"kind", v.Kind, "state", v.State, "episode", v.Episode)
	}
}

// EventView is an alarm event as the live feed and the journal API show
// it.
type EventView struct {
	Enterprise   string    `json:"enterprise"`
	District     string    `json:"district,omitempty"`
	Point        string    `json:"point"`
	PointName    string    `json:"point_name,omitempty"`
	HazardSource string    `json:"hazard_source,omitempty"`
	Condition    string    `json:"condition"`
	Kind         string    `json:"kind"`
	From         string    `json:"from"`
	State        string    `json:"state"`
	Level        int       `json:"level"`
	Value        float64   `json:"value"`
	Limit        *float64  `json:"limit,omitempty"`
	Late         bool      `json:"late"`
	Episode      uint64    `json:"episode"`
	Actor        string    `json:"actor,omitempty"`
	Comment      string    `json:"comment,omitempty"`
	Until        time.Time `json:"until,omitzero"`
	Time         time.Time `json:"time"`
}

func (m *Monitor) eventView(c *change) EventView {
	pl := m.placeOf(c.entry.enterprise, c.entry.point)
	ev := c.ev
	v := EventView{Enterprise: c.entry.enterprise, District: pl.District,
		Point: c.entry.point, PointName: pl.PointName,
		HazardSource: pl.HazardSource, Condition: ev.Key.Condition.String(),
		Kind: ev.Kind.String(), From: ev.From.String(), State: ev.To.String(),
		Level: int(ev.Level), Value: finite(ev.Value), Late: ev.Late,
		Episode: ev.Episode, Actor: ev.Actor, Comment: ev.Comment,
		Until: ev.Until, Time: ev.Time}
	if c.info.hasLimit {
		l := finite(c.info.limit)
		v.Limit = &l
	}
	return v
}

// publish sends an alarm event to the live hub.
func (m *Monitor) publish(v EventView) {
	if m.deps.Hub == nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		m.log.Error("alarm event not published", "err", err)
		return
	}
	m.deps.Hub.Publish(live.Event{Kind: live.KindAlarm, Time: v.Time,
		District: v.District, Enterprise: v.Enterprise, Level: v.Level,
		Data: data})
}

// place is the registry context of an alarm.
type place struct {
	District, Industry      string
	PointName, HazardSource string
	SourceGrade             int
}

// placeOf looks an alarm's enterprise and point up in the registry in
// service; what the registry no longer knows stays empty.
func (m *Monitor) placeOf(enterprise, point string) place {
	var pl place
	if m.reg == nil {
		return pl
	}
	if ent, ok := m.reg.Enterprise(enterprise); ok {
		pl.District, pl.Industry = ent.District, string(ent.Industry)
	}
	pt, ok := m.reg.Point(enterprise, point)
	if !ok {
		return pl
	}
	pl.PointName, pl.HazardSource = pt.Name, pt.HazardSource
	if hs, ok := m.reg.HazardSource(pt.HazardSource); ok {
		pl.SourceGrade = hs.Grade
	}
	return pl
}
