package monitor

import (
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// GatewayLevel is the level of a GatewayOffline alarm. It is level 2: a
// silent gateway blinds the center to every point of the site at once,
// whatever those points would show, so it is as urgent as the worst alarm
// it may hide. The hazard ledger still opens a record for it only after
// its own hold time (gateway_offline in the ledger policy).
const GatewayLevel = rules.Level2

// gatewayPrefix marks the alarm key of a gateway; point ids cannot hold
// ':' (wire.CheckID), so it never meets a point's.
const gatewayPrefix = "gateway:"

// gatewayKey names a gateway: ids are unique only within an enterprise.
type gatewayKey struct{ enterprise, id string }

// gatewayState is what the monitor knows of one gateway.
type gatewayState struct {
	lastSeen  time.Time // newest telemetry or status
	offline   bool
	offlineAt time.Time
}

// GatewayAlarmKey returns the key of gateway's GatewayOffline alarm.
func GatewayAlarmKey(enterprise, gateway string) alarm.Key {
	return alarm.Key{Point: enterprise + "/" + gatewayPrefix + gateway,
		Condition: rules.GatewayOffline}
}

// gatewayOf returns the gateway that reports ps: its configured one, the
// one that last sent it, or the enterprise's only gateway; "" when none
// is known.
func (m *Monitor) gatewayOf(ps *pointState) string {
	switch {
	case ps.point.Gateway != "":
		return ps.point.Gateway
	case ps.gateway != "":
		return ps.gateway
	}
	ent, ok := m.reg.Enterprise(ps.point.Enterprise)
	if ok && len(ent.Gateways) == 1 {
		return ent.Gateways[0]
	}
	return ""
}

// gateway returns the state of gateway k, which is taken to have been
// heard from at now when it is new.
func (m *Monitor) gateway(k gatewayKey, now time.Time) *gatewayState {
	st := m.gateways[k]
	if st == nil {
		st = &gatewayState{lastSeen: now}
		m.gateways[k] = st
	}
	return st
}

// seedGateways watches every gateway the registry names from now on, so
// a gateway that never reports after a restart is still found offline,
// and forgets online gateways the registry no longer allows.
func (m *Monitor) seedGateways(now time.Time) {
	for _, ent := range m.reg.Enterprises() {
		if !m.owns(ent.Code) {
			continue
		}
		for _, id := range ent.Gateways {
			m.gateway(gatewayKey{ent.Code, id}, now)
		}
	}
	for _, ps := range m.points {
		if ps.point.Gateway != "" {
			m.gateway(gatewayKey{ps.point.Enterprise, ps.point.Gateway}, now)
		}
	}
	for k, st := range m.gateways {
		if !st.offline && !m.reg.GatewayAllowed(k.enterprise, k.id) {
			delete(m.gateways, k)
		}
	}
}

// restoreGateways takes the gateways' offline state from their restored
// alarms.
func (m *Monitor) restoreGateways(now time.Time) {
	for key, e := range m.alarms {
		id, ok := strings.CutPrefix(e.point, gatewayPrefix)
		if !ok || key.Condition != rules.GatewayOffline {
			continue
		}
		s := e.a.Snapshot()
		m.gateways[gatewayKey{e.enterprise, id}] = &gatewayState{
			lastSeen: now, offline: s.Active, offlineAt: s.ActiveSince}
	}
}

// gatewayUp records that gateway k was heard from at at, clearing its
// offline alarm.
func (m *Monitor) gatewayUp(k gatewayKey, at time.Time, p *pending) {
	st := m.gateway(k, at)
	if at.After(st.lastSeen) {
		st.lastSeen = at
	}
	if !st.offline {
		return
	}
	st.offline = false
	key := GatewayAlarmKey(k.enterprise, k.id)
	e := m.alarmFor(key, k.enterprise, gatewayPrefix+k.id)
	evs, err := e.a.Clear(0, at, false)
	if err != nil {
		m.log.Warn("gateway alarm not cleared", "alarm", key.String(),
			"err", err)
	}
	m.record(p, e, evs, transitionInfo{})
	m.setPointsOnline(k, true, at, p)
}

// gatewayDown records that gateway k went offline at at.
func (m *Monitor) gatewayDown(k gatewayKey, at time.Time, p *pending) {
	st := m.gateway(k, at)
	if st.offline {
		return
	}
	st.offline, st.offlineAt = true, at
	key := GatewayAlarmKey(k.enterprise, k.id)
	e := m.alarmFor(key, k.enterprise, gatewayPrefix+k.id)
	evs, err := e.a.Activate(GatewayLevel, 0, at, false)
	if err != nil {
		m.log.Warn("gateway alarm not raised", "alarm", key.String(),
			"err", err)
	}
	m.record(p, e, evs, transitionInfo{})
	m.setPointsOnline(k, false, at, p)
}

// setPointsOnline tells the evaluators of gateway k's points that it went
// offline or came back, so they do not report their points stale.
func (m *Monitor) setPointsOnline(k gatewayKey, online bool, at time.Time,
	p *pending) {
	for _, ps := range m.points {
		if ps.point.Enterprise != k.enterprise || m.gatewayOf(ps) != k.id {
			continue
		}
		if trs := ps.ev.SetGatewayOnline(online, at); len(trs) > 0 {
			m.applyTransitions(ps, trs, p)
		}
	}
}

// tickGateways takes gateways silent for OfflineAfter offline, as of the
// moment the silence grew too long.
func (m *Monitor) tickGateways(now time.Time, p *pending) {
	for k, st := range m.gateways {
		if !st.offline && now.Sub(st.lastSeen) >= m.cfg.OfflineAfter {
			m.gatewayDown(k, st.lastSeen.Add(m.cfg.OfflineAfter), p)
		}
	}
}
