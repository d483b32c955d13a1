package alarm

import (
	"fmt"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// Policy holds the site's settings for alarm handling.
type Policy struct {
	// EscalateAfter is how long an alarm may stay active and
	// unacknowledged before it is escalated, once per episode; zero never
	// escalates.
	EscalateAfter time.Duration
	// MaxShelve is the longest an alarm may be shelved; zero sets no
	// bound. ISA-18.2 wants shelving time-limited, so set one.
	MaxShelve time.Duration
}

// Snapshot is the state of an alarm as a store keeps it, one row per
// alarm; Restore rebuilds the alarm from it after a restart.
type Snapshot struct {
	Key   Key
	State State
	// Active is the condition as package rules last reported it, tracked
	// while suppressed too.
	Active bool
	// Episode numbers the episodes of the alarm from 1; it is the last
	// one when no episode is open.
	Episode uint64
	Level   rules.Level
	Value   float64
	// ActiveSince is when the condition last became active.
	ActiveSince time.Time
	// UnackedSince is when the open episode first became Unacked, and
	// Escalated whether it was escalated.
	UnackedSince time.Time
	Escalated    bool
	AckedBy      string
	AckedAt      time.Time
	// SuppressedBy, SuppressedAt and Reason describe the shelve or the
	// removal from service; ShelvedUntil is the shelve expiry.
	SuppressedBy string
	SuppressedAt time.Time
	Reason       string
	ShelvedUntil time.Time
}

// Alarm is one condition of one point and its lifecycle. It is not safe
// for concurrent use.
type Alarm struct {
	s Snapshot
	p Policy
}

// New returns a Normal alarm for key.
func New(key Key, p Policy) *Alarm {
	return &Alarm{s: Snapshot{Key: key}, p: p}
}

// Restore rebuilds an alarm from a stored snapshot, refusing one that no
// sequence of operations could have produced.
func Restore(s Snapshot, p Policy) (*Alarm, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("restore alarm %s: %w", s.Key, err)
	}
	return &Alarm{s: s, p: p}, nil
}

// Snapshot returns the alarm's state for storing.
func (a *Alarm) Snapshot() Snapshot { return a.s }

// Key returns the alarm's key.
func (a *Alarm) Key() Key { return a.s.Key }

// State returns the alarm's current state.
func (a *Alarm) State() State { return a.s.State }

// open tells whether an episode is open: something is active or awaits
// acknowledgement.
func (a *Alarm) open() bool { return a.s.open() }

// event moves the alarm to state to and returns the journal entry.
func (a *Alarm) event(k EventKind, to State, at time.Time) Event {
	e := Event{Key: a.s.Key, Episode: a.s.Episode, Kind: k,
		From: a.s.State, To: to, Level: a.s.Level, Value: a.s.Value,
		Time: at}
	a.s.State = to
	return e
}

func (a *Alarm) fail(op string, err error) error {
	return fmt.Errorf("%s alarm %s: %w", op, a.s.Key, err)
}

// Apply feeds a transition of package rules to the alarm.
func (a *Alarm) Apply(t rules.Transition) ([]Event, error) {
	if t.Condition != a.s.Key.Condition {
		return nil, a.fail("apply "+t.Condition.String(), ErrWrongAlarm)
	}
	if t.Active {
		return a.Activate(t.Level, t.Value, t.Time, t.Late)
	}
	return a.Clear(t.Value, t.Time, t.Late)
}

// Activate records that the condition became active at level with value.
// On an active alarm it only records a change of level, and returns no
// event when the level is the same.
func (a *Alarm) Activate(level rules.Level, value float64, at time.Time,
	late bool) ([]Event, error) {
	if level != rules.Level1 && level != rules.Level2 {
		return nil, a.fail("activate", ErrBadLevel)
	}
	if a.s.Active {
		return a.changeLevel(level, value, at, late), nil
	}

	if !a.open() {
		a.s.Episode++
		a.s.Escalated = false
		a.s.AckedBy, a.s.AckedAt = "", time.Time{}
		a.s.UnackedSince = at
	}
	a.s.Active, a.s.ActiveSince = true, at
	a.s.Level, a.s.Value = level, value

	to := Unacked
	if a.s.State.Suppressed() {
		to = a.s.State
	}
	e := a.event(EventActivated, to, at)
	e.Late = late
	return []Event{e}, nil
}

func (a *Alarm) changeLevel(level rules.Level, value float64, at time.Time,
	late bool) []Event {
	a.s.Value = value
	if level == a.s.Level {
		return nil
	}
	a.s.Level = level
	e := a.event(EventLevelChanged, a.s.State, at)
	e.Late = late
	return []Event{e}
}

// Clear records that the condition returned to normal at at with value.
func (a *Alarm) Clear(value float64, at time.Time, late bool) ([]Event,
	error) {
	if !a.s.Active {
		return nil, a.fail("clear", ErrNotActive)
	}
	a.s.Active, a.s.Value = false, value
	to := a.s.State
	switch a.s.State {
	case Unacked:
		to = RTNUnack
	case Acked:
		to = Normal
	}
	e := a.event(EventCleared, to, at)
	e.Late = late
	return []Event{e}, nil
}

// Acknowledge records that actor acknowledged the alarm.
func (a *Alarm) Acknowledge(actor, comment string, at time.Time) ([]Event,
	error) {
	var to State
	switch {
	case actor == "":
		return nil, a.fail("acknowledge", ErrNoActor)
	case a.s.State.Suppressed():
		return nil, a.fail("acknowledge", ErrSuppressed)
	case a.s.State == Acked:
		return nil, a.fail("acknowledge", ErrAlreadyAcked)
	case a.s.State == Normal:
		return nil, a.fail("acknowledge", ErrNothingToAck)
	case a.s.State == Unacked:
		to = Acked
	default: // RTNUnack
		to = Normal
	}
	a.s.AckedBy, a.s.AckedAt = actor, at
	e := a.event(EventAcked, to, at)
	e.Actor, e.Comment = actor, comment
	return []Event{e}, nil
}
