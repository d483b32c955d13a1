package monitor

import (
	"math"
	"reflect"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/rules"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// pointConditions are the conditions a point's own alarms can have; a
// point's GatewayOffline is its gateway's one alarm instead.
var pointConditions = []rules.Condition{
	rules.HighHigh, rules.High, rules.Low, rules.LowLow, rules.RateOfChange,
	rules.Stale, rules.SensorFault, rules.MethaneAlarm, rules.MethanePowerOff,
}

// ObserveTelemetry evaluates the readings of one message, in order,
// against their points' rules. It implements ingest.Observer.
func (m *Monitor) ObserveTelemetry(src wire.Topic, t *wire.Telemetry,
	received time.Time) {
	m.mu.Lock()
	if !m.owns(src.Enterprise) {
		m.mu.Unlock()
		return // a partition given up; its next owner evaluates it
	}
	var p pending
	m.syncRegistry(m.now(), &p)
	if !m.reg.GatewayAllowed(src.Enterprise, src.Gateway) {
		m.mu.Unlock()
		m.m.mismatch.Add(float64(len(t.Readings)))
		return
	}
	m.gatewayUp(gatewayKey{src.Enterprise, src.Gateway}, received, &p)
	unknown, mismatched := m.evaluate(src, t, &p)
	m.commit(&p)
	m.mu.Unlock()

	if unknown > 0 {
		m.m.unregistered.Add(float64(unknown))
	}
	if mismatched > 0 {
		m.m.mismatch.Add(float64(mismatched))
	}
	m.toLedger(p.signals)
}

// evaluate feeds each reading of t to its point's evaluator and returns
// how many readings named no registered point, and how many came from
// another gateway than the point's own.
func (m *Monitor) evaluate(src wire.Topic, t *wire.Telemetry,
	p *pending) (unknown, mismatched int) {
	for i := range t.Readings {
		r := &t.Readings[i]
		ps := m.points[pointKey{src.Enterprise, r.Point}]
		switch {
		case ps == nil:
			unknown++
			continue
		case ps.point.Gateway != "" && ps.point.Gateway != src.Gateway:
			mismatched++
			continue
		}
		s := rules.Sample{Time: time.UnixMilli(r.Time),
			Quality: r.Quality, Replayed: t.Replayed}
		if r.Value != nil {
			s.Value = *r.Value
		}
		ps.gateway = src.Gateway
		if !s.Time.Before(ps.last.Time) {
			ps.last = lastReading{Time: s.Time, Value: s.Value,
				Quality: s.Quality}
		}
		if trs := ps.ev.Observe(s); len(trs) > 0 {
			m.applyTransitions(ps, trs, p)
		}
	}
	return unknown, mismatched
}

// ObserveStatus follows a gateway's birth and last will: offline raises
// its GatewayOffline alarm, online clears it. It implements
// ingest.Observer.
func (m *Monitor) ObserveStatus(src wire.Topic, s wire.Status,
	received time.Time) {
	m.mu.Lock()
	if !m.owns(src.Enterprise) {
		m.mu.Unlock()
		return
	}
	var p pending
	m.syncRegistry(m.now(), &p)
	if !m.reg.GatewayAllowed(src.Enterprise, src.Gateway) {
		m.mu.Unlock()
		m.m.mismatch.Inc()
		return
	}
	k := gatewayKey{src.Enterprise, src.Gateway}
	if s.State == wire.StateOffline {
		m.gatewayDown(k, received, &p)
	} else {
		m.gatewayUp(k, received, &p)
	}
	m.commit(&p)
	m.mu.Unlock()
	m.toLedger(p.signals)
}

// applyTransitions takes a point's transitions to its alarms. The point's
// GatewayOffline is dropped: the gateway's own alarm says it once.
func (m *Monitor) applyTransitions(ps *pointState, trs []rules.Transition,
	p *pending) {
	for _, tr := range trs {
		if tr.Condition == rules.GatewayOffline {
			continue
		}
		key := alarm.Key{Point: ps.key, Condition: tr.Condition}
		e := m.alarmFor(key, ps.point.Enterprise, ps.point.ID)
		evs, err := e.a.Apply(tr)
		if err != nil {
			m.log.Warn("alarm refused a transition", "alarm", key.String(),
				"transition", tr.String(), "err", err)
			continue
		}
		m.record(p, e, evs, transitionInfo{limit: tr.Limit, hasLimit: true})
	}
}

// alarmFor returns the alarm of key, created Normal when it is new.
func (m *Monitor) alarmFor(key alarm.Key, enterprise, point string) *alarmEntry {
	e := m.alarms[key]
	if e == nil {
		e = &alarmEntry{a: alarm.New(key, m.policy), enterprise: enterprise,
			point: point}
		m.alarms[key] = e
	}
	return e
}

// syncRegistry follows a new registry snapshot: new points get an
// evaluator, points whose rules changed get a new one that resumes their
// active alarms, removed points are forgotten (their alarms stay, for the
// operators to see and acknowledge).
func (m *Monitor) syncRegistry(now time.Time, p *pending) {
	reg := m.deps.Registry()
	if reg == nil || reg == m.reg {
		return
	}
	m.reg = reg
	pts := reg.Points()
	keep := make(map[pointKey]bool, len(pts))
	for _, pt := range pts {
		if !m.owns(pt.Enterprise) {
			continue
		}
		k := pointKey{pt.Enterprise, pt.ID}
		keep[k] = true
		m.syncPoint(k, pt, now, p)
	}
	for k := range m.points {
		if !keep[k] {
			delete(m.points, k)
		}
	}
	m.seedGateways(now)
}

// syncPoint builds the evaluator of point k unless it has one for the
// point's rules already.
func (m *Monitor) syncPoint(k pointKey, pt registry.Point, now time.Time,
	p *pending) {
	cfg := pt.RuleConfig()
	ps := m.points[k]
	if ps != nil {
		ps.point = pt
		if reflect.DeepEqual(ps.cfg, cfg) {
			return
		}
	}
	ev, err := rules.NewEvaluator(cfg)
	if err != nil {
		// The registry validated the same config; keep what runs.
		m.log.Error("point rules refused", "enterprise", k.enterprise,
			"point", k.id, "err", err)
		return
	}
	if ps == nil {
		ps = &pointState{key: k.enterprise + "/" + k.id}
		m.points[k] = ps
	}
	ps.point, ps.cfg, ps.ev = pt, cfg, ev
	m.resume(ps, now, p)
}

// resume marks the active alarms of ps active in its new evaluator, so
// they clear when the value is back instead of being raised again. An
// active alarm whose condition the point no longer has clears at now.
func (m *Monitor) resume(ps *pointState, now time.Time, p *pending) {
	for _, c := range pointConditions {
		e := m.alarms[alarm.Key{Point: ps.key, Condition: c}]
		if e == nil {
			continue
		}
		s := e.a.Snapshot()
		switch {
		case !s.Active:
		case hasCondition(ps.cfg, c):
			ps.ev.Resume(s.ActiveSince, c)
		default:
			evs, err := e.a.Clear(s.Value, now, false)
			if err == nil {
				m.record(p, e, evs, transitionInfo{})
			}
		}
	}
	gk := gatewayKey{ps.point.Enterprise, m.gatewayOf(ps)}
	if gw, ok := m.gateways[gk]; ok && gw.offline {
		ps.ev.Resume(gw.offlineAt, rules.GatewayOffline)
	}
}

// hasCondition tells whether a point configured by c can raise cond.
func hasCondition(c rules.Config, cond rules.Condition) bool {
	switch cond {
	case rules.HighHigh:
		return c.HighHigh != nil
	case rules.High:
		return c.High != nil
	case rules.Low:
		return c.Low != nil
	case rules.LowLow:
		return c.LowLow != nil
	case rules.RateOfChange:
		return c.RateOfChange != nil
	case rules.Stale:
		return c.ExpectedInterval > 0
	case rules.MethaneAlarm, rules.MethanePowerOff:
		return c.Methane != nil
	}
	return true
}

// finite returns v, or 0 for NaN and infinities, which neither JSON nor
// SQLite (it stores NaN as NULL) nor InfluxDB can keep.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
