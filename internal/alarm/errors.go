package alarm

// Error is the type of this package's sentinel errors. Operations wrap
// them with what was being done, so test them with errors.Is, or with
// errors.As and Conflict to pick an HTTP status.
type Error struct {
	msg      string
	conflict bool
}

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Conflict tells an operation the alarm's current state does not allow
// (HTTP 409) from a request that is wrong in itself (HTTP 400).
func (e *Error) Conflict() bool { return e.conflict }

// Errors of alarm operations: conflicts with the alarm's state.
var (
	ErrNotActive           = &Error{"alarm is not active", true}
	ErrAlreadyAcked        = &Error{"alarm is already acknowledged", true}
	ErrNothingToAck        = &Error{"alarm has nothing to acknowledge", true}
	ErrSuppressed          = &Error{"alarm is shelved or out of service", true}
	ErrAlreadyShelved      = &Error{"alarm is already shelved", true}
	ErrNotShelved          = &Error{"alarm is not shelved", true}
	ErrOutOfService        = &Error{"alarm is out of service", true}
	ErrAlreadyOutOfService = &Error{"alarm is already out of service", true}
	ErrInService           = &Error{"alarm is in service", true}
)

// Errors of alarm operations: bad requests.
var (
	ErrNoActor       = &Error{"actor is required", false}
	ErrNoReason      = &Error{"reason is required", false}
	ErrShelveExpiry  = &Error{"shelve expiry must be after now", false}
	ErrShelveTooLong = &Error{"shelve is longer than allowed", false}
	ErrBadLevel      = &Error{"alarm level must be 1 or 2", false}
	ErrWrongAlarm    = &Error{"transition is for another condition", false}
	ErrBadSnapshot   = &Error{"inconsistent alarm snapshot", false}
)
