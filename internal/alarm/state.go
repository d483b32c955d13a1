package alarm

import (
	"fmt"
	"strconv"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// State is an alarm state as ISA-18.2 names it.
type State uint8

// States of an alarm.
const (
	// Normal: the condition is clear and nothing awaits acknowledgement.
	Normal State = iota
	// Unacked: the condition is active and not acknowledged.
	Unacked
	// Acked: the condition is active and acknowledged.
	Acked
	// RTNUnack: the condition returned to normal unacknowledged.
	RTNUnack
	// Shelved: an operator suppressed the alarm for a limited time.
	Shelved
	// OutOfService: the alarm is suppressed for maintenance, until it is
	// returned to service.
	OutOfService

	numStates = iota
)

var stateNames = [numStates]string{
	Normal:       "normal",
	Unacked:      "unacked",
	Acked:        "acked",
	RTNUnack:     "rtn_unacked",
	Shelved:      "shelved",
	OutOfService: "out_of_service",
}

// String returns the stored name of s.
func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// ParseState maps a name returned by String to its State.
func ParseState(name string) (State, error) {
	for s := Normal; s < numStates; s++ {
		if stateNames[s] == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown alarm state %q", name)
}

// Suppressed tells whether s annunciates nothing: Shelved or OutOfService.
func (s State) Suppressed() bool { return s == Shelved || s == OutOfService }

// EventKind is what an Event records.
type EventKind uint8

// Kinds of event.
const (
	EventActivated EventKind = iota + 1
	EventCleared
	EventAcked
	EventShelved
	EventUnshelved
	EventOutOfService
	EventInService
	EventEscalated
	EventLevelChanged

	numEventKinds = iota + 1
)

var eventKindNames = [numEventKinds]string{
	EventActivated:    "activated",
	EventCleared:      "cleared",
	EventAcked:        "acked",
	EventShelved:      "shelved",
	EventUnshelved:    "unshelved",
	EventOutOfService: "out_of_service",
	EventInService:    "in_service",
	EventEscalated:    "escalated",
	EventLevelChanged: "level_changed",
}

// String returns the stored name of k.
func (k EventKind) String() string {
	if k >= EventActivated && k < numEventKinds {
		return eventKindNames[k]
	}
	return "event_kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseEventKind maps a name returned by String to its EventKind.
func ParseEventKind(name string) (EventKind, error) {
	for k := EventActivated; k < numEventKinds; k++ {
		if eventKindNames[k] == name {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown alarm event kind %q", name)
}

// Key names an alarm: one condition of one monitoring point.
type Key struct {
	Point     string
	Condition rules.Condition
}

// String returns "point/condition".
func (k Key) String() string { return k.Point + "/" + k.Condition.String() }

// Event is one journal entry. Its fields are plain values, so that a store
// can keep it as one row.
type Event struct {
	Key     Key
	Episode uint64
	Kind    EventKind
	From    State
	To      State
	Level   rules.Level
	Value   float64
	// Actor is who acted: an operator, SystemActor for expiry and
	// escalation, empty for what the process did.
	Actor string
	// Comment is the operator's comment, or the reason of a shelve or a
	// removal from service.
	Comment string
	// Until is the shelve expiry of a shelved event, else zero.
	Until time.Time
	Time  time.Time
	// Late marks an event raised by replayed or out-of-order data.
	Late bool
}

// SystemActor is the Actor of events nobody caused by hand: shelve expiry
// and escalation.
const SystemActor = "system"
