package publish

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	sent     *prometheus.CounterVec
	acked    prometheus.Counter
	bytes    prometheus.Counter
	inflight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hw_edge_published_messages_total",
			Help: "Telemetry messages published, live or replayed from the disk buffer (resends included).",
		}, []string{"kind"}),
		acked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_edge_acked_messages_total",
			Help: "Telemetry messages the broker acknowledged.",
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_edge_published_bytes_total",
			Help: "Payload bytes published.",
		}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_edge_inflight_messages",
			Help: "Messages published and awaiting the broker's acknowledgement.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.sent, m.acked, m.bytes, m.inflight)
	}
	return m
}
