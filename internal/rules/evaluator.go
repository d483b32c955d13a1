package rules

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Sample is one reading of the point.
type Sample struct {
	Time  time.Time
	Value float64
	// Quality of the value; anything but Good or Uncertain counts as Bad,
	// so a caller that forgets to set it sees sensor faults, not silence.
	Quality Quality
	// Replayed marks a sample sent from the edge's buffer after an outage.
	Replayed bool
}

// Transition reports that a condition became active or cleared.
type Transition struct {
	Condition Condition
	Active    bool
	Level     Level
	// Value is the reading that caused the change; for RateOfChange the
	// change within the last minute.
	Value float64
	// Limit is the threshold crossed: the limit on activation; on clearing
	// the limit less the deadband, or the methane restore value. It is the
	// range bound for an out-of-range SensorFault, zero for a bad sample.
	Limit float64
	// Time is the sample's time, or the time a delay elapsed.
	Time time.Time
	// Late marks a transition raised by a replayed or an out-of-order
	// sample; see the package documentation.
	Late bool
}

// String describes t for logs and test failures.
func (t Transition) String() string {
	verb := "cleared"
	if t.Active {
		verb = "active"
	}
	late := ""
	if t.Late {
		late = " late"
	}
	return fmt.Sprintf("%s %s%s (%s) value %g limit %g at %s", t.Condition,
		verb, late, t.Level, t.Value, t.Limit, t.Time.Format(time.RFC3339Nano))
}

// phase is where one condition is in its state machine.
type phase uint8

const (
	phaseNormal phase = iota
	phasePending
	phaseActive
	phaseClearing
)

// latch is the state of one condition of one point.
type latch struct {
	phase phase
	since time.Time // when the pending or clearing phase began
	value float64   // latest value seen while not normal
	// changed is the time of the last live activation or clear, and
	// lateDone whether a late pair was produced since; see the late rule.
	changed  time.Time
	lateDone bool
}

func (l *latch) on() bool { return l.phase == phaseActive || l.phase == phaseClearing }

// Evaluator evaluates the samples of one point. It is not safe for
// concurrent use: the caller feeds each point from one goroutine, in
// sample-time order.
type Evaluator struct {
	cfg   Config
	latch [numConditions]latch

	seen     bool      // a sample has been evaluated
	last     time.Time // the newest evaluated sample time
	watching time.Time // first Tick, the stale reference before any sample
	// late marks the transitions of the call in progress: those of a
	// replayed sample are late, those of Tick and of the gateway are not.
	late bool

	offline  bool
	onlineAt time.Time // when the gateway last came back
	holdEnd  time.Time // the last value is not trusted past this (if set)

	rate rateWindow
}

// NewEvaluator returns an Evaluator for a point configured by cfg, which
// must be valid; call WithDefaults first to get the standard limits.
func NewEvaluator(cfg Config) (*Evaluator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid rule config: %w", err)
	}
	if cfg.StaleAfter == 0 {
		cfg.StaleAfter = DefaultStaleAfter
	}
	e := &Evaluator{cfg: cfg}
	if cfg.RateOfChange != nil {
		e.rate = newRateWindow()
	}
	return e, nil
}

// Config returns the configuration e evaluates with.
func (e *Evaluator) Config() Config { return e.cfg }

// Resume marks conds as active as of at without reporting them, so that an
// evaluator rebuilt after a restart clears the alarms that were active
// before it when the value is back to normal.
func (e *Evaluator) Resume(at time.Time, conds ...Condition) {
	for _, c := range conds {
		if !c.valid() {
			continue
		}
		e.latch[c] = latch{phase: phaseActive, changed: at}
		if c == GatewayOffline {
			e.offline, e.holdEnd = true, at
		}
	}
}

// Active reports whether condition c is active (or clearing, which is
// still active until the off-delay has elapsed).
func (e *Evaluator) Active(c Condition) bool {
	return c.valid() && e.latch[c].on()
}

// Observe evaluates one sample and returns the transitions it causes,
// nil when there are none.
func (e *Evaluator) Observe(s Sample) []Transition {
	if e.seen && s.Time.Before(e.last) {
		return e.observeLate(s)
	}

	// Time has passed since the last sample with its value held. A
	// delay the held value could not cover starts again: it must be
	// covered by data someone saw.
	e.late = s.Replayed
	out := e.advance(s.Time, nil)
	if e.horizon(s.Time).Before(s.Time) {
		e.restartDelays(s.Time)
	}

	e.seen, e.last = true, s.Time
	e.holdEnd = time.Time{}
	out = e.clearStale(s.Time, out)

	if fault, limit := e.fault(s); fault {
		out = e.set(SensorFault, true, s.Value, limit, Level1, s.Time, out)
		return inTimeOrder(out)
	}
	out = e.set(SensorFault, false, s.Value, 0, Level1, s.Time, out)

	for _, c := range limitConditions {
		out = e.evalLimit(c, s.Value, s.Time, out)
	}
	out = e.evalMethane(s.Value, s.Time, out)
	return inTimeOrder(e.evalRate(s, out))
}

// Tick lets time pass to now without a new sample: delays elapse and the
// point becomes stale when it has been silent too long. now must be on the
// same clock as the sample times.
func (e *Evaluator) Tick(now time.Time) []Transition {
	e.late = false
	out := e.advance(now, nil)
	return inTimeOrder(e.checkStale(now, out))
}

