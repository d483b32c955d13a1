package monitor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/rules"
	"github.com/hazardwatch/hazardwatch/internal/store"
)

// adoptChunk bounds the enterprises named in one alarm_state query.
const adoptChunk = 500

// owns tells whether the monitor evaluates enterprise's readings: every
// enterprise for a single instance, the adopted ones for a partitioned
// monitor. The caller holds mu.
func (m *Monitor) owns(enterprise string) bool {
	return m.owned == nil || m.owned[enterprise]
}

// AdoptEnterprises makes a partitioned monitor (Deps.Partitioned) own
// enterprises, when their partition was acquired: it reads their alarms
// from alarm_state, builds their points' evaluators, which resume the
// active alarms, and watches their gateways from now on. An alarm active
// on the previous owner so goes on in the same episode, unannounced, and
// clears when the value is back, as after a restart. Adopting an
// enterprise owned already reads its state again, which is harmless.
//
// On a monitor that owns every enterprise it does nothing.
func (m *Monitor) AdoptEnterprises(ctx context.Context, enterprises []string) error {
	m.mu.Lock()
	all := m.owned == nil
	m.mu.Unlock()
	if all || len(enterprises) == 0 {
		return nil
	}

	// Step 1: read their alarms. The partition's lease is held already,
	// and the previous owner's journal commits are fenced by it, so what
	// is read here is the last word.
	var snaps []alarm.Snapshot
	for i := 0; i < len(enterprises); i += adoptChunk {
		part := enterprises[i:min(i+adoptChunk, len(enterprises))]
		args := make([]any, len(part))
		for j, e := range part {
			args[j] = e
		}
		s, err := m.loadStates(ctx,
			"enterprise IN ("+store.Placeholders(len(part))+")", args)
		if err != nil {
			return fmt.Errorf("adopt %d enterprises: %w", len(enterprises), err)
		}
		snaps = append(snaps, s...)
	}

	// Step 2: take them over in memory, as restore does for all.
	now := m.now()
	m.mu.Lock()
	var p pending
	m.syncRegistry(now, &p)
	for _, e := range enterprises {
		m.owned[e] = true
	}
	for _, s := range snaps {
		a, err := alarm.Restore(s, m.policy)
		if err != nil {
			m.mu.Unlock()
			return fmt.Errorf("adopt alarm %s: %w", s.Key.String(), err)
		}
		ent, pt := splitKey(s.Key)
		e := &alarmEntry{a: a, enterprise: ent, point: pt}
		m.alarms[s.Key] = e
		m.seedKPI(s)
		m.adoptGateway(e, now)
	}
	m.adoptPoints(enterprises, now, &p)
	m.seedGateways(now)
	m.commit(&p)
	m.mu.Unlock()

	m.toLedger(p.signals)
	m.log.Info("enterprises adopted", "enterprises", len(enterprises),
		"alarms", len(snaps))
	return nil
}

// adoptGateway takes a gateway's offline state from its adopted alarm.
func (m *Monitor) adoptGateway(e *alarmEntry, now time.Time) {
	id, ok := strings.CutPrefix(e.point, gatewayPrefix)
	s := e.a.Snapshot()
	if !ok || s.Key.Condition != rules.GatewayOffline {
		return
	}
	m.gateways[gatewayKey{e.enterprise, id}] = &gatewayState{
		lastSeen: now, offline: s.Active, offlineAt: s.ActiveSince}
}

// adoptPoints builds the evaluators of the enterprises' registered
// points; each resumes its point's active alarms.
func (m *Monitor) adoptPoints(enterprises []string, now time.Time, p *pending) {
	if m.reg == nil {
		return
	}
	set := make(map[string]bool, len(enterprises))
	for _, e := range enterprises {
		set[e] = true
	}
	for _, pt := range m.reg.Points() {
		if !set[pt.Enterprise] {
			continue
		}
		k := pointKey{pt.Enterprise, pt.ID}
		delete(m.points, k) // rebuilt, so that it resumes what was read
		m.syncPoint(k, pt, now, p)
	}
}

// DropEnterprises makes a partitioned monitor forget enterprises whose
// partition was lost or given up: their points, gateways and alarms leave
// memory (their state stays in alarm_state for the next owner) and their
// readings are no longer evaluated. On a monitor that owns every
// enterprise it does nothing.
func (m *Monitor) DropEnterprises(enterprises []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.owned == nil {
		return
	}
	set := make(map[string]bool, len(enterprises))
	for _, e := range enterprises {
		set[e] = true
		delete(m.owned, e)
	}
	for k := range m.points {
		if set[k.enterprise] {
			delete(m.points, k)
		}
	}
	for k := range m.gateways {
		if set[k.enterprise] {
			delete(m.gateways, k)
		}
	}
	for k, e := range m.alarms {
		if set[e.enterprise] {
			delete(m.alarms, k)
		}
	}
	m.log.Info("enterprises dropped", "enterprises", len(enterprises))
}

// enterprises returns the enterprises p writes for, once each.
func (p *pending) enterprises() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range p.touched {
		if !seen[c.enterprise] {
			seen[c.enterprise] = true
			out = append(out, c.enterprise)
		}
	}
	return out
}
