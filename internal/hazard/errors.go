package hazard

import (
	"errors"
	"fmt"
)

// Sentinel errors of the ledger. Errors returned by it wrap one of them,
// so callers test with errors.Is; an HTTP layer maps them to 404, 403,
// 409, 409 and 422.
var (
	// ErrNotFound: no record has the id.
	ErrNotFound = errors.New("hazard record not found")
	// ErrForbidden: the actor's role or scope does not allow the
	// operation on this record.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidTransition: the record's status does not allow the
	// operation; the error is a *TransitionError.
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrConflict: another change won the race (the record's version
	// moved), or reopening would make a second open record for one alarm.
	// Reading the record again and retrying is safe.
	ErrConflict = errors.New("conflict")
	// ErrValidation: the input is incomplete or out of range.
	ErrValidation = errors.New("invalid input")
)

// TransitionError is an operation refused by the lifecycle: From is the
// record's status, To the one the operation leads to.
type TransitionError struct {
	ID     int64
	Action Action
	From   Status
	To     Status
}

// Error implements error.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("invalid transition: cannot %s record %d: %s to %s",
		e.Action, e.ID, e.From, e.To)
}

// Is makes errors.Is(err, ErrInvalidTransition) hold.
func (e *TransitionError) Is(target error) bool {
	return target == ErrInvalidTransition
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrValidation}, args...)...)
}
