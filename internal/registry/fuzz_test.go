package registry

import (
	"math"
	"os"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// FuzzParse feeds the loader arbitrary bytes: it must return a registry or
// an error, never panic, and a registry it returns must be usable.
func FuzzParse(f *testing.F) {
	demo, err := os.ReadFile(demoFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte(validDoc))
	f.Add([]byte(oneEnterprise("P1", "P2")))
	f.Add([]byte(""))
	f.Add([]byte("enterprises: [{code: E}]\nhazard_sources: [{code: H, points: [{id: P, high: {}}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		for _, p := range r.Points() {
			if _, ok := r.Point(p.Enterprise, p.ID); !ok {
				t.Errorf("point %s/%s listed but not found", p.Enterprise, p.ID)
			}
			if _, ok := r.HazardSource(p.HazardSource); !ok {
				t.Errorf("point %s: hazard source %s missing", p.ID, p.HazardSource)
			}
			c := p.RuleConfig()
			for _, l := range []*rules.Limit{c.HighHigh, c.High, c.Low, c.LowLow} {
				if l != nil && (math.IsNaN(l.Value) || math.IsInf(l.Value, 0)) {
					t.Errorf("point %s accepted with limit %g", p.ID, l.Value)
				}
			}
			if err := c.Validate(); err != nil {
				t.Errorf("point %s accepted with invalid rules: %v", p.ID, err)
			}
		}
	})
}
