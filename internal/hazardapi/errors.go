package hazardapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// errorBody is the API's error answer. From, To and Action are set for
// an invalid transition, so a client can tell the user what state the
// record is in.
type errorBody struct {
	Error  string        `json:"error"`
	Code   string        `json:"code"`
	From   hazard.Status `json:"from,omitempty"`
	To     hazard.Status `json:"to,omitempty"`
	Action hazard.Action `json:"action,omitempty"`
}

// badRequest is an error in the request itself: unparsable JSON or query
// parameters (400).
type badRequest struct{ err error }

func (e badRequest) Error() string { return e.err.Error() }
func (e badRequest) Unwrap() error { return e.err }

func badf(format string, args ...any) error {
	return badRequest{fmt.Errorf(format, args...)}
}

// fail answers err with its status. Server faults are logged and their
// detail withheld; refusals go to the client as the ledger worded them.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := classify(err)
	switch {
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		a.log.Debug("hazard api request cancelled", "path", r.URL.Path)
	case status >= 500:
		a.log.Error("hazard api request failed", "method", r.Method,
			"path", r.URL.Path, "err", err)
		body.Error = "internal error, see the center's log"
	default:
		a.log.Debug("hazard api request refused", "method", r.Method,
			"path", r.URL.Path, "status", status, "err", err)
	}
	writeJSON(w, status, body)
}

// classify maps an error to its HTTP status and body.
func classify(err error) (int, errorBody) {
	body := errorBody{Error: err.Error()}
	var te *hazard.TransitionError
	var br badRequest
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &te):
		body.Code, body.From, body.To, body.Action = "invalid_transition",
			te.From, te.To, te.Action
		return http.StatusConflict, body
	case errors.As(err, &tooLarge):
		body.Code = "too_large"
		return http.StatusRequestEntityTooLarge, body
	case errors.As(err, &br):
		body.Code = "bad_request"
		return http.StatusBadRequest, body
	}
	for _, m := range statusOf {
		if errors.Is(err, m.err) {
			body.Code = m.code
			return m.status, body
		}
	}
	body.Code = "internal"
	return http.StatusInternalServerError, body
}

// statusOf maps the ledger's sentinel errors, in the order they are
// tested.
var statusOf = []struct {
	err    error
	status int
	code   string
}{
	{hazard.ErrNotFound, http.StatusNotFound, "not_found"},
	{hazard.ErrForbidden, http.StatusForbidden, "forbidden"},
	{hazard.ErrInvalidTransition, http.StatusConflict, "invalid_transition"},
	{hazard.ErrConflict, http.StatusConflict, "conflict"},
	{hazard.ErrValidation, http.StatusUnprocessableEntity, "invalid"},
}
