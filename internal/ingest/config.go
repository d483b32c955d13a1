package ingest

import (
	"errors"
	"fmt"
	"time"
)

// Config sets how the center processes telemetry.
type Config struct {
	// QueueSize is how many received messages may wait for processing. It
	// must be at least the broker's max_inflight_messages, because the
	// center holds every message unacknowledged until InfluxDB stored it.
	QueueSize int `yaml:"queue_size"`
	// BatchSize is the most readings in one InfluxDB write.
	BatchSize int `yaml:"batch_size"`
	// FlushInterval is the longest a reading waits for its batch to fill.
	FlushInterval time.Duration `yaml:"flush_interval"`
	// MaxFuture and MaxPast bound sample times against the center's
	// clock. Replayed readings may be as old as the edge buffer keeps
	// them, so MaxPast should exceed the edge's buffer age.
	MaxFuture time.Duration `yaml:"max_future"`
	MaxPast   time.Duration `yaml:"max_past"`
	// ShutdownTimeout bounds the final flush on shutdown; what is not
	// stored by then stays unacknowledged and the broker delivers it again.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// UnknownPoints says what to do with readings of points the registry
	// does not list: keep (store them, counted as unregistered) or reject.
	UnknownPoints string `yaml:"unknown_points"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		QueueSize:       4096,
		BatchSize:       5000,
		FlushInterval:   200 * time.Millisecond,
		MaxFuture:       5 * time.Minute,
		MaxPast:         35 * 24 * time.Hour,
		ShutdownTimeout: 10 * time.Second,
		UnknownPoints:   "keep",
	}
}

// Validate checks the settings and names the key at fault.
func (c Config) Validate() error {
	switch {
	case c.QueueSize < 1:
		return errors.New("ingest.queue_size: must be at least 1")
	case c.BatchSize < 1:
		return errors.New("ingest.batch_size: must be at least 1")
	case c.FlushInterval <= 0:
		return errors.New("ingest.flush_interval: must be positive")
	case c.MaxFuture < 0:
		return errors.New("ingest.max_future: must not be negative")
	case c.MaxPast <= 0:
		return errors.New("ingest.max_past: must be positive")
	case c.ShutdownTimeout <= 0:
		return errors.New("ingest.shutdown_timeout: must be positive")
	case c.UnknownPoints != "keep" && c.UnknownPoints != "reject":
		return fmt.Errorf("ingest.unknown_points: %q, want keep or reject", c.UnknownPoints)
	}
	return nil
}
