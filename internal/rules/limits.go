package rules

import (
	"math"
	"time"
)

// limitConditions are evaluated against the configured limits, in this
// order; delayedConditions are those the on- and off-delays apply to.
var (
	limitConditions   = [...]Condition{HighHigh, High, Low, LowLow}
	delayedConditions = [...]Condition{HighHigh, High, Low, LowLow,
		RateOfChange}
)

// limit returns the configured limit of a limit condition, or nil.
func (e *Evaluator) limit(c Condition) *Limit {
	switch c {
	case HighHigh:
		return e.cfg.HighHigh
	case High:
		return e.cfg.High
	case Low:
		return e.cfg.Low
	case LowLow:
		return e.cfg.LowLow
	}
	return nil
}

// spec returns the threshold and level a transition of the delayed
// condition c reports: the limit when it becomes active, the limit less
// the deadband when it clears.
func (e *Evaluator) spec(c Condition, on bool) (float64, Level) {
	if c == RateOfChange {
		return e.cfg.RateOfChange.PerMinute, e.cfg.RateOfChange.Level
	}
	l := e.limit(c)
	if on {
		return l.Value, l.Level
	}
	if isHigh(c) {
		return l.Value - e.cfg.Deadband, l.Level
	}
	return l.Value + e.cfg.Deadband, l.Level
}

func isHigh(c Condition) bool { return c == High || c == HighHigh }

// crosses tells whether v is past limit l of c. An active condition holds
// until v is back past the limit by the deadband.
func (e *Evaluator) crosses(c Condition, l float64, v float64, on bool) bool {
	d := 0.0
	if on {
		d = e.cfg.Deadband
	}
	if isHigh(c) {
		return v >= l-d
	}
	return v <= l+d
}

func (e *Evaluator) evalLimit(c Condition, v float64, t time.Time,
	out []Transition) []Transition {
	l := e.limit(c)
	if l == nil {
		return out
	}
	holds := e.crosses(c, l.Value, v, e.latch[c].on())
	return e.step(c, holds, v, t, out)
}

// evalMethane switches the methane conditions, which have no delays: the
// restore value is their deadband.
func (e *Evaluator) evalMethane(v float64, t time.Time,
	out []Transition) []Transition {
	m := e.cfg.Methane
	if m == nil {
		return out
	}
	out = e.methane(MethaneAlarm, m.Alarm, Level1, v, t, out)
	return e.methane(MethanePowerOff, m.PowerOff, Level2, v, t, out)
}

func (e *Evaluator) methane(c Condition, at float64, lvl Level, v float64,
	t time.Time, out []Transition) []Transition {
	restore := e.cfg.Methane.Restore
	if e.latch[c].on() {
		return e.set(c, v >= restore, v, restore, lvl, t, out)
	}
	return e.set(c, v >= at, v, at, lvl, t, out)
}

// evalRate feeds the rate-of-change window and its condition.
func (e *Evaluator) evalRate(s Sample, out []Transition) []Transition {
	r := e.cfg.RateOfChange
	if r == nil {
		return out
	}
	e.rate.push(s.Time, s.Value)
	d, ok := e.rate.change()
	holds := ok && math.Abs(d) >= r.PerMinute
	return e.step(RateOfChange, holds, d, s.Time, out)
}

// clearStale clears Stale on a new sample. A replayed sample can be older
// than the time Stale was raised; the clear is then dated at the raise, so
// that a clear never precedes its activation.
func (e *Evaluator) clearStale(t time.Time, out []Transition) []Transition {
	l := &e.latch[Stale]
	if !l.on() {
		return out
	}
	if t.Before(l.changed) {
		t = l.changed
	}
	return e.set(Stale, false, 0, 0, Level1, t, out)
}

// checkStale raises Stale when the point has been silent for more than
// StaleAfter expected intervals, counted from its last sample, from the
// first Tick if it never sent one, and at the earliest from its gateway's
// return. Value and Limit of the transition are seconds.
func (e *Evaluator) checkStale(now time.Time, out []Transition) []Transition {
	if e.cfg.ExpectedInterval <= 0 || e.offline || e.latch[Stale].on() {
		return out
	}
	ref := e.last
	if !e.seen {
		if e.watching.IsZero() {
			e.watching = now
		}
		ref = e.watching
	}
	if e.onlineAt.After(ref) {
		ref = e.onlineAt
	}
	w := e.staleWindow()
	if now.Sub(ref) <= w {
		return out
	}
	silent := now.Sub(ref).Seconds()
	return e.set(Stale, true, silent, w.Seconds(), Level1, ref.Add(w), out)
}
