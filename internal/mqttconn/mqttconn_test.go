package mqttconn

import (
	"strings"
	"testing"
	"time"
)

func TestValidateNamesTheKey(t *testing.T) {
	for _, tc := range []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.Broker = "127.0.0.1:1883" }, "edge.mqtt.broker"},
		{func(c *Config) { c.Broker = "http://x:1" }, "edge.mqtt.broker"},
		{func(c *Config) { c.ClientID = "" }, "edge.mqtt.client_id"},
		{func(c *Config) { c.KeepAlive = 0 }, "edge.mqtt.keep_alive"},
		{func(c *Config) { c.TLS.CertFile = "a.pem" }, "edge.mqtt.tls"},
	} {
		c := Defaults("gw")
		tc.mut(&c)
		if err := c.Validate("edge.mqtt"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate = %v, want mention of %s", err, tc.want)
		}
	}
	if err := Defaults("gw").Validate("mqtt"); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

func TestOptionsRefusesMissingCA(t *testing.T) {
	c := Defaults("gw")
	c.TLS.CAFile = "/nonexistent/ca.pem"
	if _, err := c.Options(); err == nil {
		t.Fatal("Options accepted a CA file that does not exist")
	}
}

func TestJitterStaysWithinItsBound(t *testing.T) {
	c := Defaults("gw")
	c.MaxReconnectInterval = 8 * time.Second
	seen := map[time.Duration]bool{}
	for range 1000 {
		j := c.jitter()
		if j < 0 || j >= 2*time.Second {
			t.Fatalf("jitter %v outside [0, 2s)", j)
		}
		seen[j] = true
	}
	if len(seen) < 100 {
		t.Fatalf("jitter is not random: %d distinct values", len(seen))
	}
}
