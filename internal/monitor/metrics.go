package monitor

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
)

type metrics struct {
	rate, flood, stale, chattering prometheus.Gauge
	events                         *prometheus.CounterVec
	active                         *prometheus.GaugeVec
	unregistered, mismatch         prometheus.Counter
	journalErrors, ledgerErrors    prometheus.Counter
	annotationsDropped             prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	}
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name,
			Help: help})
	}
	m := &metrics{
		rate: gauge("hw_alarm_rate_10m",
			"Alarm activations within the last 10 minutes (EEMUA 191 target: under 1)."),
		flood: gauge("hw_alarm_flood",
			"1 while more than 10 alarms activated within 10 minutes, else 0."),
		stale: gauge("hw_alarm_stale",
			"Alarms standing active for over 24 hours."),
		chattering: gauge("hw_alarm_chattering",
			"Alarms that activated or cleared 3 or more times within a minute."),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hw_alarm_events_total",
			Help: "Alarm journal events, by kind.",
		}, []string{"kind"}),
		active: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hw_alarm_active",
			Help: "Alarms active and annunciated (unacked or acked), by level.",
		}, []string{"level"}),
		unregistered: counter("hw_monitor_unregistered_readings_total",
			"Readings of points the registry does not know, skipped."),
		mismatch: counter("hw_monitor_gateway_mismatch_total",
			"Readings and statuses from a gateway not allowed for the enterprise or point, skipped."),
		journalErrors: counter("hw_monitor_journal_errors_total",
			"Alarm events that could not be written to the SQL journal."),
		ledgerErrors: counter("hw_monitor_ledger_errors_total",
			"Alarm signals the hazard ledger failed to take."),
		annotationsDropped: counter("hw_monitor_annotations_dropped_total",
			"Alarm events dropped from the full InfluxDB annotation queue."),
	}
	if reg != nil {
		reg.MustRegister(m.rate, m.flood, m.stale, m.chattering, m.events,
			m.active, m.unregistered, m.mismatch, m.journalErrors,
			m.ledgerErrors, m.annotationsDropped)
	}
	return m
}

// updateGauges sets the KPI and active-alarm gauges; the lock is held.
func (m *Monitor) updateGauges(now time.Time) {
	k := m.kpi.Snapshot(now)
	m.m.rate.Set(k.PerTenMinutes)
	m.m.flood.Set(boolGauge(k.Flood))
	m.m.stale.Set(float64(k.Stale))
	m.m.chattering.Set(float64(len(k.Chattering)))
	var byLevel [3]int
	for _, e := range m.alarms {
		s := e.a.Snapshot()
		if (s.State == alarm.Unacked || s.State == alarm.Acked) &&
			int(s.Level) < len(byLevel) {
			byLevel[s.Level]++
		}
	}
	m.m.active.WithLabelValues("1").Set(float64(byLevel[1]))
	m.m.active.WithLabelValues("2").Set(float64(byLevel[2]))
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
