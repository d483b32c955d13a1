package store

import (
	"fmt"
	"strings"

	"github.com/hazardwatch/hazardwatch/internal/secret"
)

// Config selects and locates the ledger database; configs/center.yaml
// holds it under the key "store".
type Config struct {
	// Driver is sqlite (the embedded default) or postgres.
	Driver string `yaml:"driver"`
	// DSN is a file path (sqlite) or a PostgreSQL URL or key=value string.
	// It may hold a password, so it never reaches a log line.
	DSN secret.String `yaml:"dsn"`
	// MaxConns bounds the connections of a PostgreSQL pool and the readers
	// of a SQLite file; SQLite always has a single writer connection.
	MaxConns int `yaml:"max_conns"`
}

// DefaultConfig keeps the ledger in a SQLite file in the working folder.
func DefaultConfig() Config {
	return Config{Driver: string(SQLite), DSN: "hazardwatch.db", MaxConns: 8}
}

// Validate names the key at fault.
func (c Config) Validate() error {
	switch Dialect(c.Driver) {
	case SQLite, Postgres:
	default:
		return fmt.Errorf("store.driver: %q, want sqlite or postgres",
			c.Driver)
	}
	if strings.TrimSpace(c.DSN.Reveal()) == "" {
		return fmt.Errorf("store.dsn: empty, want a %s data source name",
			c.Driver)
	}
	if c.MaxConns < 1 {
		return fmt.Errorf("store.max_conns: %d, want 1 or more", c.MaxConns)
	}
	return nil
}
