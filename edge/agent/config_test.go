package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// baseConfig is a valid config; the cases below change one line of it.
const baseConfig = `
gateway: {enterprise: 91320500MA1TANK01X, id: gw-01}
mqtt: {broker: "tcp://127.0.0.1:1883"}
buffer: {dir: /tmp/hw-edge-test}
devices:
  - name: plc-1
    transport: tcp
    address: 127.0.0.1:5020
    points:
      - {id: P-1, table: holding, address: 0, type: float32}
      - {id: P-2, table: coil, address: 3, type: bool}
  - name: plc-2
    address: 127.0.0.1:5021
    points:
      - {id: P-3, table: input, address: 7, type: int16, scale: 0.1}
`

func TestParseConfigNamesTheKey(t *testing.T) {
	cases := []struct {
		name, from, to string
		key            string // the error must contain it
	}{
		{"unknown transport", "transport: tcp", "transport: udp", "devices[0].transport"},
		{"address past 65535", "address: 0, type: float32", "address: 70000, type: float32",
			"devices[0].points[0].address"},
		{"duplicate point id", "{id: P-3,", "{id: P-1,", "devices[1].points[0].id"},
		{"bool on holding without bit", "type: float32}", "type: bool}", "devices[0].points[0]"},
		{"float32 on a coil", "address: 3, type: bool", "address: 3, type: float32",
			"devices[0].points[1]"},
		{"bit 16", "type: float32}", "type: bool, bit: 16}", "devices[0].points[0]"},
		{"bad byte order", "type: float32}", "type: float32, byte_order: ABDC}",
			"devices[0].points[0].byte_order"},
		{"missing device name", "- name: plc-2", "- unit_id: 1", "devices[1].name"},
		{"duplicate device name", "- name: plc-2", "- name: plc-1", "devices[1].name"},
		{"unknown key", "transport: tcp", "transprot: tcp", "transprot"},
		{"bad sync policy", "buffer: {dir: /tmp/hw-edge-test}",
			"buffer: {dir: /tmp/hw-edge-test, sync: sometimes}", "buffer.sync"},
	}
	if _, err := ParseConfig([]byte(baseConfig)); err != nil {
		t.Fatalf("base config: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(baseConfig, tc.from) {
				t.Fatalf("base config lacks %q", tc.from)
			}
			_, err := ParseConfig([]byte(strings.Replace(baseConfig, tc.from, tc.to, 1)))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.key) {
				t.Errorf("error %q does not name %s", err, tc.key)
			}
		})
	}
}

// TestLoadConfigSample keeps the commented sample loadable, and
// LoadConfig's errors naming the file.
func TestLoadConfigSample(t *testing.T) {
	c, err := LoadConfig(filepath.Join("..", "..", "configs", "edge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Devices) == 0 || c.MQTT.ClientID == "" || c.Buffer.MaxBytes == 0 {
		t.Errorf("derived defaults missing: %+v", c)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("devices: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("LoadConfig(%s) = %v, want an error naming the file", bad, err)
	}
}
