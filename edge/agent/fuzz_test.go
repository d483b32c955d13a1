package agent

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadConfig feeds arbitrary bytes through the loader's path: strict
// decode over the defaults, derived defaults, validation. It must return
// an error or a config, never panic.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(baseConfig))
	f.Add([]byte(""))
	f.Add([]byte("devices: [{name: a, points: [{id: b, table: holding, type: bool, bit: 3}]}]"))
	f.Add([]byte("devices: [{name: a, max_gap: -1, poll_interval: -5s, points: [{id: b}]}]"))
	f.Add([]byte("buffer: {max_age: -1h, max_bytes: -1}\ndevices: [{poll_interval: 1ns}]"))
	if b, err := os.ReadFile(filepath.Join("..", "..", "configs", "edge.yaml")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			return
		}
		// A config that passed must pass again: derive is idempotent.
		c.derive()
		if err := c.Validate(); err != nil {
			t.Fatalf("valid config fails a second validation: %v", err)
		}
	})
}
