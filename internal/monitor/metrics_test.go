package monitor

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func counterValue(c prometheus.Counter) float64 { return testutil.ToFloat64(c) }

func gaugeValue(g prometheus.Gauge) float64 { return testutil.ToFloat64(g) }

func containsKey(msg, key string) bool { return strings.Contains(msg, key) }
