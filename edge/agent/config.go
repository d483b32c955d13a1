// Package agent wires the edge agent together: Modbus pollers append each
// poll cycle's readings to the disk queue, and the publisher drains the
// queue to the broker. It also announces the gateway's status (a retained
// birth message and a last will) and serves /healthz and /metrics.
package agent

import (
	"fmt"
	"net"
	"os"
	"time"

	"github.com/hazardwatch/hazardwatch/edge/device"
	"github.com/hazardwatch/hazardwatch/edge/publish"
	"github.com/hazardwatch/hazardwatch/edge/queue"
	"github.com/hazardwatch/hazardwatch/internal/logging"
	"github.com/hazardwatch/hazardwatch/internal/mqttconn"
	"github.com/hazardwatch/hazardwatch/internal/wire"
	"github.com/hazardwatch/hazardwatch/internal/yamlconf"
)

// Config is the agent's whole configuration; configs/edge.yaml is the
// commented example.
type Config struct {
	Log     logging.Config  `yaml:"log"`
	Gateway GatewayConfig   `yaml:"gateway"`
	MQTT    mqttconn.Config `yaml:"mqtt"`
	Buffer  BufferConfig    `yaml:"buffer"`
	Publish publish.Config  `yaml:"publish"`
	HTTP    HTTPConfig      `yaml:"http"`
	Devices []device.Config `yaml:"devices"`
}

// GatewayConfig names the gateway; the two ids form its topics.
type GatewayConfig struct {
	// Enterprise is the enterprise's code (unified social credit code).
	Enterprise string `yaml:"enterprise"`
	// ID is the gateway's id within the enterprise.
	ID string `yaml:"id"`
}

// BufferConfig is the disk queue of store-and-forward.
type BufferConfig struct {
	// Dir holds the queue's files.
	Dir string `yaml:"dir"`
	// MaxBytes caps the queue on disk; 0 sizes it for MaxAge at the
	// configured points and poll rates (at least 64 MiB).
	MaxBytes int64 `yaml:"max_bytes"`
	// MaxAge drops readings older than this, oldest first.
	MaxAge time.Duration `yaml:"max_age"`
	// Sync is interval, always or never: what a power cut may cost (see
	// the README).
	Sync string `yaml:"sync"`
	// SyncInterval is the fsync period of the interval policy.
	SyncInterval time.Duration `yaml:"sync_interval"`
	// SegmentBytes is the size of one queue file.
	SegmentBytes int64 `yaml:"segment_bytes"`
}

// HTTPConfig is the agent's HTTP server.
type HTTPConfig struct {
	// Listen is the address of /healthz and /metrics; empty turns it off.
	Listen string `yaml:"listen"`
}

// DefaultConfig returns the defaults of every section.
func DefaultConfig() Config {
	return Config{
		Log:  logging.DefaultConfig(),
		MQTT: mqttconn.Defaults(""),
		Buffer: BufferConfig{Dir: "/var/lib/hw-edge/buffer", MaxAge: 30 * 24 * time.Hour,
			Sync: "interval", SyncInterval: time.Second, SegmentBytes: 16 << 20},
		Publish: publish.DefaultConfig(),
		HTTP:    HTTPConfig{Listen: "127.0.0.1:9101"},
	}
}

// LoadConfig reads a config file over the defaults, fills in derived
// defaults and validates the result.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return DefaultConfig(), fmt.Errorf("read config: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes a config file's bytes over the defaults, fills in
// derived defaults and validates the result.
func ParseConfig(b []byte) (Config, error) {
	c := DefaultConfig()
	if err := yamlconf.Decode(b, &c); err != nil {
		return c, err
	}
	c.derive()
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

// derive fills in defaults that depend on other settings.
func (c *Config) derive() {
	if c.MQTT.ClientID == "" && c.Gateway.Enterprise != "" {
		c.MQTT.ClientID = "hw-edge-" + c.Gateway.Enterprise + "-" + c.Gateway.ID
	}
	for i := range c.Devices {
		c.Devices[i].Defaults()
	}
	if c.Buffer.MaxBytes == 0 {
		c.Buffer.MaxBytes = c.defaultBufferBytes()
	}
}

// bytesPerReading is the size of one reading in the queue, measured on
// the demo's messages (point id, time, value, quality, JSON punctuation)
// and rounded up.
const bytesPerReading = 80

// defaultBufferBytes sizes the queue to hold MaxAge of every point at its
// device's poll rate.
func (c *Config) defaultBufferBytes() int64 {
	var perSecond float64
	for _, d := range c.Devices {
		if d.PollInterval > 0 {
			perSecond += float64(len(d.Points)) / d.PollInterval.Seconds()
		}
	}
	age := c.Buffer.MaxAge
	if age == 0 {
		age = 30 * 24 * time.Hour
	}
	n := int64(perSecond * bytesPerReading * age.Seconds())
	return max(n+n/5, 64<<20)
}

// Validate checks every section and names the key at fault.
func (c *Config) Validate() error {
	if err := c.Log.Validate(); err != nil {
		return err
	}
	if err := wire.CheckID(c.Gateway.Enterprise); err != nil {
		return fmt.Errorf("gateway.enterprise: %w", err)
	}
	if err := wire.CheckID(c.Gateway.ID); err != nil {
		return fmt.Errorf("gateway.id: %w", err)
	}
	if err := c.MQTT.Validate("mqtt"); err != nil {
		return err
	}
	if _, err := c.queueOptions(); err != nil {
		return err
	}
	if err := c.Publish.Validate(); err != nil {
		return err
	}
	if c.HTTP.Listen != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
			return fmt.Errorf("http.listen: %q: %w", c.HTTP.Listen, err)
		}
	}
	return c.validateDevices()
}

func (c *Config) validateDevices() error {
	if len(c.Devices) == 0 {
		return fmt.Errorf("devices: at least one device is needed")
	}
	names := map[string]int{}
	points := map[string]string{}
	for i := range c.Devices {
		d := &c.Devices[i]
		key := fmt.Sprintf("devices[%d]", i)
		if err := d.Validate(key); err != nil {
			return err
		}
		if j, dup := names[d.Name]; dup {
			return fmt.Errorf("%s.name: %q already names devices[%d]", key, d.Name, j)
		}
		names[d.Name] = i
		for j, p := range d.Points {
			pk := fmt.Sprintf("%s.points[%d]", key, j)
			if prev, dup := points[p.ID]; dup {
				return fmt.Errorf("%s.id: point %q is already defined at %s", pk, p.ID, prev)
			}
			points[p.ID] = pk
		}
	}
	return nil
}

func (c *Config) queueOptions() (queue.Options, error) {
	o := queue.DefaultOptions(c.Buffer.Dir)
	o.MaxBytes, o.MaxAge, o.SyncInterval = c.Buffer.MaxBytes, c.Buffer.MaxAge, c.Buffer.SyncInterval
	if c.Buffer.SegmentBytes > 0 {
		o.SegmentBytes = c.Buffer.SegmentBytes
	}
	switch c.Buffer.Sync {
	case "interval":
		o.Sync = queue.SyncInterval
	case "always":
		o.Sync = queue.SyncAlways
	case "never":
		o.Sync = queue.SyncNever
	default:
		return o, fmt.Errorf("buffer.sync: %q, want interval, always or never", c.Buffer.Sync)
	}
	if err := o.Validate(); err != nil {
		return o, fmt.Errorf("buffer: %w", err)
	}
	return o, nil
}
