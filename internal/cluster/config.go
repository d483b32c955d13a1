package cluster

import (
	"errors"
	"fmt"
	"time"
)

// MaxPartitions bounds cluster.partitions: each partition is a
// persistent MQTT session at the broker.
const MaxPartitions = 4096

// Config is the center's cluster section; configs/center.yaml holds a
// commented example. Partitions 0 (the default) means one instance that
// owns every enterprise through its one MQTT session.
type Config struct {
	// Partitions is the fixed number of partitions the enterprises fall
	// into; every instance of a cluster must use the same number.
	Partitions int `yaml:"partitions"`
	// InstanceID names this instance in the lease table; unique within
	// the cluster and stable across restarts of the same instance.
	InstanceID string `yaml:"instance_id"`
	// LeaseTTL is how long a lease lasts without renewal: the longest a
	// dead instance's partitions wait for a new owner.
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// RenewEvery is the period of a round: heartbeat, renew, balance.
	RenewEvery time.Duration `yaml:"renew_every"`
	// ClientIDPrefix starts the MQTT client id of each partition's
	// session: "<prefix><partition>".
	ClientIDPrefix string `yaml:"client_id_prefix"`
}

// DefaultConfig returns a disabled cluster section with usable timings.
func DefaultConfig() Config {
	return Config{LeaseTTL: 15 * time.Second, RenewEvery: 5 * time.Second,
		ClientIDPrefix: "hw-center-p"}
}

// Enabled reports whether the center runs as one of several instances.
func (c Config) Enabled() bool { return c.Partitions > 0 }

// Validate checks the section against the store driver, since leases
// need PostgreSQL, and names the key at fault.
func (c Config) Validate(storeDriver string) error {
	switch {
	case c.Partitions < 0 || c.Partitions > MaxPartitions:
		return fmt.Errorf("cluster.partitions: %d, want 0 (one instance) to %d",
			c.Partitions, MaxPartitions)
	case !c.Enabled():
		return nil
	case storeDriver != "postgres":
		return fmt.Errorf("cluster.partitions: %d needs store.driver postgres, "+
			"not %q: SQLite serves one instance only", c.Partitions, storeDriver)
	case c.InstanceID == "":
		return errors.New("cluster.instance_id: empty; each instance needs its own id")
	case len(c.InstanceID) > 128:
		return errors.New("cluster.instance_id: longer than 128 characters")
	case c.RenewEvery < 100*time.Millisecond:
		return fmt.Errorf("cluster.renew_every: %v, want at least 100ms", c.RenewEvery)
	case c.LeaseTTL < 2*c.RenewEvery:
		return fmt.Errorf("cluster.lease_ttl: %v, want at least twice "+
			"cluster.renew_every (%v), so one failed renewal loses nothing",
			c.LeaseTTL, c.RenewEvery)
	case c.ClientIDPrefix == "":
		return errors.New("cluster.client_id_prefix: empty; the partitions' sessions need fixed ids")
	case len(c.ClientIDPrefix) > 120:
		return errors.New("cluster.client_id_prefix: longer than 120 characters")
	}
	return nil
}

// ClientID returns the MQTT client id of partition p's session.
func (c Config) ClientID(p int) string { return fmt.Sprintf("%s%d", c.ClientIDPrefix, p) }
