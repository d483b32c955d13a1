package device

import (
	"log/slog"
	"testing"
)

// max_gap 0 is a setting of its own (join only adjacent points), not "left
// out", which means the default gap.
func TestMaxGapZeroIsKept(t *testing.T) {
	zero := 0
	for _, tc := range []struct {
		gap  *int
		reqs int
	}{{nil, 1}, {&zero, 2}} {
		cfg := Config{Name: "d", Address: "127.0.0.1:1", MaxGap: tc.gap, Points: []PointConfig{
			{ID: "a", Table: "holding", Address: 0, Type: "uint16"},
			{ID: "b", Table: "holding", Address: 2, Type: "uint16"},
		}}
		p, err := New(cfg, slog.New(slog.DiscardHandler), NewMetrics(nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(p.Requests()); got != tc.reqs {
			t.Errorf("max_gap %v: %d requests, want %d", tc.gap, got, tc.reqs)
		}
	}
}