// SetGatewayOnline records that the point's gateway went offline or came
// back at at, raising or clearing GatewayOffline. While the gateway is
// offline the point is not reported stale (GatewayOffline says more) and
// delays do not elapse, since the last value is no longer known to hold.
func (e *Evaluator) SetGatewayOnline(online bool, at time.Time) []Transition {
	if online != e.offline {
		return nil
	}
	e.late = false
	if online {
		e.offline, e.onlineAt = false, at
		return e.set(GatewayOffline, false, 0, 0, Level1, at, nil)
	}
	out := inTimeOrder(e.advance(at, nil))
	e.offline, e.holdEnd = true, at
	return e.set(GatewayOffline, true, 0, 0, Level1, at, out)
}

// fault tells whether s cannot be evaluated, and the range bound it broke.
func (e *Evaluator) fault(s Sample) (bool, float64) {
	v := s.Value
	if (s.Quality != Good && s.Quality != Uncertain) || math.IsNaN(v) {
		return true, 0
	}
	c := e.cfg
	if c.RangeLow == 0 && c.RangeHigh == 0 {
		return math.IsInf(v, 0), 0
	}
	switch {
	case v < c.RangeLow:
		return true, c.RangeLow
	case v > c.RangeHigh:
		return true, c.RangeHigh
	}
	return false, 0
}

// set switches an undelayed condition on or off, appending the transition
// if it changed.
func (e *Evaluator) set(c Condition, on bool, v, limit float64, lvl Level,
	at time.Time, out []Transition) []Transition {
	l := &e.latch[c]
	if l.on() == on {
		return out
	}
	next := phaseNormal
	if on {
		next = phaseActive
	}
	*l = latch{phase: next, value: v, changed: at}
	return append(out, Transition{Condition: c, Active: on, Level: lvl,
		Value: v, Limit: limit, Time: at, Late: e.late})
}

// horizon is how far the last value may be taken to hold towards to: not
// past a known outage and not past the time the point would be stale.
func (e *Evaluator) horizon(to time.Time) time.Time {
	if !e.holdEnd.IsZero() && e.holdEnd.Before(to) {
		to = e.holdEnd
	}
	if e.seen && e.cfg.ExpectedInterval > 0 {
		if d := e.last.Add(e.staleWindow()); d.Before(to) {
			to = d
		}
	}
	return to
}

func (e *Evaluator) staleWindow() time.Duration {
	return time.Duration(e.cfg.StaleAfter) * e.cfg.ExpectedInterval
}

// advance lets the on- and off-delays elapse up to to, in time order.
func (e *Evaluator) advance(to time.Time, out []Transition) []Transition {
	h := e.horizon(to)
	for _, c := range delayedConditions {
		out = e.elapse(c, h, out)
	}
	return out
}

// inTimeOrder sorts the transitions of one call by time: delays elapse in
// condition order, but are reported as they happened.
func inTimeOrder(out []Transition) []Transition {
	if len(out) > 1 {
		slices.SortStableFunc(out, func(a, b Transition) int {
			return a.Time.Compare(b.Time)
		})
	}
	return out
}

// restartDelays restarts the pending and clearing phases at t.
func (e *Evaluator) restartDelays(t time.Time) {
	for _, c := range delayedConditions {
		if l := &e.latch[c]; l.phase == phasePending ||
			l.phase == phaseClearing {
			l.since = t
		}
	}
}

// elapse completes a pending or clearing phase of c whose delay has passed
// by h.
func (e *Evaluator) elapse(c Condition, h time.Time,
	out []Transition) []Transition {
	l := &e.latch[c]
	switch {
	case l.phase == phasePending && !l.since.Add(e.cfg.OnDelay).After(h):
		return e.flip(c, true, l.since.Add(e.cfg.OnDelay), out)
	case l.phase == phaseClearing && !l.since.Add(e.cfg.OffDelay).After(h):
		return e.flip(c, false, l.since.Add(e.cfg.OffDelay), out)
	}
	return out
}

// flip makes a delayed condition active or normal at at.
func (e *Evaluator) flip(c Condition, on bool, at time.Time,
	out []Transition) []Transition {
	l := &e.latch[c]
	limit, lvl := e.spec(c, on)
	l.phase, l.since, l.changed, l.lateDone = phaseNormal, time.Time{}, at, false
	if on {
		l.phase = phaseActive
	}
	return append(out, Transition{Condition: c, Active: on, Level: lvl,
		Value: l.value, Limit: limit, Time: at, Late: e.late})
}

// step feeds a delayed condition whether it holds at t with value v.
func (e *Evaluator) step(c Condition, holds bool, v float64, t time.Time,
	out []Transition) []Transition {
	l := &e.latch[c]
	switch l.phase {
	case phaseNormal:
		if !holds {
			return out
		}
		l.phase, l.since, l.value = phasePending, t, v
	case phasePending:
		if !holds {
			l.phase = phaseNormal
			return out
		}
		l.value = v
	case phaseActive:
		l.value = v
		if holds {
			return out
		}
		l.phase, l.since = phaseClearing, t
	case phaseClearing:
		l.value = v
		if holds {
			l.phase = phaseActive
			return out
		}
	}
	return e.elapse(c, t, out)
}
