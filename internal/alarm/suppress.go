package alarm

import "time"

// Shelve suppresses the alarm until until, for reason. A shelve cannot be
// extended in place: unshelve and shelve again, so each is journalled.
func (a *Alarm) Shelve(actor, reason string, until, at time.Time) ([]Event,
	error) {
	switch {
	case actor == "":
		return nil, a.fail("shelve", ErrNoActor)
	case reason == "":
		return nil, a.fail("shelve", ErrNoReason)
	case !until.After(at):
		return nil, a.fail("shelve", ErrShelveExpiry)
	case a.p.MaxShelve > 0 && until.Sub(at) > a.p.MaxShelve:
		return nil, a.fail("shelve", ErrShelveTooLong)
	case a.s.State == Shelved:
		return nil, a.fail("shelve", ErrAlreadyShelved)
	case a.s.State == OutOfService:
		return nil, a.fail("shelve", ErrOutOfService)
	}
	e := a.suppress(EventShelved, Shelved, actor, reason, at)
	a.s.ShelvedUntil = until
	e.Until = until
	return []Event{e}, nil
}

// Unshelve ends a shelve before it expires.
func (a *Alarm) Unshelve(actor, comment string, at time.Time) ([]Event,
	error) {
	switch {
	case actor == "":
		return nil, a.fail("unshelve", ErrNoActor)
	case a.s.State != Shelved:
		return nil, a.fail("unshelve", ErrNotShelved)
	}
	return []Event{a.release(EventUnshelved, actor, comment, at)}, nil
}

// RemoveFromService suppresses the alarm for maintenance, for reason,
// until it is returned to service. It also ends a shelve.
func (a *Alarm) RemoveFromService(actor, reason string,
	at time.Time) ([]Event, error) {
	switch {
	case actor == "":
		return nil, a.fail("remove from service", ErrNoActor)
	case reason == "":
		return nil, a.fail("remove from service", ErrNoReason)
	case a.s.State == OutOfService:
		return nil, a.fail("remove from service", ErrAlreadyOutOfService)
	}
	e := a.suppress(EventOutOfService, OutOfService, actor, reason, at)
	return []Event{e}, nil
}

// ReturnToService ends a removal from service.
func (a *Alarm) ReturnToService(actor, comment string,
	at time.Time) ([]Event, error) {
	switch {
	case actor == "":
		return nil, a.fail("return to service", ErrNoActor)
	case a.s.State != OutOfService:
		return nil, a.fail("return to service", ErrInService)
	}
	return []Event{a.release(EventInService, actor, comment, at)}, nil
}

// suppress enters a suppression state.
func (a *Alarm) suppress(k EventKind, to State, actor, reason string,
	at time.Time) Event {
	a.s.SuppressedBy, a.s.SuppressedAt, a.s.Reason = actor, at, reason
	a.s.ShelvedUntil = time.Time{}
	e := a.event(k, to, at)
	e.Actor, e.Comment = actor, reason
	return e
}

// release leaves suppression: to Normal when the condition is clear, or
// to Unacked, continuing the open episode, when it is active.
func (a *Alarm) release(k EventKind, actor, comment string,
	at time.Time) Event {
	a.s.SuppressedBy, a.s.SuppressedAt, a.s.Reason = "", time.Time{}, ""
	a.s.ShelvedUntil = time.Time{}
	to := Normal
	if a.s.Active {
		to = Unacked
		a.s.UnackedSince = at
		a.s.AckedBy, a.s.AckedAt = "", time.Time{}
	}
	e := a.event(k, to, at)
	e.Actor, e.Comment = actor, comment
	return e
}

// Tick lets time pass to at: an expired shelve ends, and an alarm
// unacknowledged for Policy.EscalateAfter is escalated, once an episode.
func (a *Alarm) Tick(at time.Time) []Event {
	var out []Event
	if a.s.State == Shelved && !at.Before(a.s.ShelvedUntil) {
		out = append(out, a.release(EventUnshelved, SystemActor,
			"shelve expired", a.s.ShelvedUntil))
	}
	if a.s.State == Unacked && a.p.EscalateAfter > 0 && !a.s.Escalated &&
		at.Sub(a.s.UnackedSince) >= a.p.EscalateAfter {
		a.s.Escalated = true
		e := a.event(EventEscalated, Unacked,
			a.s.UnackedSince.Add(a.p.EscalateAfter))
		e.Actor = SystemActor
		out = append(out, e)
	}
	return out
}
