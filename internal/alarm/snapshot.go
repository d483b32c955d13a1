package alarm

import "fmt"

// check reports what makes s a state no sequence of operations produces.
func (s Snapshot) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadSnapshot},
			args...)...)
	}
	st := s.State
	switch {
	case s.Key.Point == "":
		return bad("no point")
	case st >= numStates:
		return bad("unknown state %d", st)
	case (st == Unacked || st == Acked) && !s.Active:
		return bad("%s while the condition is clear", st)
	case (st == Normal || st == RTNUnack) && s.Active:
		return bad("%s while the condition is active", st)
	case s.open() && s.Episode == 0:
		return bad("%s without an episode", st)
	case s.Active && s.Level != 1 && s.Level != 2:
		return bad("active at level %d", s.Level)
	case st == Acked && s.AckedBy == "":
		return bad("acked by nobody")
	case st.Suppressed() && (s.SuppressedBy == "" || s.Reason == ""):
		return bad("%s by nobody or for no reason", st)
	case st == Shelved && s.ShelvedUntil.IsZero():
		return bad("shelved without expiry")
	case !st.Suppressed() && (s.SuppressedBy != "" ||
		!s.ShelvedUntil.IsZero()):
		return bad("%s with suppression details", st)
	}
	return nil
}

// open tells whether s has an open episode.
func (s Snapshot) open() bool {
	if s.State.Suppressed() {
		return s.Active
	}
	return s.State != Normal
}
