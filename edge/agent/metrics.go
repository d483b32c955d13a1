package agent

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/edge/queue"
)

type agentMetrics struct {
	readings     prometheus.Counter
	appendErrors prometheus.Counter
	connected    prometheus.Gauge
}

func newAgentMetrics(reg *prometheus.Registry, q *queue.Queue) *agentMetrics {
	m := &agentMetrics{
		readings: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_edge_readings_buffered_total",
			Help: "Readings appended to the disk buffer.",
		}),
		appendErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_edge_buffer_append_errors_total",
			Help: "Poll cycles whose readings could not be written to the disk buffer (lost).",
		}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_edge_mqtt_connected",
			Help: "1 while the agent is connected to the broker.",
		}),
	}
	reg.MustRegister(m.readings, m.appendErrors, m.connected, queueCollector{q})
	return m
}

// queueCollector reads the buffer's state at scrape time.
type queueCollector struct{ q *queue.Queue }

var (
	descRecords = prometheus.NewDesc("hw_edge_buffer_records",
		"Messages in the disk buffer not yet acknowledged by the broker.", nil, nil)
	descBytes = prometheus.NewDesc("hw_edge_buffer_bytes",
		"Size of the disk buffer's files.", nil, nil)
	descOldest = prometheus.NewDesc("hw_edge_buffer_oldest_age_seconds",
		"Age of the oldest unacknowledged message in the buffer (0 when empty).", nil, nil)
	descDropped = prometheus.NewDesc("hw_edge_buffer_dropped_total",
		"Messages dropped from the buffer for space or age since start.", nil, nil)
	descCorrupt = prometheus.NewDesc("hw_edge_buffer_corrupt_total",
		"Damaged records skipped when the buffer was recovered.", nil, nil)
)

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRecords, descBytes, descOldest, descDropped, descCorrupt} {
		ch <- d
	}
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := c.q.Stats()
	if err != nil {
		return
	}
	age := 0.0
	if !st.Oldest.IsZero() {
		age = time.Since(st.Oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(descRecords, prometheus.GaugeValue, float64(st.Records))
	ch <- prometheus.MustNewConstMetric(descBytes, prometheus.GaugeValue, float64(st.Bytes))
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(st.Dropped))
	ch <- prometheus.MustNewConstMetric(descCorrupt, prometheus.CounterValue, float64(st.Corrupt))
}
