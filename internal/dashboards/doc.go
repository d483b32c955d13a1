// Package dashboards holds no code: its test checks the Grafana
// dashboards under the repository's dashboards/ folder against what the
// center really writes to InfluxDB and registers as Prometheus metrics,
// so that a renamed field or metric breaks the build, not a dashboard.
package dashboards
