// Package logging builds the slog logger of a command from its config.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Config sets the log level and format.
type Config struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text (logfmt-like) or json.
	Format string `yaml:"format"`
}

// DefaultConfig logs at info level as text.
func DefaultConfig() Config { return Config{Level: "info", Format: "text"} }

// Validate names the key at fault.
func (c Config) Validate() error {
	if _, err := c.level(); err != nil {
		return err
	}
	if c.Format != "text" && c.Format != "json" {
		return fmt.Errorf("log.format: %q, want text or json", c.Format)
	}
	return nil
}

func (c Config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(c.Level))); err != nil {
		return 0, fmt.Errorf("log.level: %q, want debug, info, warn or error", c.Level)
	}
	return l, nil
}

// New returns a logger writing to w.
func (c Config) New(w io.Writer) (*slog.Logger, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	l, _ := c.level()
	opts := &slog.HandlerOptions{Level: l}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}
