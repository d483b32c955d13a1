package hazardapi

import (
	"fmt"
	"net/http"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// rectify accepts a rectification plan (整改方案): open -> rectifying.
func (a *api) rectify(r *http.Request, who hazard.Actor) (int, any, error) {
	var p hazard.Plan
	id, err := idAndBody(r, &p)
	if err != nil {
		return 0, nil, err
	}
	return a.result(who)(a.l.StartRectification(r.Context(), id, p, who))
}

// submit reports the rectification done: rectifying ->
// awaiting_verification.
func (a *api) submit(r *http.Request, who hazard.Actor) (int, any, error) {
	var b struct {
		Note string `json:"note"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return 0, nil, err
	}
	return a.result(who)(a.l.SubmitForVerification(r.Context(), id, who, b.Note))
}

// verify records the re-inspection (验收): closed when passed, back to
// rectifying when not. Passed is a pointer so that a verification that
// forgot to say whether it passed is refused, not taken as a failure.
func (a *api) verify(r *http.Request, who hazard.Actor) (int, any, error) {
	var b struct {
		Passed *bool  `json:"passed"`
		Note   string `json:"note"`
	}
	id, err := idAndBody(r, &b)
	if err != nil {
		return 0, nil, err
	}
	if b.Passed == nil {
		return 0, nil, fmt.Errorf("verify record %d: %w: passed (true or "+
			"false) required", id, hazard.ErrValidation)
	}
	return a.result(who)(a.l.Verify(r.Context(), id, who, *b.Passed, b.Note))
}

// reasonBody is the body of cancel and reopen.
type reasonBody struct {
	Reason string `json:"reason"`
}

func (a *api) cancel(r *http.Request, who hazard.Actor) (int, any, error) {
	var b reasonBody
	id, err := idAndBody(r, &b)
	if err != nil {
		return 0, nil, err
	}
	return a.result(who)(a.l.Cancel(r.Context(), id, who, b.Reason))
}

func (a *api) reopen(r *http.Request, who hazard.Actor) (int, any, error) {
	var b reasonBody
	id, err := idAndBody(r, &b)
	if err != nil {
		return 0, nil, err
	}
	return a.result(who)(a.l.Reopen(r.Context(), id, who, b.Reason))
}

// idAndBody reads the record id of the path and the JSON body.
func idAndBody(r *http.Request, dst any) (int64, error) {
	id, err := recordID(r)
	if err != nil {
		return 0, err
	}
	return id, decode(r, dst)
}
