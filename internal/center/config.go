// Package center wires the monitoring center together: it takes
// telemetry from the broker, stores it in InfluxDB and serves the HTTP API
// with health and Prometheus metrics.
package center

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/cluster"
	"github.com/hazardwatch/hazardwatch/internal/ingest"
	"github.com/hazardwatch/hazardwatch/internal/logging"
	"github.com/hazardwatch/hazardwatch/internal/monitor"
	"github.com/hazardwatch/hazardwatch/internal/mqttconn"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
	"github.com/hazardwatch/hazardwatch/internal/yamlconf"
)

// Config is the center's whole configuration; configs/center.yaml is the
// commented example.
type Config struct {
	Log      logging.Config  `yaml:"log"`
	HTTP     HTTPConfig      `yaml:"http"`
	MQTT     mqttconn.Config `yaml:"mqtt"`
	Ingest   ingest.Config   `yaml:"ingest"`
	Influx   tsdb.Config     `yaml:"influx"`
	Store    store.Config    `yaml:"store"`
	Registry RegistryConfig  `yaml:"registry"`
	Monitor  monitor.Config  `yaml:"monitor"`
	Hazard   HazardConfig    `yaml:"hazard"`
	Cluster  cluster.Config  `yaml:"cluster"`
}

// RegistryConfig locates the registry of enterprises, hazard sources and
// points.
type RegistryConfig struct {
	// Path of the registry file; the center reloads it when it changes.
	Path string `yaml:"path"`
}

// HazardConfig is the hazard ledger's setup.
type HazardConfig struct {
	// Policy is the ledger policy file; empty uses the built-in defaults.
	Policy string `yaml:"policy"`
	// EscalateEvery is how often overdue records are looked for.
	EscalateEvery time.Duration `yaml:"escalate_every"`
}

// HTTPConfig is the center's HTTP server.
type HTTPConfig struct {
	// Listen is the address of the API, /healthz and /metrics.
	Listen string `yaml:"listen"`
}

// DefaultConfig returns the defaults of every section.
func DefaultConfig() Config {
	return Config{
		Log:      logging.DefaultConfig(),
		HTTP:     HTTPConfig{Listen: "127.0.0.1:8080"},
		MQTT:     mqttconn.Defaults("hw-center"),
		Ingest:   ingest.DefaultConfig(),
		Influx:   tsdb.DefaultConfig(),
		Store:    store.DefaultConfig(),
		Registry: RegistryConfig{Path: "configs/registry-tankfarm.yaml"},
		Monitor:  monitor.DefaultConfig(),
		Hazard:   HazardConfig{EscalateEvery: time.Minute},
		Cluster:  cluster.DefaultConfig(),
	}
}

// LoadConfig reads a config file over the defaults and validates it.
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
	if err := yamlconf.Load(path, &c); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Validate checks every section.
func (c Config) Validate() error {
	if err := c.Log.Validate(); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		return fmt.Errorf("http.listen: %q: %w", c.HTTP.Listen, err)
	}
	if err := c.MQTT.Validate("mqtt"); err != nil {
		return err
	}
	if err := c.Ingest.Validate(); err != nil {
		return err
	}
	if err := c.Influx.Validate(); err != nil {
		return err
	}
	if err := c.Store.Validate(); err != nil {
		return err
	}
	if c.Registry.Path == "" {
		return errors.New("registry.path: empty; the center needs a registry")
	}
	if c.Hazard.EscalateEvery <= 0 {
		return errors.New("hazard.escalate_every: must be positive")
	}
	if err := c.Cluster.Validate(c.Store.Driver); err != nil {
		return err
	}
	return c.Monitor.Validate()
}
