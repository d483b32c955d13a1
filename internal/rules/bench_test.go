package rules

import (
	"testing"
	"time"
)

// BenchmarkObserve feeds a gas point with every feature on a value that
// moves but crosses nothing, the common case.
func BenchmarkObserve(b *testing.B) {
	cfg := gas()
	cfg.Deadband, cfg.OnDelay, cfg.OffDelay = 1, 5*time.Second, 5*time.Second
	cfg.ExpectedInterval = 10 * time.Second
	cfg.RateOfChange = &RateLimit{PerMinute: 10}
	e, err := NewEvaluator(cfg.WithDefaults())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	at := t0
	for i := 0; b.Loop(); i++ {
		at = at.Add(time.Second)
		s := Sample{Time: at, Value: float64(i % 7), Quality: Good}
		if got := e.Observe(s); got != nil {
			b.Fatalf("unexpected transitions %v", got)
		}
	}
}

// BenchmarkObserveTransitions alternates across High, so every call
// reports one transition.
func BenchmarkObserveTransitions(b *testing.B) {
	e, err := NewEvaluator(gas().WithDefaults())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	at := t0
	for i := 0; b.Loop(); i++ {
		at = at.Add(time.Second)
		e.Observe(Sample{Time: at, Value: float64(20 + 10*(i%2)),
			Quality: Good})
	}
}
