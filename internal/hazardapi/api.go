// Package hazardapi serves the hazard ledger over HTTP as JSON under
// /api/v1/hazards; docs/api.md is the reference. The handler expects to
// sit behind auth.Middleware: the ledger actor is the request's
// principal, and a request without one is answered 401.
package hazardapi

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// maxBody bounds a request body; the largest, a record or a plan, is a
// few kilobytes of text.
const maxBody = 64 << 10

// api holds the handlers' collaborators.
type api struct {
	l   *hazard.Ledger
	log *slog.Logger
}

// New returns the handler of the ledger API:
//
//	GET  /api/v1/hazards?district=&enterprise=&grade=&status=&overdue=&from=&to=&limit=&after=
//	GET  /api/v1/hazards/{id}
//	POST /api/v1/hazards                      a manual record
//	POST /api/v1/hazards/{id}/rectification   {owner, measures, funds_yuan, deadline, contingency}
//	POST /api/v1/hazards/{id}/submit          {note}
//	POST /api/v1/hazards/{id}/verify          {passed, note}
//	POST /api/v1/hazards/{id}/cancel          {reason}
//	POST /api/v1/hazards/{id}/reopen          {reason}
//	GET  /api/v1/hazards/export.csv?<the list's filters>
//	GET  /api/v1/hazards/stats?from=&to=&by=district|unit
//
// Errors are {"error": "...", "code": "..."}: 400 bad_request, 401
// unauthorized, 403 forbidden, 404 not_found, 409 invalid_transition
// (with from, to and action) or conflict, 413 too_large, 422 invalid,
// 500 internal. A nil log discards.
func New(l *hazard.Ledger, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &api{l: l, log: log}
	mux := http.NewServeMux()
	const base = "/api/v1/hazards"
	mux.Handle("GET "+base, a.handle(a.list))
	mux.Handle("POST "+base, a.handle(a.create))
	mux.HandleFunc("GET "+base+"/export.csv", a.export)
	mux.Handle("GET "+base+"/stats", a.handle(a.stats))
	mux.Handle("GET "+base+"/{id}", a.handle(a.get))
	mux.Handle("POST "+base+"/{id}/rectification", a.handle(a.rectify))
	mux.Handle("POST "+base+"/{id}/submit", a.handle(a.submit))
	mux.Handle("POST "+base+"/{id}/verify", a.handle(a.verify))
	mux.Handle("POST "+base+"/{id}/cancel", a.handle(a.cancel))
	mux.Handle("POST "+base+"/{id}/reopen", a.handle(a.reopen))
	return mux
}

// handler is an endpoint that answers JSON: the status and body on
// success, or an error that fail maps to its status.
type handler func(r *http.Request, who hazard.Actor) (int, any, error)

func (a *api) handle(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := a.actor(w, r)
		if !ok {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		status, body, err := h(r, who)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if rec, ok := body.(*hazard.Record); ok && status == http.StatusCreated {
			w.Header().Set("Location", location(rec.ID))
		}
		writeJSON(w, status, body)
	})
}

// actor returns the ledger actor of the request's principal, or answers
// 401 when the handler was mounted without auth.Middleware.
func (a *api) actor(w http.ResponseWriter, r *http.Request) (hazard.Actor, bool) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		writeJSON(w, http.StatusUnauthorized, errorBody{Code: "unauthorized",
			Error: "request not authenticated"})
		return hazard.Actor{}, false
	}
	return p.Actor(), true
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// An encoding error here means the client went away; the status is
	// sent already, so there is nobody left to tell.
	_ = json.NewEncoder(w).Encode(body)
}
