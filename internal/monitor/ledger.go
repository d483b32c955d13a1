package monitor

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/live"
)

// HazardSink turns alarms into hazard records; *hazard.Ledger is the real
// one. It must count a repeated episode once.
type HazardSink interface {
	OnAlarm(ctx context.Context, sig hazard.AlarmSignal) (*hazard.Record,
		bool, error)
}

// signal returns the ledger signal of an event that starts, changes or
// ends an excursion. Events of an alarm out of service send none: it is
// under maintenance, and its readings are not to be trusted.
func (m *Monitor) signal(e *alarmEntry, ev alarm.Event) (hazard.AlarmSignal,
	bool) {
	switch ev.Kind {
	case alarm.EventActivated, alarm.EventCleared, alarm.EventLevelChanged:
	default:
		return hazard.AlarmSignal{}, false
	}
	if m.deps.Ledger == nil || ev.To == alarm.OutOfService {
		return hazard.AlarmSignal{}, false
	}
	return m.signalOf(e, e.a.Snapshot(), ev.Time)
}

// signalOf builds the signal of alarm e in state s at at; there is none
// when the registry no longer knows the enterprise's district.
func (m *Monitor) signalOf(e *alarmEntry, s alarm.Snapshot,
	at time.Time) (hazard.AlarmSignal, bool) {
	pl := m.placeOf(e.enterprise, e.point)
	if pl.District == "" || s.Episode == 0 {
		return hazard.AlarmSignal{}, false
	}
	since := s.ActiveSince
	if since.After(at) || since.IsZero() {
		since = at
	}
	// The ledger keys records by point id alone; the alarm key's point
	// ("<enterprise>/<point>") keeps two enterprises' equal point ids
	// apart.
	return hazard.AlarmSignal{Enterprise: e.enterprise,
		District: pl.District, Industry: pl.Industry,
		HazardSource: pl.HazardSource, HazardSourceGrade: pl.SourceGrade,
		Point: s.Key.Point, Condition: s.Key.Condition.String(),
		Level: int(s.Level), Active: s.Active, Since: since, At: at,
		Episode: int64(s.Episode)}, true
}

// activeSignals returns a signal for every active alarm in service, so
// the ledger can judge how long each has lasted.
func (m *Monitor) activeSignals(now time.Time) []hazard.AlarmSignal {
	if m.deps.Ledger == nil {
		return nil
	}
	var out []hazard.AlarmSignal
	for _, e := range m.alarms {
		s := e.a.Snapshot()
		if !s.Active || s.State == alarm.OutOfService {
			continue
		}
		if sig, ok := m.signalOf(e, s, now); ok {
			out = append(out, sig)
		}
	}
	return out
}

// toLedger hands signals to the ledger and announces the records it
// opens. It runs without the monitor's lock: the ledger has its own
// transaction, and counts a repeated episode once.
func (m *Monitor) toLedger(sigs []hazard.AlarmSignal) {
	if len(sigs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	for _, s := range sigs {
		rec, opened, err := m.deps.Ledger.OnAlarm(ctx, s)
		if err != nil {
			m.m.ledgerErrors.Inc()
			m.log.Error("alarm not taken to the hazard ledger",
				"alarm", s.Point+"/"+s.Condition, "episode", s.Episode,
				"err", err)
			continue
		}
		if opened {
			m.publishHazard(rec)
		}
	}
}

func (m *Monitor) publishHazard(rec *hazard.Record) {
	if m.deps.Hub == nil || rec == nil {
		return
	}
	data, err := json.Marshal(rec)
	if err != nil {
		m.log.Error("hazard event not published", "err", err)
		return
	}
	m.deps.Hub.Publish(live.Event{Kind: live.KindHazard,
		Time: rec.CreatedAt, District: rec.District,
		Enterprise: rec.Enterprise, Level: rec.AlarmLevel, Data: data})
}
