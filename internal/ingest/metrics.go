package ingest

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	messages     *prometheus.CounterVec
	readings     prometheus.Counter
	rejected     *prometheus.CounterVec
	replayed     prometheus.Counter
	seqMissing   prometheus.Gauge
	seqDup       prometheus.Counter
	seqLate      prometheus.Counter
	queue        prometheus.Gauge
	unacked      prometheus.Gauge
	lag          prometheus.Histogram
	connected    prometheus.Gauge
	gatewaysOn   prometheus.Gauge
	connections  prometheus.Counter
	unregistered prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hw_ingest_messages_total",
			Help: "MQTT messages received, by topic kind (telemetry, status) and result (ok, rejected).",
		}, []string{"kind", "result"}),
		readings: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_ingest_readings_total",
			Help: "Readings accepted for storage.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hw_ingest_rejected_total",
			Help: "Rejected messages and readings, by reason.",
		}, []string{"reason"}),
		replayed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_ingest_replayed_readings_total",
			Help: "Accepted readings that came from an edge buffer after an outage.",
		}),
		seqMissing: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_ingest_sequence_missing",
			Help: "Telemetry messages missing by sequence number, summed over gateways (falls when late ones arrive).",
		}),
		seqDup: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_ingest_sequence_duplicates_total",
			Help: "Telemetry messages received again (redelivered or replayed twice).",
		}),
		seqLate: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_ingest_sequence_late_total",
			Help: "Telemetry messages that filled an earlier sequence gap.",
		}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_ingest_queue_length",
			Help: "Received messages waiting to be processed.",
		}),
		unacked: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_ingest_unacked_messages",
			Help: "Processed messages not yet acknowledged to the broker because their readings are not yet stored.",
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hw_ingest_lag_seconds",
			Help:    "Time from a live message's send time at the edge to its processing at the center.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_ingest_mqtt_connected",
			Help: "1 while the center is connected to the broker.",
		}),
		gatewaysOn: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_gateways_online",
			Help: "Gateways whose last status message says online.",
		}),
		connections: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_ingest_mqtt_connects_total",
			Help: "Successful connections to the broker.",
		}),
		unregistered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_ingest_unregistered_readings_total",
			Help: "Readings of points the registry does not list, stored because ingest.unknown_points is keep.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.messages, m.readings, m.rejected, m.replayed,
			m.seqMissing, m.seqDup, m.seqLate, m.queue, m.unacked, m.lag,
			m.connected, m.gatewaysOn, m.connections, m.unregistered)
	}
	return m
}
