package hazardapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// page is the list's answer: Next is the cursor for ?after=, absent on
// the last page.
type page struct {
	Records []recordView `json:"records"`
	Next    int64        `json:"next,omitempty"`
}

func (a *api) list(r *http.Request, who hazard.Actor) (int, any, error) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	p, err := a.l.List(r.Context(), f, who)
	if err != nil {
		return 0, nil, err
	}
	views := make([]recordView, len(p.Records)) // [] rather than null for clients
	for i, rec := range p.Records {
		views[i] = a.view(who, rec)
	}
	return http.StatusOK, page{Records: views, Next: p.Next}, nil
}

func (a *api) get(r *http.Request, who hazard.Actor) (int, any, error) {
	id, err := recordID(r)
	if err != nil {
		return 0, nil, err
	}
	return a.result(who)(a.l.Get(r.Context(), id, who))
}

// newRecord is the body of POST /api/v1/hazards: an inspection finding
// (origin inspection) or an enterprise's self-report (self_report). Its
// fields are hazard.NewRecord's, in order, so that a field added to the
// ledger fails to compile here until the API takes it too.
type newRecord struct {
	Origin            hazard.Origin `json:"origin"`
	Grade             hazard.Grade  `json:"grade"`
	Title             string        `json:"title"`
	Description       string        `json:"description"`
	Enterprise        string        `json:"enterprise"`
	District          string        `json:"district"`
	Industry          string        `json:"industry"`
	HazardSource      string        `json:"hazard_source"`
	HazardSourceGrade int           `json:"hazard_source_grade"`
	// Deadline is optional; absent, the policy's period for the grade.
	Deadline time.Time `json:"deadline"`
}

func (a *api) create(r *http.Request, who hazard.Actor) (int, any, error) {
	var b newRecord
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	rec, err := a.l.Create(r.Context(), hazard.NewRecord(b), who)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, rec, nil
}

// result answers a record or the error that refused it.
// recordView is a record as the caller sees it: with the transitions the
// caller may make now, so that screens offer only those.
type recordView struct {
	*hazard.Record
	Allowed []hazard.Action `json:"allowed"`
}

func (a *api) view(who hazard.Actor, rec *hazard.Record) recordView {
	allowed := a.l.Allowed(who, rec)
	if allowed == nil {
		allowed = []hazard.Action{} // [] rather than null for clients
	}
	return recordView{Record: rec, Allowed: allowed}
}

// result answers one record, or the error of the operation that made it.
func (a *api) result(who hazard.Actor) func(*hazard.Record, error) (int, any, error) {
	return func(rec *hazard.Record, err error) (int, any, error) {
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, a.view(who, rec), nil
	}
}

// location is the URL of record id.
func location(id int64) string {
	return "/api/v1/hazards/" + strconv.FormatInt(id, 10)
}
