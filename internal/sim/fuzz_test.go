package sim

import (
	"os"
	"testing"
	"time"
)

// FuzzParseScenario feeds arbitrary bytes to ParseScenario. It must never
// panic, and whatever it accepts must be safe to evaluate and encode at
// any time, since the server will do exactly that.
func FuzzParseScenario(f *testing.F) {
	demo, err := os.ReadFile("../../configs/sim-tankfarm.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte(allTables))
	f.Add([]byte(waveforms))
	f.Add([]byte("signals:\n  - {name: a, table: input, address: 65535, type: bool, bit: 15, kind: steps, values: [1], period: 1ns}\n"))
	f.Add([]byte("signals:\n  - {name: a, table: holding, address: 0, type: int64, kind: ramp, from: -1e300, to: 1e300, period: 1ns, once: true, events: [{at: 0s, to: base, ramp: 1ns}]}\n"))
	f.Add([]byte("illegal: [{table: coil, address: 65535, count: 1}]\nsignals: []\n"))
	f.Add([]byte("signals: [{name: a, events: [{to: base}]}]"))

	at := []time.Duration{
		-time.Hour, 0, 1, time.Second, 90 * time.Second, 1<<63 - 1,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario(data)
		if err != nil {
			return
		}
		for i := range sc.Signals {
			s := &sc.Signals[i]
			for _, d := range at {
				words := s.registers(d)
				if s.Type != Bool && len(words) != s.Type.Words() {
					t.Fatalf("%s: %d words for %s", s.Name, len(words), s.Type)
				}
			}
		}
	})
}
