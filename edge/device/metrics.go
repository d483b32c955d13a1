package device

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the pollers' Prometheus metrics, shared by all devices of
// an agent and labelled by device.
type Metrics struct {
	pollSeconds *prometheus.HistogramVec
	requests    *prometheus.CounterVec
	errors      *prometheus.CounterVec
	up          *prometheus.GaugeVec
}

// NewMetrics registers the pollers' metrics with reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		pollSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hw_edge_poll_duration_seconds",
			Help:    "Duration of one poll cycle of a device.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"device"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hw_edge_modbus_requests_total",
			Help: "Modbus read requests sent, retries included.",
		}, []string{"device"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hw_edge_modbus_errors_total",
			Help: "Failed Modbus requests by kind: comm (no answer), illegal_address, illegal_value, illegal_function, device_failure, busy, gateway, exception, decode.",
		}, []string{"device", "kind"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hw_edge_device_up",
			Help: "1 when the device answered its last poll cycle, 0 when it did not.",
		}, []string{"device"}),
	}
	if reg != nil {
		reg.MustRegister(m.pollSeconds, m.requests, m.errors, m.up)
	}
	return m
}
