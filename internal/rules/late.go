package rules

// lateConditions are the conditions a late sample may raise.
var lateConditions = [...]Condition{HighHigh, High, Low, LowLow,
	MethaneAlarm, MethanePowerOff}

// observeLate applies the late rule (see the package documentation) to a
// sample older than the newest one evaluated. It changes no live state but
// the marks that keep one excursion from being reported twice.
func (e *Evaluator) observeLate(s Sample) []Transition {
	if bad, _ := e.fault(s); bad {
		return nil
	}
	var out []Transition
	for _, c := range lateConditions {
		limit, lvl, ok := e.lateCrossing(c, s.Value)
		if !ok {
			continue
		}
		l := &e.latch[c]
		if l.phase != phaseNormal || l.lateDone || !s.Time.After(l.changed) {
			continue
		}
		l.lateDone = true
		t := Transition{Condition: c, Active: true, Level: lvl,
			Value: s.Value, Limit: limit, Time: s.Time, Late: true}
		out = append(out, t)
		t.Active = false
		out = append(out, t)
	}
	return out
}

// lateCrossing tells whether v crosses the activation threshold of c,
// which must have no on-delay, and returns the threshold and level.
func (e *Evaluator) lateCrossing(c Condition, v float64) (float64, Level,
	bool) {
	if m := e.cfg.Methane; c == MethaneAlarm || c == MethanePowerOff {
		switch {
		case m == nil:
			return 0, 0, false
		case c == MethaneAlarm:
			return m.Alarm, Level1, v >= m.Alarm
		default:
			return m.PowerOff, Level2, v >= m.PowerOff
		}
	}
	l := e.limit(c)
	if l == nil || e.cfg.OnDelay > 0 {
		return 0, 0, false
	}
	return l.Value, l.Level, e.crosses(c, l.Value, v, false)
}
